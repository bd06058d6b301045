"""Issue 13, item 4: the criminal-lead flag says what is known (rules CR-4, CR-5, CR-9).

- the province's 数额较大 figures not entered (Yunnan): "depends on the province's threshold", in a
  neutral style, saying what is missing: not the candidate's badge;
- a real candidate: the candidate's badge, asking for action;
- once the criminal department has answered a transfer (or has it, or the case is closed), the
  flag shows that outcome instead of asking for action; on the page, in the API and in the filter.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.conftest import lead_payload, make_id
from zhichi.cases.models import Case
from zhichi.cases.services.disposal import close_case
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.transfers import services as transfers

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
CRIMINAL = {"to_org": "WHPROC", "to_department": "criminal", "kind": "criminal_lead"}


def wage_case(users, amount: str, months: int = 4, seq: str = "111") -> Case:
    data = lead_payload(
        claimants=[
            {
                "name": "王建国",
                "id_number": make_id(seq=seq),
                "amount_claimed": amount,
                "months_unpaid": months,
            }
        ],
        has_iou=True,  # no arbitration-first flag beside the criminal one
    )
    lead = intake_services.create_lead(actor=users["civil1"], data=validate_lead(data))
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    case.refresh_from_db()
    return case


@pytest.fixture
def waiting(users) -> Case:
    """12,000 yuan over 4 months: between the national floor and ceiling; Yunnan has no figure."""
    return wage_case(users, "12000.00")


@pytest.fixture
def candidate(users) -> Case:
    """25,000 yuan over 4 months: above every province's figure; no order to pay yet."""
    return wage_case(users, "25000.00", seq="222")


def badges(html: str) -> list[tuple[str, str, str]]:
    """(tone, flag code, text) of every flag badge on a page."""
    return [
        (tone, code, unescape(re.sub(r"\s+", " ", text).strip()))
        for tone, code, text in re.findall(
            r'class="badge badge-status badge-status-(\w+)[^"]*" data-flag="([\w]+)"[^>]*>(.*?)</span>',
            html,
            re.S,
        )
    ]


def page(web, username, case) -> str:
    r = web(username).get(f"/cases/{case.pk}/", headers=EN)
    assert r.status_code == 200
    return r.content.decode()


def body(api, username, case) -> dict:
    r = api(username).get(f"/api/v1/cases/{case.pk}", headers=EN)
    assert r.status_code == 200
    return r.json()


def listed(web, username, **params) -> list[int]:
    r = web(username).get("/cases/", params)
    assert r.status_code == 200
    return [c.pk for c in r.context["page_obj"]]


# --- the province's figure is not entered ---------------------------------------------------
def test_issue13_item4_cr4_unknown_threshold_is_neutral_and_says_what_is_missing(web, api, waiting):
    html = page(web, "civil1", waiting)
    out = body(api, "civil1", waiting)

    assert badges(html) == [
        ("neutral", "criminal_threshold_unknown", "Depends on the province's threshold")
    ]
    assert "Criminal-lead candidate" not in html
    detail = re.search(r'data-flag-detail="criminal_threshold_unknown">(.*?)</p>', html, re.S)
    assert detail is not None
    assert "53 云南" in detail.group(1)
    assert "are not entered" in detail.group(1)
    assert "law library" in detail.group(1)
    assert out["flags"] == ["criminal_threshold_unknown"]
    flag = out["criminal_flag"]
    assert (flag["state"], flag["verdict"], flag["province"], flag["missing"]) == (
        "threshold_unknown",
        "depends_on_province_config",
        "53",
        ["province_figures"],
    )
    assert flag["label"] == "Depends on the province's threshold"
    assert flag["referral"] is None


def test_issue13_item4_the_list_shows_the_same_neutral_badge(web, waiting, candidate):
    r = web("civil1").get("/cases/", headers=EN)

    shown = badges(r.content.decode())
    assert ("neutral", "criminal_threshold_unknown", "Depends on the province's threshold") in shown
    assert ("warning", "criminal_lead_candidate", "Criminal-lead candidate") in shown
    assert len(shown) == 2


# --- a real candidate ------------------------------------------------------------------------
def test_issue13_item4_cr4_cr5_a_real_candidate_asks_for_action(web, api, candidate):
    html = page(web, "civil1", candidate)
    out = body(api, "civil1", candidate)

    assert badges(html) == [("warning", "criminal_lead_candidate", "Criminal-lead candidate")]
    assert "order to pay first" in html
    assert out["flags"] == ["criminal_lead_candidate"]
    assert (out["criminal_flag"]["state"], out["criminal_flag"]["verdict"]) == (
        "candidate",
        "order_first",
    )
    assert out["criminal_flag"]["missing"] == []


# --- the criminal department's answer ------------------------------------------------------------
def test_issue13_item4_cr9_a_sent_lead_waits_for_the_answer_without_asking_again(
    web, api, users, candidate
):
    t = transfers.send_transfer(
        actor=users["civil1"],
        data={"reason": "涉嫌拒不支付劳动报酬", **CRIMINAL},
        case_id=candidate.pk,
    )

    out = body(api, "civil1", candidate)

    assert out["flags"] == []
    assert out["criminal_flag"]["state"] == "sent"
    assert out["criminal_flag"]["referral"]["number"] == t.number
    assert (
        out["criminal_flag"]["label"] == "Criminal lead sent to 刑事检察部: waiting for the answer"
    )
    assert badges(page(web, "civil1", candidate)) == [
        (
            "active",
            "criminal_sent",
            "Criminal lead sent to 刑事检察部: waiting for the answer",
        )
    ]
    assert listed(web, "civil1", flag="criminal_lead_candidate") == []


@pytest.mark.parametrize(
    "steps, state, label",
    [
        (["accept"], "answered", "刑事检察部 accepted the criminal lead"),
        (["reject"], "answered", "刑事检察部 rejected the criminal lead"),
        (["accept", "answer"], "answered", "刑事检察部 answered: Case filed (立案)"),
        (["accept", "answer", "close"], "answered", "刑事检察部 answered: Case filed (立案)"),
    ],
    ids=["accepted", "rejected", "answered", "closed"],
)
def test_issue13_item4_cr9_once_answered_the_flag_shows_the_outcome(
    web, api, users, candidate, steps, state, label
):
    t = transfers.send_transfer(
        actor=users["civil1"],
        data={"reason": "涉嫌拒不支付劳动报酬", **CRIMINAL},
        case_id=candidate.pk,
    )
    receiver = users["criminal1"]
    for step in steps:
        if step == "accept":
            transfers.accept_transfer(transfer_id=t.pk, actor=receiver)
        elif step == "reject":
            transfers.reject_transfer(
                transfer_id=t.pk, actor=receiver, data={"reason": "证据不足，退回补充"}
            )
        elif step == "answer":
            transfers.answer_transfer(
                transfer_id=t.pk,
                actor=receiver,
                data={"text": "已移送公安机关立案侦查", "result": "filed"},
            )
        else:
            transfers.close_transfer(transfer_id=t.pk, actor=users["civil1"])

    out = body(api, "civil1", candidate)
    html = page(web, "civil1", candidate)

    assert out["flags"] == []
    assert (out["criminal_flag"]["state"], out["criminal_flag"]["label"]) == (state, label)
    assert out["criminal_flag"]["referral"]["status"] == t.__class__.objects.get(pk=t.pk).status
    assert badges(html) == [("done", "criminal_answered", label)]
    assert "Criminal-lead candidate" not in html
    # the transfers section's advice no longer offers the transfer
    assert 'data-testid="advice-outcome"' in html
    assert "?kind=labour_inspection" not in html and "?kind=criminal_lead" not in html
    assert listed(web, "civil1", flag="criminal_lead_candidate") == []


def test_issue13_item4_a_closed_case_shows_it_was_closed_without_a_transfer(
    web, api, users, candidate, waiting
):
    for case in (candidate, waiting):
        close_case(
            case_id=case.pk,
            actor=users["civil1"],
            data={"outcome": "withdrawn", "note": "申请人撤回"},
            version=Case.objects.get(pk=case.pk).version,
        )

    for case in (candidate, waiting):
        out = body(api, "civil1", case)
        assert out["flags"] == []
        assert out["criminal_flag"]["state"] == "closed"
        assert out["criminal_flag"]["label"] == "Closed without a criminal-lead transfer"
        assert badges(page(web, "civil1", case)) == [
            ("neutral", "criminal_closed", "Closed without a criminal-lead transfer")
        ]
    assert listed(web, "civil1", flag="criminal_lead_candidate") == []
    assert listed(web, "civil1", flag="criminal_threshold_unknown") == []


def test_issue13_item4_c8_partners_see_no_criminal_flag(web, api, users):
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                claimants=[
                    {
                        "name": "王建国",
                        "id_number": make_id(seq="333"),
                        "amount_claimed": "12000.00",
                        "months_unpaid": 4,
                    }
                ]
            )
        ),
    )
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])

    out = body(api, "hrss1", case)

    assert (out["flags"], out["criminal_flag"], out["criminal_check"]) == ([], {}, {})
    assert badges(page(web, "hrss1", case)) == []
    r = api("hrss1").get("/api/v1/cases")
    assert [i["flags"] for i in r.json()["items"]] == [[]]


# --- the province's figures entered in the law library -----------------------------------------
def test_issue13_item4_cr4_figures_entered_in_the_library_decide_the_waiting_case(
    web, api, users, waiting, django_capture_on_commit_callbacks
):
    from zhichi.audit.models import AuditEntry
    from zhichi.cases.services.criminal import recheck_criminal_leads

    assert waiting.flags == ["criminal_threshold_unknown"]
    version = waiting.version
    figures = {
        "province": "53",
        "individual": "10000",
        "collective": "50000",
        "effective_from": "2026-01-01",
        "source": "云南省高级人民法院等关于拒不支付劳动报酬罪数额标准的通知（测试）",
    }

    # the system administrator enters them on the law library page
    with django_capture_on_commit_callbacks(execute=True):
        r = web("sysadmin").post("/tools/law-library/threshold/", figures)
    assert r.status_code == 302

    # the province's open wage cases are checked again after the commit (the tests' task
    # backend runs the task at once): 12,000 is above Yunnan's new 10,000
    waiting.refresh_from_db()
    assert "criminal_threshold_unknown" not in waiting.flags
    assert waiting.criminal_check["verdict"] != "depends_on_province_config"
    assert waiting.version == version  # no officer's open form goes stale
    out = body(api, "civil1", waiting)
    assert out["criminal_flag"]["state"] != "threshold_unknown"
    event = waiting.timeline.get(kind="criminal_rechecked")
    assert event.data["from"] == "depends_on_province_config"
    assert AuditEntry.objects.filter(action="case.criminal_recheck").count() == 1
    # run again: nothing changes, nothing is written twice
    assert recheck_criminal_leads(province="53") == 0
    assert waiting.timeline.filter(kind="criminal_rechecked").count() == 1


def test_issue13_item4_only_the_system_administrator_enters_figures(web, waiting):
    figures = {"province": "53", "individual": "10000", "collective": "50000"}
    for username in ("civil1", "civilhead", "chief", "hrss1"):
        r = web(username).post("/tools/law-library/threshold/", figures)
        assert r.status_code in (403, 404), username
    waiting.refresh_from_db()
    assert waiting.flags == ["criminal_threshold_unknown"]
