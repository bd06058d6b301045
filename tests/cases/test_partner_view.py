"""What a partner agency sees of a case shared with it (issue 12 item 6; API.md § Transfers, C8).

One case carries every kind of the procuratorate's internal record: a transfer to its own
criminal department, judicial assistance with its JA-6 deadline, a procuratorial suggestion with
its reply date, a support decision, a grading override, issued documents, visit findings and the
notes typed with milestones. It came from hrss1's referral with consent, and a legal aid
referral shares it with WHLAC (lac1). Each partner reads every page, section and API answer of
it and finds none of those records, while the milestones are there; the case's own officer
still sees everything, so the test cannot pass by hiding all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.assistance.conftest import application_data, opinion_data
from tests.transfers.conftest import EMPLOYER, send, wage_case
from zhichi.accounts.models import Notification
from zhichi.assistance import services as assistance
from zhichi.cases import partner_view
from zhichi.cases.models import Case, CaseDeadline, TimelineEvent
from zhichi.cases.services import disposal, move_stage
from zhichi.cases.services.approvals import decide_approval
from zhichi.cases.services.derived import register_deadline_source
from zhichi.cases.services.reminders import send_reminders
from zhichi.common import page_sections
from zhichi.documents.services import issue_document
from zhichi.employers.services import record_joint_action
from zhichi.intake.models import Lead
from zhichi.parties import crypto
from zhichi.supervision import services as supervision
from zhichi.transfers import services as transfers
from zhichi.webhooks.models import Event, WebhookDelivery, WebhookSubscription

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PARTNERS = ("hrss1", "lac1")
PAYER = "代付款人甲建筑公司"
COURT = "五华区人民法院民一庭"


@dataclass
class World:
    case: Case
    internal: object  # the transfer to the criminal department
    own: dict  # partner username → the transfer its organisation is a side of
    assistance: object
    suggestion: object
    documents: list
    joint_action: object
    hidden: list[str] = field(default_factory=list)  # every partner: none of these anywhere
    hidden_from: dict = field(default_factory=dict)  # one partner: the others' transfers


def _subscribe(org, user):
    """A partner system listening to every event (deliveries stay queued: no commit here)."""
    return WebhookSubscription.objects.create(
        organisation=org,
        url="https://partner.example.org/zhichi",
        events=[e.value for e in Event if e != Event.PING],
        secret_enc=crypto.encrypt("s3cret-for-tests"),
        secret_hint="s3cr",
        created_by=user,
    )


def build_world(users, web) -> World:
    """The case with every internal record, made through the services (and the level page)."""
    today = timezone.localdate()
    officer, head, chief = users["civil1"], users["civilhead"], users["chief"]
    for name in PARTNERS:
        _subscribe(users[name].organisation, users[name])
    case = wage_case(users, consent=True, seq="41")

    # the partners' own transfers: legal aid to WHLAC (which shares the case with it), labour
    # inspection to WHHRSS; and the internal one, to the criminal department
    legal_aid = send(users, case, to_org="WHLAC", kind="legal_aid", reason="法律援助转介理由甲")
    transfers.accept_transfer(transfer_id=legal_aid.pk, actor=users["lac1"])
    inspection = send(
        users, case, to_org="WHHRSS", kind="labour_inspection", reason="劳动监察移送理由乙"
    )
    transfers.receive_transfer(transfer_id=inspection.pk, actor=users["hrss1"])
    internal = send(
        users,
        case,
        to_org="WHPROC",
        to_department="criminal",
        kind="criminal_lead",
        reason="内部移送刑事检察部的理由丙",
    )
    transfers.accept_transfer(transfer_id=internal.pk, actor=users["criminal1"])
    transfers.answer_transfer(
        transfer_id=internal.pk,
        actor=users["criminal1"],
        data={"text": "刑事检察部内部答复丁", "result": "filed"},
    )

    # grading override by the head, through the page (the form carries what the service needs)
    case.refresh_from_db()
    r = web("civilhead").post(
        f"/cases/{case.pk}/level/",
        {"level": "3", "reason": "分级调整内部理由戊", "version": case.version},
    )
    assert r.status_code == 302, r.status_code

    # the support decision: proposed by the officer, approved by the head
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=officer,
        data={"decision": "support", "reasons": "支持起诉内部审查意见己"},
    )
    decide_approval(approval_id=approval.pk, actor=head, approve=True, reason="科长审批意见庚")

    # milestones, each with an officer's note that stays internal
    case.refresh_from_db()
    move_stage(
        case_id=case.pk,
        to="pre_litigation",
        reason="阶段变更内部理由辛",
        version=case.version,
        actor=officer,
    )
    disposal.record_mediation(
        case_id=case.pk,
        actor=officer,
        data={
            "held_on": today.isoformat(),
            "mediator_org": "五华区人民调解委员会",
            "outcome": "agreement",
            "agreed_amount": "18000.00",
            "note": "调解内部笔记壬",
            "instalments": [
                {"due": (today + timedelta(days=20)).isoformat(), "amount": "9000.00"},
                {"due": (today + timedelta(days=50)).isoformat(), "amount": "9000.00"},
            ],
        },
    )
    disposal.record_court_event(
        case_id=case.pk,
        actor=officer,
        data={
            "kind": "judgment",
            "on": today.isoformat(),
            "court": COURT,
            "amount_awarded": "25000.00",
            "note": "庭审内部笔记癸",
            "served": [{"person": "某建筑劳务公司", "served_on": today.isoformat()}],
        },
    )
    claimant = case.parties.get(role="claimant")
    disposal.record_payment(
        case_id=case.pk,
        actor=officer,
        data={
            "claimant_party_id": claimant.party_id,
            "paid_on": today.isoformat(),
            "amount": "5000.00",
            "payer": PAYER,
            "method": "bank",
        },
    )
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=officer,
        data={"planned_on": today.isoformat(), "target": "claimant", "method": "phone"},
    )
    disposal.record_visit(
        visit_id=visit.pk,
        actor=officer,
        data={
            "done_on": today.isoformat(),
            "findings": "回访内部发现子",
            "remaining_problems": "回访遗留问题丑",
            "paid_in_full": False,
        },
    )

    # judicial assistance, through its whole approval chain (JA-6 deadline)
    application = assistance.record_application(
        case_id=case.pk,
        actor=officer,
        data=application_data(case, hardship="申请人家庭困难内部情况寅"),
    )
    assistance.submit_opinion(
        application_id=application.pk,
        actor=officer,
        data=opinion_data(opinion="救助审查内部意见卯", verification="核实内部记录辰"),
    )
    for who in (head, chief):
        application.refresh_from_db()
        decide_approval(approval_id=application.approval_id, actor=who, approve=True)

    # a procuratorial suggestion, approved and served (TL-9 reply deadline)
    suggestion = supervision.draft_suggestion(
        case_id=case.pk,
        actor=officer,
        data={
            "to_org_name": "五华区住房和城乡建设局",
            "issue": "检察建议内部问题巳",
            "recommendations": "检察建议内部建议午",
        },
    )
    decide_approval(approval_id=suggestion.approval_id, actor=chief, approve=True)
    suggestion = supervision.serve_suggestion(
        suggestion_id=suggestion.pk,
        actor=officer,
        data={"served_on": today.isoformat(), "method": "direct"},
    )

    documents = [issue_document(case_id=case.pk, kind="acceptance_notice", actor=officer)]

    # a joint action with the labour bureau: hrss1 took part, lac1 did not
    joint_action = record_joint_action(
        actor=officer,
        data={
            "on": today.isoformat(),
            "employer": EMPLOYER,
            "organisations": ["WHHRSS"],
            "case_ids": [case.pk],
            "result": "联合约谈结果未",
            "amount_paid_on_site": "0",
            "legal_basis": "",
        },
    )
    send_reminders(today=today)

    case = Case.objects.get(pk=case.pk)
    hidden_deadlines = CaseDeadline.objects.filter(case=case).exclude(
        kind__in=partner_view.partner_deadline_kinds()
    )
    hidden_kinds = (
        TimelineEvent.objects.filter(case=case)
        .exclude(kind__in=partner_view.partner_event_kinds())
        .values_list("kind", flat=True)
        .distinct()
    )
    hidden = [
        # the internal transfer
        internal.number,
        internal.reason,
        "刑事检察部内部答复丁",
        "刑事检察部",
        # grading, support decision, notes typed with milestones
        "分级调整内部理由戊",
        "支持起诉内部审查意见己",
        "科长审批意见庚",
        "阶段变更内部理由辛",
        "调解内部笔记壬",
        "庭审内部笔记癸",
        "回访内部发现子",
        "回访遗留问题丑",
        # judicial assistance, the suggestion, the documents
        "申请人家庭困难内部情况寅",
        "救助审查内部意见卯",
        "核实内部记录辰",
        "检察建议内部问题巳",
        "检察建议内部建议午",
        suggestion.number,
        *[d.number for d in documents],
        f"/assistance/{application.pk}/",
        f"/supervision/{suggestion.pk}/",
        "JA-6",
        "TL-9",
        '"assistance_decision"',
        '"suggestion_reply"',
        # every deadline and event kind a partner may not see, by label and by kind
        *{d.label for d in hidden_deadlines},
        *{f'"{d.kind}"' for d in hidden_deadlines},
        *{f'"{kind}"' for kind in hidden_kinds},
    ]
    assert {"assistance_decision", "suggestion_reply", "review"} <= {
        d.kind for d in hidden_deadlines
    }
    assert {"support_proposed", "level_set", "document_issued", "suggestion_served"} <= set(
        hidden_kinds
    )
    return World(
        case=case,
        internal=internal,
        own={"hrss1": inspection, "lac1": legal_aid},
        assistance=application,
        suggestion=suggestion,
        documents=documents,
        joint_action=joint_action,
        hidden=hidden,
        hidden_from={
            # transfers between the procuratorate and another agency are not a partner's business
            "hrss1": [legal_aid.number, legal_aid.reason, f"/transfers/{legal_aid.pk}/"],
            "lac1": [
                inspection.number,
                inspection.reason,
                f"/transfers/{inspection.pk}/",
                "联合约谈结果未",  # a joint action it did not take part in
                '"joint_action"',
            ],
        },
    )


@pytest.fixture
def world(users, web):
    return build_world(users, web)


def leaks(text: str, markers) -> list[str]:
    """The markers found in ``text`` (as written, or HTML-escaped)."""
    return [m for m in markers if m and (m in text or escape(m) in text)]


def _pages(world: World, username: str, lead_id: int | None) -> dict[str, str]:
    paths = {
        "case page": f"/cases/{world.case.pk}/",
        "case list": "/cases/",
        "workbench": "/",
        "notifications": "/notifications/",
        "transfer inbox": "/transfers/inbox/",
        "transfer outbox": "/transfers/outbox/",
        "own transfer": f"/transfers/{world.own[username].pk}/",
    }
    if lead_id is not None:
        paths["lead page"] = f"/leads/{lead_id}/"
    return paths


def _api(world: World, username: str) -> dict[str, str]:
    case = world.case.pk
    return {
        "case": f"/api/v1/cases/{case}",
        "timeline": f"/api/v1/cases/{case}/timeline",
        "case transfers": f"/api/v1/cases/{case}/transfers",
        "case list": "/api/v1/cases",
        "inbox": "/api/v1/transfers?box=inbox",
        "outbox": "/api/v1/transfers?box=outbox",
        "own transfer": f"/api/v1/transfers/{world.own[username].pk}",
        "visits": f"/api/v1/cases/{case}/visits",
        "attachments": f"/api/v1/cases/{case}/attachments",
        "ledger": f"/api/v1/cases/{case}/ledger",
    }


# --- (a) the reproduction, for each partner ---------------------------------------------------
@pytest.mark.parametrize("username", PARTNERS)
def test_item6_a_partner_finds_no_internal_record_on_any_page_of_the_shared_case(
    users, web, world, username
):
    client = web(username)
    # the quoted kinds are for JSON answers: a page's form may offer the stage "review"
    markers = [m for m in world.hidden + world.hidden_from[username] if not m.startswith('"')]
    lead_id = Lead.objects.get(case=world.case).pk if username == "hrss1" else None
    found = {}
    for name, path in _pages(world, username, lead_id).items():
        r = client.get(path)
        assert r.status_code == 200, (name, r.status_code)
        found[name] = leaks(r.content.decode(), markers)
    assert found == {name: [] for name in found}

    # every section of the case page, one by one, and the deadlines panel
    r = client.get(f"/cases/{world.case.pk}/")
    sections = [s["key"] for s in r.context["extra_sections"]]
    assert "assistance" not in sections and "suggestions" not in sections
    assert "documents" not in sections
    assert r.context["approvals"] == [] and r.context["next_steps"] == []
    kinds = {row.deadline.kind for row in r.context["deadline_rows"]}
    assert kinds <= partner_view.partner_deadline_kinds()
    transfers_shown = next(s for s in r.context["extra_sections"] if s["key"] == "transfers")
    assert [row["transfer"].pk for row in transfers_shown["ctx"]["rows"]] == [
        world.own[username].pk
    ]
    assert transfers_shown["ctx"]["shares"] == []
    timeline_kinds = {e.kind for e, _text in r.context["timeline"]}
    assert timeline_kinds <= partner_view.partner_event_kinds()

    # the milestones are there: stage, mediation, court events, payments, their deadlines
    page = r.content.decode()
    assert PAYER in page and COURT in page and world.own[username].number in page
    assert {"stage_changed", "mediation", "court_event", "payment"} <= timeline_kinds
    assert {"appeal", "instalment", "judicial_confirmation"} <= kinds


@pytest.mark.parametrize("username", PARTNERS)
def test_item6_a_partner_finds_no_internal_record_in_any_api_answer(users, api, world, username):
    client = api(username)
    markers = world.hidden + world.hidden_from[username]
    answers = {}
    for name, path in _api(world, username).items():
        r = client.get(path)
        assert r.status_code == 200, (name, r.status_code)
        answers[name] = r.json()
    found = {
        name: leaks(json.dumps(body, ensure_ascii=False), markers) for name, body in answers.items()
    }
    assert found == {name: [] for name in found}

    body = answers["case"]
    deadline_kinds = {d["kind"] for d in body["deadlines"]}
    assert deadline_kinds <= partner_view.partner_deadline_kinds()
    assert {"appeal", "instalment", "judicial_confirmation"} <= deadline_kinds
    assert body["stage"] == "pre_litigation" and body["money"]["recovered"] == "5000.00"
    assert (body["flags"], body["level_reasons"], body["criminal_check"]) == ([], [], {})
    timeline = {e["kind"] for e in answers["timeline"]}
    assert {"case_opened", "stage_changed", "mediation", "court_event", "payment"} <= timeline
    assert timeline <= partner_view.partner_event_kinds()
    assert [t["id"] for t in answers["case transfers"]] == [world.own[username].pk]
    assert all(v["findings"] == "" for v in answers["visits"])
    listed = next(c for c in answers["case list"]["items"] if c["id"] == world.case.pk)
    assert (listed["flags"], listed["officer"]) == ([], None)

    # the internal records themselves answer 404, like a missing object
    other = world.own["lac1" if username == "hrss1" else "hrss1"]
    hidden_paths = [
        f"/api/v1/transfers/{world.internal.pk}",
        f"/api/v1/transfers/{other.pk}",
        f"/api/v1/cases/{world.case.pk}/assistance",
        f"/api/v1/assistance/{world.assistance.pk}",
        f"/api/v1/cases/{world.case.pk}/suggestions",
        f"/api/v1/suggestions/{world.suggestion.pk}",
        f"/api/v1/cases/{world.case.pk}/documents",
        f"/api/v1/cases/{world.case.pk}/shares",
    ]
    assert {p: client.get(p).status_code for p in hidden_paths} == {p: 404 for p in hidden_paths}


@pytest.mark.parametrize("username", PARTNERS)
def test_item6_no_notification_or_webhook_to_a_partner_names_an_internal_record(
    users, world, username
):
    user = users[username]
    texts = " ".join(Notification.objects.filter(user=user).values_list("text", flat=True))
    assert leaks(texts, world.hidden + world.hidden_from[username]) == []

    deliveries = WebhookDelivery.objects.filter(subscription__organisation=user.organisation)
    transfer_ids = {d.payload.get("transfer_id") for d in deliveries} - {None}
    assert transfer_ids == {world.own[username].pk}
    # the milestone still reaches it: the stage move of the case shared with it
    assert deliveries.filter(event=Event.CASE_STAGE_CHANGED).count() == 1
    # (a delivery names stages, "from": "review", not deadline kinds: the quoted kinds are left out)
    plain = [m for m in world.hidden if not m.startswith('"')]
    assert leaks(" ".join(d.body for d in deliveries), plain) == []


def test_item6_the_timeline_shows_hrss1_the_joint_action_it_took_part_in_and_lac1_not(
    users, api, world
):
    kinds = {
        name: {e["kind"] for e in api(name).get(f"/api/v1/cases/{world.case.pk}/timeline").json()}
        for name in PARTNERS
    }

    assert "joint_action" in kinds["hrss1"] and "joint_action" not in kinds["lac1"]
    # each sees the steps of its own transfer only
    assert "transfer_receive" in kinds["hrss1"] and "transfer_accept" in kinds["lac1"]
    assert "transfer_answer" not in kinds["hrss1"] | kinds["lac1"]  # the criminal department's


# --- (b) the case's own officer still sees everything -------------------------------------------
def test_item6_the_cases_own_officer_sees_every_internal_record(users, web, api, world):
    r = web("civil1").get(f"/cases/{world.case.pk}/")
    body = api("civil1").get(f"/api/v1/cases/{world.case.pk}").json()
    timeline = api("civil1").get(f"/api/v1/cases/{world.case.pk}/timeline").json()
    text = r.content.decode() + json.dumps([body, timeline], ensure_ascii=False)
    hidden_deadlines = CaseDeadline.objects.filter(case=world.case).exclude(
        kind__in=partner_view.partner_deadline_kinds()
    )
    # what the case page and the case's API answers hold (the rest is on the records' own pages)
    markers = [
        world.internal.number,
        "刑事检察部",
        "分级调整内部理由戊",
        "支持起诉内部审查意见己",
        "科长审批意见庚",
        "阶段变更内部理由辛",
        "调解内部笔记壬",
        "庭审内部笔记癸",
        "回访内部发现子",
        "回访遗留问题丑",
        world.suggestion.number,
        *[d.number for d in world.documents],
        world.own["hrss1"].number,
        world.own["lac1"].number,
        "联合约谈结果未",
        "JA-6",
        "TL-9",
        *{d.label for d in hidden_deadlines},
    ]

    assert leaks(text, markers) == markers
    assert {d["kind"] for d in body["deadlines"]} >= {"assistance_decision", "suggestion_reply"}
    assert {"support_proposed", "level_set", "transfer_answer", "document_issued"} <= {
        e["kind"] for e in timeline
    }
    sections = {s["key"] for s in r.context["extra_sections"]}
    assert {"assistance", "suggestions", "documents", "transfers"} <= sections
    client = api("civil1")
    for path in (
        f"/api/v1/transfers/{world.internal.pk}",
        f"/api/v1/assistance/{world.assistance.pk}",
        f"/api/v1/suggestions/{world.suggestion.pk}",
    ):
        assert client.get(path).status_code == 200, path


# --- (c) the allow-list: whatever is not declared for partners is hidden -------------------------
FUTURE = "a_record_kind_added_later"


def test_item6_every_event_and_deadline_kind_outside_the_allow_list_is_hidden(users, api):
    case = wage_case(users, consent=True, seq="42")  # hrss1 referred it with consent
    today = timezone.localdate()
    known = set(partner_view.partner_event_kinds()) | {
        "support_proposed",
        "approval_decided",
        "level_set",
        "facts",
        "share_revoked",
        "visit_planned",
        "visit_done",
        "document_issued",
        "assistance_received",
        "assistance_decided",
        "legal_aid_assigned",
        "suggestion_served",
        FUTURE,
    }
    TimelineEvent.objects.bulk_create(
        TimelineEvent(case=case, kind=kind, summary="", data={}) for kind in sorted(known)
    )
    deadline_kinds = set(partner_view.partner_deadline_kinds()) | {
        "review",
        "visit",
        "assistance_decision",
        "assistance_notification",
        "suggestion_reply",
        FUTURE,
    }
    CaseDeadline.objects.filter(case=case).delete()
    CaseDeadline.objects.bulk_create(
        CaseDeadline(case=case, kind=kind, key=kind, label=kind, due=today, rule="X")
        for kind in sorted(deadline_kinds)
    )

    partner_events = {
        e["kind"] for e in api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    }
    staff_events = {
        e["kind"] for e in api("civil1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    }
    partner_deadlines = {
        d["kind"] for d in api("hrss1").get(f"/api/v1/cases/{case.pk}").json()["deadlines"]
    }
    staff_deadlines = {
        d["kind"] for d in api("civil1").get(f"/api/v1/cases/{case.pk}").json()["deadlines"]
    }

    # events about a record (a transfer, a joint action) show only for its sides: none here
    assert partner_events == partner_view.MILESTONE_EVENTS
    assert staff_events >= known
    assert partner_deadlines == partner_view.partner_deadline_kinds()
    assert staff_deadlines == deadline_kinds
    assert not {"assistance_decision", "suggestion_reply"} & partner_view.partner_deadline_kinds()


def test_item6_a_deadline_source_declares_its_partner_kinds_among_its_own(users):
    with pytest.raises(ValueError):
        register_deadline_source(
            lambda case, cal, today: [], kinds={"x"}, labels={"x": "X"}, partner_kinds={"y"}
        )
    with pytest.raises(ValueError):  # every kind names its label (issue 13, item 6)
        register_deadline_source(lambda case, cal, today: [], kinds={"x"}, labels={})
    assert "x" not in partner_view.partner_deadline_kinds()


def test_item6_a_page_section_added_later_is_hidden_from_partners_until_declared(users, web):
    case = wage_case(users, consent=True, seq="43")

    def context(request, obj):
        return {"actions": []}

    page_sections.register(
        "case",
        page_sections.Section(
            key="later", title="later", template="employers/_case_section.html", context=context
        ),
    )
    try:
        partner = [
            s["key"] for s in web("hrss1").get(f"/cases/{case.pk}/").context["extra_sections"]
        ]
        staff = [
            s["key"] for s in web("civil1").get(f"/cases/{case.pk}/").context["extra_sections"]
        ]
    finally:
        page_sections._registry["case"].pop("later")

    assert "later" in staff and "later" not in partner
    assert "transfers" in partner  # declared for partners: narrowed to its own transfers


def test_item6_closing_note_and_stage_reasons_stay_internal_on_the_timeline(users, api, web):
    case = wage_case(users, consent=True, seq="44")
    move_stage(
        case_id=case.pk,
        to="pre_litigation",
        reason="移入诉前内部理由",
        version=case.version,
        actor=users["civil1"],
    )
    case.refresh_from_db()
    disposal.close_case(
        case_id=case.pk,
        actor=users["civil1"],
        data={"outcome": "withdrawn", "note": "结案内部备注"},
        version=case.version,
    )

    partner = api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    page = web("hrss1").get(f"/cases/{case.pk}/").content.decode()
    staff = json.dumps(
        api("civil1").get(f"/api/v1/cases/{case.pk}/timeline").json(), ensure_ascii=False
    )

    assert {"stage_changed", "case_closed"} <= {e["kind"] for e in partner}
    text = json.dumps(partner, ensure_ascii=False) + page
    assert leaks(text, ["移入诉前内部理由", "结案内部备注"]) == []
    assert "移入诉前内部理由" in staff and "结案内部备注" in staff
