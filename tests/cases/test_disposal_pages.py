"""Disposal pages (C4–C6): the event forms of the case page, the approvals inbox, the workbench's
deadlines, approvals and visits. Every change goes through the page; the services decide."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import lead_payload, make_id
from zhichi.cases.models import (
    Approval,
    Case,
    CourtEvent,
    Instalment,
    Mediation,
    Payment,
    Visit,
)
from zhichi.cases.services import derived, disposal
from zhichi.cases.services.derived import working_days_left
from zhichi.cases.words import level_reason_words, risk_reason_words
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.rulebook import loaders

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def open_case(api, body=None, user="civil1") -> Case:
    client = api(user)
    r = client.post("/api/v1/leads", body or lead_payload())
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/leads/{r.json()['id']}/accept")
    assert r.status_code == 200, r.content
    return Case.objects.get(pk=r.json()["case_id"])


@pytest.fixture
def case(api) -> Case:
    return open_case(api)


def claimant_ids(case: Case) -> list[int]:
    return list(
        case.parties.filter(role="claimant").order_by("position").values_list("party_id", flat=True)
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def url(case: Case, tail: str = "") -> str:
    return f"/cases/{case.pk}/{tail}"


# --- the case page ------------------------------------------------------------------------------
def test_case_page_shows_next_steps_deadline_and_the_officers_forms(web, case):
    r = web("civil1").get(url(case), headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    steps = {s["stage"]: s["missing"] for s in r.context["next_steps"]}
    assert steps["pre_litigation"] == []
    assert "a support decision approved by the department head" in steps["litigation"]
    assert r.context["ready_targets"] == ["pre_litigation"]
    assert list(r.context["stage_form"].fields["to"].choices) == [
        ("pre_litigation", "Pre-litigation")
    ]
    # the review deadline (SP-8) is the next one, with working days left
    assert [row.deadline.kind for row in r.context["next_deadlines"]] == ["review"]
    assert "working days left" in html
    for tail in ("mediations/", "support-decision/", "court-events/", "payments/", "visits/"):
        assert f'action="{url(case, tail)}"' in html
    assert f'action="{url(case, "close/")}"' in html
    assert f'action="{url(case, "level/")}"' not in html  # heads only
    assert html.count("Send to the head</button>") == 1  # each card keeps its own button
    assert [a["key"] for a in r.context["actions"]][:2] == ["support", "mediation"]


def test_an_action_button_opens_its_form_without_javascript(web, case):
    r = web("civil1").get(url(case), {"act": "mediation"})

    html = r.content.decode()
    assert 'id="act-mediation" open' in html
    assert 'id="act-court" open' not in html


def test_level_and_risk_reasons_are_listed_in_the_header(web, case):
    case = fresh(case)

    html = web("civil1").get(url(case), headers=EN).content.decode()

    assert f"Risk score {case.risk_score}" in html
    # stored as codes, shown in the reader's language (issue 13, item 6)
    words = level_reason_words(case.level_reasons) + risk_reason_words(case.risk_reasons)
    assert words and all("code" not in w for w in words)
    for reason in words:
        assert f"<li>{escape(reason)}</li>" in html


# --- mediation ----------------------------------------------------------------------------------
def test_mediation_form_records_an_agreement_with_instalments(web, case):
    first, second = claimant_ids(case)
    r = web("civil1").post(
        url(case, "mediations/"),
        {
            "held_on": day(-1),
            "mediator_org": "五华区人民调解委员会",
            "outcome": "agreement",
            "agreed_amount": "20000.50",
            f"share_{first}": "12000",
            f"share_{second}": "8000.50",
            "instalments": f"{day(10)} 10000\n\n{day(40)}  ¥10,000.50\n",
            "version": "1",
        },
    )

    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"] == url(case, "#mediation")
    mediation = Mediation.objects.get()
    assert (mediation.outcome, mediation.agreed_amount) == ("agreement", Decimal("20000.50"))
    assert [(str(i.due), i.amount) for i in Instalment.objects.order_by("due")] == [
        (day(10), Decimal("10000.00")),
        (day(40), Decimal("10000.50")),
    ]
    assert fresh(case).version == 2
    page = web("civil1").get(url(case), headers=EN)
    assert page.context["ledger"].totals["agreed"] == Decimal("20000.50")
    assert '<td class="money" data-testid="money-agreed">¥20,000.50</td>' in page.content.decode()
    assert [len(m.instalment_rows) for m in page.context["mediations"]] == [2]
    assert Visit.objects.filter(case=case, done_on__isnull=True).count() == 1  # first visit


def test_mediation_with_bad_input_is_422_with_errors_at_the_fields_and_nothing_saved(web, case):
    r = web("civil1").post(
        url(case, "mediations/"),
        {
            "held_on": day(3),
            "mediator_org": "五华区人民调解委员会",
            "outcome": "agreement",
            "agreed_amount": "",
            "instalments": "下个月 五千",
            "version": "1",
        },
        headers=EN,
    )

    assert r.status_code == 422
    html = r.content.decode()
    form = r.context["forms"]["mediation"]
    assert form.errors["held_on"] == ["This date cannot be in the future."]
    assert form.errors["agreed_amount"] == ["Enter an amount."]
    assert form.errors["instalments"][0].startswith("Line 1: ")
    assert 'id="id_mediation_held_on_error"' in html
    assert 'id="id_mediation_instalments_error"' in html
    assert 'id="act-mediation" open' in html
    assert "五华区人民调解委员会" in html  # nothing typed is lost
    assert Mediation.objects.count() == 0
    assert fresh(case).version == 1


# --- support decision and the approvals inbox ---------------------------------------------------
def propose(web, case, reasons="符合支持起诉条件"):
    r = web("civil1").post(
        url(case, "support-decision/"), {"decision": "support", "reasons": reasons}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return Approval.objects.get(status="pending")


def test_proposing_support_creates_a_pending_approval_shown_on_the_case_page(web, case):
    approval = propose(web, case)

    assert approval.payload == {"decision": "support", "reasons": "符合支持起诉条件"}
    r = web("civil1").get(url(case), headers=EN)
    assert r.context["pending_support"] is True
    assert "support" not in r.context["forms"]
    assert "Waiting for approval" in r.content.decode()


def test_support_decision_without_reasons_is_422(web, case):
    r = web("civil1").post(url(case, "support-decision/"), {"decision": "", "reasons": " "})

    assert r.status_code == 422
    assert set(r.context["forms"]["support"].errors) == {"decision", "reasons"}
    assert 'id="id_support_reasons_error"' in r.content.decode()
    assert Approval.objects.count() == 0


def test_the_inbox_shows_the_pending_approval_to_the_head_only(web, case):
    approval = propose(web, case)

    r = web("civilhead").get("/cases/approvals/", headers=EN)
    assert r.status_code == 200
    html = r.content.decode()
    assert [row["approval"].pk for row in r.context["rows"]] == [approval.pk]
    assert case.number in html and "符合支持起诉条件" in html
    assert "proposed by civil1" in html
    assert f'action="/cases/approvals/{approval.pk}/approve/"' in html
    assert f'action="/cases/approvals/{approval.pk}/reject/"' in html
    for user in ("civil1", "civil2", "chief", "registrar1", "criminal1", "outsider", "hrss1"):
        r = web(user).get("/cases/approvals/")
        assert r.status_code == 200, user
        assert r.context["rows"] == [], user
        assert case.number not in r.content.decode(), user


def test_the_head_sees_the_approvals_link_with_a_count_and_others_do_not(web, case):
    propose(web, case)

    r = web("civilhead").get("/", headers=EN)
    assert r.context["nav"]["approvals_pending"] == 1
    html = r.content.decode()
    assert 'href="/cases/approvals/"' in html
    assert '<span class="zc-count tabular-nums" data-testid="approvals-count">1</span>' in html
    assert 'href="/cases/approvals/"' not in web("civil1").get("/").content.decode()


def test_the_head_approves_from_the_inbox_and_litigation_no_longer_misses_it(web, case):
    approval = propose(web, case)

    r = web("civilhead").post(f"/cases/approvals/{approval.pk}/approve/", {"reason": "同意"})

    assert r.status_code == 302
    assert r["Location"] == "/cases/approvals/"
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by.username) == ("approved", "civilhead")
    r = web("civil1").get(url(case), headers=EN)
    litigation = next(s for s in r.context["next_steps"] if s["stage"] == "litigation")
    assert "a support decision approved by the department head" not in litigation["missing"]
    assert "Decided by civilhead" in r.content.decode()
    assert web("civilhead").get("/cases/approvals/").context["rows"] == []


def test_rejecting_needs_a_reason_then_rejects(web, case):
    approval = propose(web, case)
    head = web("civilhead")

    r = head.post(f"/cases/approvals/{approval.pk}/reject/", {"reason": ""}, headers=EN)

    assert r.status_code == 422
    assert f'id="id_reject{approval.pk}_reason_error"' in r.content.decode()
    assert "Give the reason for rejecting." in r.content.decode()
    approval.refresh_from_db()
    assert approval.status == "pending"

    r = head.post(f"/cases/approvals/{approval.pk}/reject/", {"reason": "证据不足"})

    assert r.status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.decision_reason) == ("rejected", "证据不足")


def test_deciding_twice_says_so_and_changes_nothing(web, case):
    approval = propose(web, case)
    head = web("civilhead")
    head.post(f"/cases/approvals/{approval.pk}/approve/")

    r = head.post(f"/cases/approvals/{approval.pk}/reject/", {"reason": "改主意"})

    assert r.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "approved"


@pytest.mark.parametrize("user", ["civil1", "civil2", "chief", "registrar1"])
def test_approving_is_403_for_those_who_see_the_case_but_do_not_approve(web, case, user):
    approval = propose(web, case)

    for verb in ("approve", "reject"):
        r = web(user).post(f"/cases/approvals/{approval.pk}/{verb}/", {"reason": "同意"})
        assert r.status_code == 403, (user, verb)
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_an_unknown_approval_is_404(web, case):
    assert web("civilhead").post("/cases/approvals/999999/approve/").status_code == 404


# --- court events ---------------------------------------------------------------------------------
def test_court_event_form_records_a_judgment_with_service_per_person(web, case):
    r = web("civil1").post(
        url(case, "court-events/"),
        {
            "kind": "judgment",
            "on": day(-6),
            "court": "五华区人民法院",
            "amount_awarded": "15000",
            **{f"share_{p}": a for p, a in zip(claimant_ids(case), ("9000", "6000"), strict=True)},
            "served": f"王建国 {day(-4)}\n李 秀英 {day(-3)}",
            "performance_due": day(30),
            "version": "1",
        },
    )

    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"] == url(case, "#litigation")
    event = CourtEvent.objects.get()
    assert sorted((s.person, str(s.served_on)) for s in event.services.all()) == [
        ("李 秀英", day(-3)),
        ("王建国", day(-4)),
    ]
    page = web("civil1").get(url(case), headers=EN)
    assert page.context["ledger"].totals["awarded"] == Decimal("15000.00")
    kinds = [row.deadline.kind for row in page.context["deadline_rows"]]
    assert kinds.count("appeal") == 2 and "enforcement_application" in kinds
    html = page.content.decode()
    assert "五华区人民法院" in html and "¥15,000.00" in html


def test_court_event_with_a_bad_served_line_and_misplaced_amount_is_422(web, case):
    r = web("civil1").post(
        url(case, "court-events/"),
        {
            "kind": "filed",
            "on": day(-1),
            "amount_awarded": "100",
            "served": "王建国 昨天",
            "version": "1",
        },
        headers=EN,
    )

    assert r.status_code == 422
    errors = r.context["forms"]["court"].errors
    assert errors["amount_awarded"] == ["Only a judgment, ruling or award has an amount."]
    assert errors["served"] == ["Line 1: Enter a date as YYYY-MM-DD."]
    assert 'id="id_court_served_error"' in r.content.decode()
    assert CourtEvent.objects.count() == 0


# --- payments and the ledger ----------------------------------------------------------------------
def test_payments_on_the_page_make_the_ledger_totals(web, case):
    first, second = claimant_ids(case)
    client = web("civil1")
    for party, amount, version in ((first, "5000", 1), (second, "1234.56", 2)):
        r = client.post(
            url(case, "payments/"),
            {
                "claimant_party_id": str(party),
                "paid_on": day(-1),
                "amount": amount,
                "payer": "云南某建筑劳务有限公司",
                "method": "银行转账",
                "version": str(version),
            },
        )
        assert r.status_code == 302, r.content.decode()[:2000]
        assert r["Location"] == url(case, "#money")

    page = client.get(url(case))
    html = page.content.decode()
    total = sum(Payment.objects.values_list("amount", flat=True))
    assert total == Decimal("6234.56")
    assert page.context["ledger"].totals["recovered"] == total
    assert '<td class="money" data-testid="money-recovered">¥6,234.56</td>' in html
    # claimed 20,000.50, nothing agreed or awarded: outstanding is the claim less the payments
    assert '<td class="money" data-testid="money-outstanding">¥13,765.94</td>' in html
    assert '<td class="money" data-testid="money-claimed">¥20,000.50</td>' in html


def test_payment_with_bad_amount_and_no_claimant_is_422_and_saves_nothing(web, case):
    r = web("civil1").post(
        url(case, "payments/"),
        {
            "claimant_party_id": "",
            "paid_on": day(-1),
            "amount": "五千",
            "payer": "",
            "version": "1",
        },
        headers=EN,
    )

    assert r.status_code == 422
    errors = r.context["forms"]["payment"].errors
    assert set(errors) == {"claimant_party_id", "amount", "payer"}
    html = r.content.decode()
    assert 'id="id_payment_amount_error"' in html
    assert 'id="id_payment_claimant_party_id_error"' in html
    assert Payment.objects.count() == 0


def test_a_stale_version_redirects_with_a_message_and_saves_nothing(web, case):
    client = web("civil1")
    client.post(url(case, "stage/"), {"to": "pre_litigation", "reason": "先行调解", "version": 1})

    r = client.post(
        url(case, "payments/"),
        {
            "claimant_party_id": str(claimant_ids(case)[0]),
            "paid_on": day(-1),
            "amount": "100",
            "payer": "某公司",
            "version": "1",
        },
        headers=EN,
    )

    assert r.status_code == 302
    assert r["Location"] == url(case, "#money")
    assert Payment.objects.count() == 0
    page = client.get(r["Location"], headers=EN)
    assert "Someone changed this case since you read it" in page.content.decode()


# --- return visits --------------------------------------------------------------------------------
def test_plan_a_visit_then_record_it_and_the_next_one_is_planned(web, case):
    client = web("civil1")
    r = client.post(
        url(case, "visits/"), {"planned_on": day(2), "target": "employer", "method": "visit"}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    visit = Visit.objects.get()
    page = client.get(url(case))
    assert f'action="{url(case, f"visits/{visit.pk}/record/")}"' in page.content.decode()

    r = client.post(
        url(case, f"visits/{visit.pk}/record/"),
        {"done_on": day(0), "findings": "公司承诺月底付清", "remaining_problems": "尚欠两人工资"},
    )

    assert r.status_code == 302, r.content.decode()[:2000]
    visit.refresh_from_db()
    assert (str(visit.done_on), visit.findings, visit.paid_in_full) == (
        day(0),
        "公司承诺月底付清",
        False,
    )
    assert Visit.objects.filter(done_on__isnull=True).count() == 1  # the next one
    html = client.get(url(case)).content.decode()
    assert "尚欠两人工资" in html


def test_recording_a_visit_without_findings_is_422_at_that_visits_form(web, case, users):
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=users["civil1"],
        data={"planned_on": day(1), "target": "claimant", "method": "phone"},
    )

    r = web("civil1").post(
        url(case, f"visits/{visit.pk}/record/"), {"done_on": day(0), "findings": ""}
    )

    assert r.status_code == 422
    html = r.content.decode()
    assert f'id="id_visit{visit.pk}_findings_error"' in html
    assert f'id="act-visit{visit.pk}" open' in html
    visit.refresh_from_db()
    assert visit.done_on is None


def test_a_visit_of_another_case_is_404_under_this_case(web, api, case, users):
    other = open_case(
        api, lead_payload(claimants=[{"name": "张三", "id_number": make_id(seq="505")}])
    )
    visit = disposal.plan_visit(
        case_id=other.pk,
        actor=users["civil1"],
        data={"planned_on": day(1), "target": "claimant", "method": "phone"},
    )

    r = web("civil1").post(
        url(case, f"visits/{visit.pk}/record/"), {"done_on": day(0), "findings": "x"}
    )

    assert r.status_code == 404


# --- closing and the level ------------------------------------------------------------------------
def test_closing_must_agree_with_the_ledger_then_closes_and_the_forms_go(web, case):
    client = web("civil1")

    r = client.post(
        url(case, "close/"), {"outcome": "recovered_in_full", "version": "1"}, headers=EN
    )
    assert r.status_code == 422
    assert 'id="id_close_outcome_error"' in r.content.decode()
    assert fresh(case).status == "open"

    # C6: the page asks for confirmation with the ledger's figures before it closes
    r = client.post(
        url(case, "close/"), {"outcome": "withdrawn", "note": "当事人撤回", "version": 1}
    )
    assert r.status_code == 200
    assert r.context["closing"].totals["outstanding"] == Decimal("20000.50")
    assert fresh(case).status == "open"
    r = client.post(
        url(case, "close/"),
        {"outcome": "withdrawn", "note": "当事人撤回", "version": 1, "confirm": "1"},
    )

    assert r.status_code == 302
    saved = fresh(case)
    assert (saved.stage, saved.status, saved.outcome) == ("closed", "closed", "withdrawn")
    page = client.get(url(case), headers=EN)
    assert page.context["forms"] == {}
    assert page.context["actions"] == []
    assert "Withdrawn" in page.content.decode()
    # a stray post to the closed case is refused with the reason at the top of the page
    r = client.post(
        url(case, "mediations/"),
        {"held_on": day(0), "mediator_org": "调委会", "outcome": "failed"},
        headers=EN,
    )
    assert r.status_code == 422
    assert "The case is closed; nothing more can be recorded on it." in r.content.decode()
    assert Mediation.objects.count() == 0


def test_the_head_sets_the_level_with_a_reason(web, case):
    head = web("civilhead")
    assert 'action="{}"'.format(url(case, "level/")) in head.get(url(case)).content.decode()

    version = fresh(case).version
    r = head.post(url(case, "level/"), {"level": "3", "reason": "", "version": version}, headers=EN)
    assert r.status_code == 422
    assert 'id="id_level_reason_error"' in r.content.decode()

    r = head.post(url(case, "level/"), {"level": "3", "reason": "涉众风险高", "version": version})

    assert r.status_code == 302
    saved = fresh(case)
    assert (saved.level, saved.level_override_reason) == (3, "涉众风险高")
    assert saved.level_reasons[0] == {
        "code": "level_set_by_head",
        "params": {"reason": "涉众风险高"},
    }
    assert "涉众风险高" in level_reason_words(saved.level_reasons)[0]


# --- who may post -----------------------------------------------------------------------------------
def _posts(case: Case, visit: Visit) -> list[tuple[str, dict]]:
    claimant = claimant_ids(case)[0]
    return [
        ("mediations/", {"held_on": day(0), "mediator_org": "调委会", "outcome": "failed"}),
        ("support-decision/", {"decision": "support", "reasons": "符合条件"}),
        ("court-events/", {"kind": "filed", "on": day(0), "court": "五华区人民法院"}),
        (
            "payments/",
            {"claimant_party_id": claimant, "paid_on": day(0), "amount": "1", "payer": "某"},
        ),
        ("visits/", {"planned_on": day(5), "target": "claimant", "method": "phone"}),
        (f"visits/{visit.pk}/record/", {"done_on": day(0), "findings": "已回访"}),
        ("close/", {"outcome": "withdrawn"}),
        ("level/", {"level": "3", "reason": "涉众"}),
    ]


def _snapshot(case: Case) -> tuple:
    saved = fresh(case)
    return (
        saved.version,
        saved.status,
        saved.level,
        Mediation.objects.count(),
        Approval.objects.count(),
        CourtEvent.objects.count(),
        Payment.objects.count(),
        Visit.objects.count(),
        Visit.objects.filter(done_on__isnull=False).count(),
    )


@pytest.mark.parametrize("user", ["civil2", "registrar1", "chief"])
def test_colleagues_who_cannot_work_on_the_case_see_no_forms_and_get_403(web, case, users, user):
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=users["civil1"],
        data={"planned_on": day(1), "target": "claimant", "method": "phone"},
    )
    client = web(user)
    page = client.get(url(case), headers=EN)
    assert page.status_code == 200
    assert page.context["forms"] == {}
    assert page.context["actions"] == []
    html = page.content.decode()
    assert "<form" not in html.split('id="h-next"')[1].split("</aside>")[0]
    for tail, _data in _posts(case, visit):
        assert f'action="{url(case, tail)}"' not in html
    before = _snapshot(case)

    for tail, data in _posts(case, visit):
        assert client.post(url(case, tail), data).status_code == 403, tail

    assert _snapshot(case) == before


@pytest.fixture
def referred_case(users) -> Case:
    """A case from a lead hrss1 referred without the person's consent to share (C8)."""
    lead = intake_services.create_lead(
        actor=users["hrss1"], data=validate_lead(lead_payload(consent_to_share=False))
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


@pytest.mark.parametrize("user", ["outsider", "criminal1", "hrss1"])
def test_outsiders_get_404_on_every_new_url(web, referred_case, users, user):
    case = referred_case
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=users["civil1"],
        data={"planned_on": day(1), "target": "claimant", "method": "phone"},
    )
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合"}
    )
    client = web(user)
    before = _snapshot(case)

    assert client.get(url(case)).status_code == 404
    for tail, data in _posts(case, visit):
        assert client.post(url(case, tail), data).status_code == 404, tail
    for verb in ("approve", "reject"):
        r = client.post(f"/cases/approvals/{approval.pk}/{verb}/", {"reason": "x"})
        assert r.status_code == 404, verb

    assert _snapshot(case) == before
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_the_new_urls_are_post_only(web, case):
    for tail in ("mediations/", "payments/", "close/", "level/"):
        assert web("civil1").get(url(case, tail)).status_code == 405


# --- the workbench --------------------------------------------------------------------------------
def _visits(case: Case, user, offsets):
    for offset in offsets:
        disposal.plan_visit(
            case_id=case.pk,
            actor=user,
            data={"planned_on": day(offset), "target": "claimant", "method": "phone"},
        )


def test_the_workbench_lists_an_overdue_deadline_first_and_one_due_within_7_days(web, case, users):
    _visits(case, users["civil1"], [3, -4, 30])

    r = web("civil1").get("/", headers=EN)

    assert r.status_code == 200
    rows = r.context["my_deadlines"]
    assert [(row.deadline.kind, str(row.deadline.due), row.due.state) for row in rows] == [
        ("visit", day(-4), "overdue"),
        ("visit", day(3), "pending"),
    ]
    assert rows[0].due.days_left < 0
    assert rows[1].due.days_left == working_days_left(
        TODAY + timedelta(days=3), TODAY, loaders.holiday_calendar()
    )
    assert [str(v.planned_on) for v, _due in r.context["visits_due"]] == [day(-4), day(3)]
    html = r.content.decode()
    assert "My deadlines" in html and "Visits due" in html
    assert "Overdue" in html
    assert ("working days left" in html) or ("working day left" in html)
    assert case.number in html


def test_the_workbench_shows_only_my_open_cases_deadlines(web, api, case, users):
    _visits(case, users["civil1"], [-2])

    assert web("civil2").get("/").context["my_deadlines"] == []
    assert web("civilhead").get("/").context["my_deadlines"] == []


def test_working_days_left_matches_the_derived_rule(case):
    cal = loaders.holiday_calendar()
    for offset in range(-20, 21):
        due = TODAY + timedelta(days=offset)
        assert working_days_left(due, TODAY, cal) == derived.working_days_left(due, TODAY)


# --- query counts -----------------------------------------------------------------------------------
def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def _another_case(api, users, seq: str) -> Case:
    case = open_case(api, lead_payload(claimants=[{"name": "甲乙", "id_number": make_id(seq=seq)}]))
    _visits(case, users["civil1"], [-3, 2])
    disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合"}
    )
    return case


@pytest.mark.parametrize(
    ("user", "path"),
    [("civil1", "/"), ("civilhead", "/"), ("civilhead", "/cases/approvals/")],
    ids=["workbench-officer", "workbench-head", "approvals-inbox"],
)
def test_query_count_is_the_same_for_one_and_three_items(web, api, users, user, path):
    client = web(user)
    _another_case(api, users, "701")
    client.get(path)
    one = _queries(client, path)

    _another_case(api, users, "702")
    _another_case(api, users, "703")
    three = _queries(client, path)

    r = client.get(path)
    if path == "/" and user == "civil1":
        assert (len(r.context["my_deadlines"]), len(r.context["visits_due"])) == (6, 6)
    if path == "/cases/approvals/":
        assert len(r.context["rows"]) == 3
    assert three == one
