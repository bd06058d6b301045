"""Transfers (C7) and sharing (C8): states, the consent gate, access that follows the transfer
(rule R3), deadlines (rule TL-1), reminders and the criminal-lead check (rules CR-1 … CR-8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.transfers.conftest import send, wage_case
from zhichi.accounts.models import Notification
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case, CaseShare, ShareBasis
from zhichi.cases.services import facts
from zhichi.cases.services.reminders import send_reminders
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.intake.models import Lead, LeadStatus
from zhichi.transfers import services
from zhichi.transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CRIMINAL = {"to_org": "WHPROC", "to_department": "criminal", "kind": "criminal_lead"}
HRSS = {"to_org": "WHHRSS", "kind": "labour_inspection"}


def fields(exc: InvalidInput) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def visible(user, case) -> bool:
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


# --- sending ------------------------------------------------------------------------------------
def test_send_transfer_numbers_it_and_sets_both_deadlines(users):
    case = wage_case(users, consent=True, seq="31")

    t = send(users, case, **CRIMINAL)

    year = timezone.localdate().year
    assert t.number == f"五华检移〔{year}〕1号"
    assert (t.status, t.from_org.code, t.from_department.code) == ("sent", "WHPROC", "civil")
    assert (t.to_org.code, t.to_department.code, t.basis) == ("WHPROC", "criminal", "internal")
    today = timezone.localdate()
    assert today + timedelta(days=7) <= t.receipt_due <= today + timedelta(days=7 + 9)
    assert today + timedelta(days=30) <= t.feedback_due <= today + timedelta(days=30 + 9)
    assert list(t.events.values_list("action", flat=True)) == ["send"]
    assert case.timeline.filter(kind="transfer_send").count() == 1
    assert AuditEntry.objects.filter(action="transfer.send", outcome="ok").count() == 1


def test_second_transfer_gets_the_next_number(users):
    case = wage_case(users, consent=True, seq="32")
    first = send(users, case, **CRIMINAL)
    second = send(users, case, **HRSS)

    assert second.number.replace("2号", "") == first.number.replace("1号", "")


def test_receipt_deadline_rolls_past_the_national_day_holiday(users, monkeypatch):
    # rule TL-1: 2026-09-30 + 7 days = 10-07, the last day of the 10-01…10-07 holiday → 10-08
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 9, 30))
    case = wage_case(users, consent=True, seq="33")

    t = send(users, case, **CRIMINAL)

    assert t.receipt_due == date(2026, 10, 8)


def test_a_given_answer_date_is_kept(users):
    case = wage_case(users, consent=True, seq="34")
    due = timezone.localdate() + timedelta(days=10)

    t = send(users, case, **CRIMINAL, feedback_due_on=due.isoformat())

    assert t.feedback_due == due


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"to_org": "NOPE", "kind": "other"}, {"to_org": "unknown"}),
        ({"to_org": "WHPROC", "kind": "criminal_lead"}, {"to_department": "required"}),
        # API.md § Transfers: never to one's own department (issue 13 item 5)
        (
            {"to_org": "WHPROC", "to_department": "civil", "kind": "other"},
            {"to_department": "own_department"},
        ),
        ({"to_org": "WHWF", "kind": "legal_aid"}, {"to_org": "wrong_kind"}),
        ({"to_org": "WHHRSS", "kind": "nonsense"}, {"kind": "choice"}),
        (
            {**CRIMINAL, "feedback_due_on": "2020-01-01"},
            {"feedback_due_on": "past"},
        ),
        ({**CRIMINAL, "feedback_due_on": "2026/12/01"}, {"feedback_due_on": "date"}),
        ({**CRIMINAL, "reason": ""}, {"reason": "required"}),
    ],
)
def test_bad_transfers_are_refused_at_the_field_and_change_nothing(users, data, errors):
    case = wage_case(users, consent=True, seq="35")

    with pytest.raises(InvalidInput) as exc:
        services.send_transfer(
            actor=users["civil1"], data={"reason": "理由", **data}, case_id=case.pk
        )

    assert {k: v for k, v in fields(exc.value).items() if k in errors} == errors
    assert Transfer.objects.count() == 0
    assert CaseShare.objects.count() == 0


def test_an_open_transfer_to_the_same_receiver_is_not_sent_twice(users):
    case = wage_case(users, consent=True, seq="36")
    send(users, case, **CRIMINAL)

    with pytest.raises(InvalidInput) as exc:
        send(users, case, **CRIMINAL)

    assert fields(exc.value) == {"to_org": "duplicate"}


@pytest.mark.parametrize("user", ["civil2", "criminal1", "registrar1", "hrss1", "sysadmin"])
def test_only_the_officer_or_head_sends_a_case(users, user):
    case = wage_case(users, consent=True, seq="37")

    with pytest.raises(NotPermitted):
        services.send_transfer(actor=users[user], data={"reason": "x", **CRIMINAL}, case_id=case.pk)

    assert Transfer.objects.count() == 0
    assert AuditEntry.objects.filter(action="transfer.send", outcome="denied").count() == 1


# --- the consent gate (C8) ----------------------------------------------------------------------
def test_sharing_with_another_agency_without_consent_needs_a_legal_basis(users):
    case = wage_case(users, consent=False, seq="41")

    with pytest.raises(InvalidInput) as exc:
        send(users, case, **HRSS)

    assert fields(exc.value) == {"legal_basis": "consent_required"}
    assert not visible(users["hrss1"], case)


def test_a_recorded_legal_basis_opens_the_share(users):
    case = wage_case(users, consent=False, seq="42")

    t = send(users, case, **HRSS, legal_basis="《劳动保障监察条例》第十一条")

    assert (t.basis, t.legal_basis) == ("legal_basis", "《劳动保障监察条例》第十一条")
    share = CaseShare.objects.get(case=case)
    assert (share.basis, share.organisation.code, share.active) == ("legal_basis", "WHHRSS", True)
    assert visible(users["hrss1"], case)
    assert not visible(users["wf1"], case)


def test_within_the_procuratorate_no_consent_is_needed(users):
    case = wage_case(users, consent=False, seq="43")

    t = send(users, case, **CRIMINAL)

    assert t.basis == ShareBasis.INTERNAL
    assert visible(users["criminal1"], case)
    assert not visible(users["hrss1"], case)  # referred without consent


def test_consent_opens_the_share_without_a_basis(users):
    case = wage_case(users, consent=True, seq="44")

    t = send(users, case, to_org="WHLAC", kind="legal_aid")

    assert t.basis == ShareBasis.CONSENT
    assert visible(users["lac1"], case)


# --- the life of a transfer ---------------------------------------------------------------------
def test_life_sent_received_accepted_answered_closed(users):
    case = wage_case(users, consent=True, seq="51")
    t = send(users, case, **CRIMINAL)

    services.receive_transfer(transfer_id=t.pk, actor=users["criminal1"])
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])
    services.answer_transfer(
        transfer_id=t.pk,
        actor=users["criminal1"],
        data={"text": "已移送公安机关立案侦查", "result": "filed"},
    )
    assert visible(users["criminal1"], case)
    services.close_transfer(transfer_id=t.pk, actor=users["civil1"], data={"note": "已收到"})

    t.refresh_from_db()
    assert t.status == TransferStatus.CLOSED
    assert list(t.events.values_list("action", flat=True)) == [
        "send",
        "receive",
        "accept",
        "answer",
        "close",
    ]
    assert (t.feedback_result, t.feedback_text) == ("filed", "已移送公安机关立案侦查")
    assert t.version == 5
    # rule R3: the share ended with the transfer
    assert not visible(users["criminal1"], case)
    kinds = list(case.timeline.filter(kind__startswith="transfer_").values_list("kind", flat=True))
    assert kinds == [
        "transfer_send",
        "transfer_receive",
        "transfer_accept",
        "transfer_answer",
        "transfer_close",
    ]


def test_rejecting_ends_the_receivers_access_at_once(users, api):
    case = wage_case(users, consent=False, seq="52")
    t = send(users, case, **HRSS, legal_basis="劳动保障监察条例")
    assert api("hrss1").get(f"/api/v1/cases/{case.pk}").status_code == 200

    services.reject_transfer(
        transfer_id=t.pk, actor=users["hrss1"], data={"reason": "不属于本局管辖"}
    )

    # rule R3: refused on the next request, page and API alike
    assert api("hrss1").get(f"/api/v1/cases/{case.pk}").status_code == 404
    # the transfer itself stays visible to both sides, so the status is known
    assert api("hrss1").get(f"/api/v1/transfers/{t.pk}").json()["status"] == "rejected"
    assert (
        api("civil1").get(f"/api/v1/transfers/{t.pk}").json()["reject_reason"] == "不属于本局管辖"
    )


def test_revoking_a_share_ends_access_on_the_next_request(users, web):
    case = wage_case(users, consent=False, seq="53")  # so the referral itself shows nothing
    send(users, case, **HRSS, legal_basis="劳动保障监察条例")
    share = CaseShare.objects.get(case=case)
    client = web("hrss1")
    assert client.get(f"/cases/{case.pk}/").status_code == 200

    facts.revoke_share(share_id=share.pk, actor=users["civil1"], reason="协作结束")

    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.timeline.filter(kind="share_revoked").count() == 1


def test_withdrawn_consent_ends_the_shares_that_rest_on_it(users):
    case = wage_case(users, consent=True, seq="54")
    send(users, case, **HRSS)  # on consent
    send(users, case, to_org="WHLAC", kind="legal_aid")  # on consent
    send(users, case, **CRIMINAL)  # internal
    assert visible(users["hrss1"], case) and visible(users["lac1"], case)
    case.refresh_from_db()

    facts.update_case_facts(
        case_id=case.pk,
        actor=users["civil1"],
        data={"labour_relationship": "employee", "consent_to_share": False},
        version=case.version,
    )

    assert not visible(users["hrss1"], case)
    assert not visible(users["lac1"], case)
    assert visible(users["criminal1"], case)  # within the procuratorate no consent is needed


def test_a_referring_partner_loses_sight_when_consent_is_withdrawn(users):
    case = wage_case(users, consent=True, seq="55")
    assert visible(users["hrss1"], case)  # referred with consent
    case.refresh_from_db()

    facts.update_case_facts(
        case_id=case.pk,
        actor=users["civil1"],
        data={"labour_relationship": "employee", "consent_to_share": False},
        version=case.version,
    )

    assert not visible(users["hrss1"], case)


@pytest.mark.parametrize(
    ("steps", "action", "status"),
    [
        ([], "answer", "sent"),
        ([], "close", "sent"),
        (["accept"], "accept", "accepted"),
        (["accept"], "reject", "accepted"),
        (["reject"], "accept", "rejected"),
        (["accept", "answer"], "answer", "answered"),
    ],
)
def test_a_step_out_of_order_is_refused(users, steps, action, status):
    case = wage_case(users, consent=True, seq="56")
    t = send(users, case, **CRIMINAL)
    calls = {
        "accept": lambda: services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"]),
        "reject": lambda: services.reject_transfer(
            transfer_id=t.pk, actor=users["criminal1"], data={"reason": "否"}
        ),
        "answer": lambda: services.answer_transfer(
            transfer_id=t.pk, actor=users["criminal1"], data={"text": "答复", "result": "other"}
        ),
        "close": lambda: services.close_transfer(transfer_id=t.pk, actor=users["civil1"]),
    }
    for step in steps:
        calls[step]()
    t.refresh_from_db()
    version = t.version

    with pytest.raises(InvalidInput) as exc:
        calls[action]()

    assert fields(exc.value) == {"status": "state"}
    t.refresh_from_db()
    assert (t.status, t.version) == (status, version)


def test_the_sender_cannot_accept_and_the_receiver_cannot_close(users):
    case = wage_case(users, consent=True, seq="57")
    t = send(users, case, **CRIMINAL)

    with pytest.raises(NotPermitted):
        services.accept_transfer(transfer_id=t.pk, actor=users["civil1"])
    services.reject_transfer(transfer_id=t.pk, actor=users["criminal1"], data={"reason": "否"})
    with pytest.raises(NotPermitted):
        services.close_transfer(transfer_id=t.pk, actor=users["criminal1"])


def test_reject_and_answer_need_their_text(users):
    case = wage_case(users, consent=True, seq="58")
    t = send(users, case, **CRIMINAL)

    with pytest.raises(InvalidInput) as exc:
        services.reject_transfer(transfer_id=t.pk, actor=users["criminal1"], data={"reason": " "})
    assert fields(exc.value) == {"reason": "required"}
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])
    with pytest.raises(InvalidInput) as exc:
        services.answer_transfer(
            transfer_id=t.pk, actor=users["criminal1"], data={"text": "", "result": ""}
        )
    assert fields(exc.value) == {"text": "required", "result": "required"}


def test_the_receivers_and_then_the_sender_are_notified(users):
    case = wage_case(users, consent=True, seq="59")
    t = send(users, case, **CRIMINAL)

    assert Notification.objects.filter(user=users["criminal1"], url=f"/transfers/{t.pk}/").exists()
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])
    assert Notification.objects.filter(user=users["civil1"], url=f"/transfers/{t.pk}/").count() == 1


# --- leads ---------------------------------------------------------------------------------------
def test_a_lead_moved_within_the_procuratorate_goes_to_the_receiving_departments_intake(users):
    lead = Lead.objects.create(
        organisation=users["civil1"].organisation,
        department=users["criminal1"].department,
        source="internal",
        received_on=timezone.localdate(),
        category="personal_injury",
        summary="刑事案件被害人需要民事支持",
        created_by=users["criminal1"],
    )
    assert not Lead.objects.visible_to(users["civil1"]).filter(pk=lead.pk).exists()

    t = services.send_transfer(
        actor=users["criminal1"],
        data={
            "to_org": "WHPROC",
            "to_department": "civil",
            "kind": "civil_support",
            "reason": "被害人需民事支持",
        },
        lead_id=lead.pk,
    )
    assert Lead.objects.visible_to(users["civil1"]).filter(pk=lead.pk).exists()  # shared while open
    services.accept_transfer(transfer_id=t.pk, actor=users["civil1"])

    lead.refresh_from_db()
    assert (lead.department.code, lead.status) == ("civil", LeadStatus.NEW)
    assert Lead.objects.visible_to(users["civil2"]).filter(pk=lead.pk).exists()


def test_a_lead_taken_on_by_another_agency_is_marked_transferred(users, payload):
    from zhichi.intake import services as intake_services
    from zhichi.intake.validation import validate_lead

    lead = intake_services.create_lead(actor=users["civil1"], data=validate_lead(payload()))
    t = services.send_transfer(
        actor=users["civil1"],
        data={"to_org": "WHLAC", "kind": "legal_aid", "reason": "需指派律师"},
        lead_id=lead.pk,
    )
    assert Lead.objects.visible_to(users["lac1"]).filter(pk=lead.pk).exists()

    services.accept_transfer(transfer_id=t.pk, actor=users["lac1"])

    lead.refresh_from_db()
    assert lead.status == LeadStatus.TRANSFERRED


# --- reminders ----------------------------------------------------------------------------------
def test_overdue_receipt_reminds_the_receivers_and_tells_the_sender_once(users):
    case = wage_case(users, consent=True, seq="61")
    t = send(users, case, **CRIMINAL)
    later = t.receipt_due + timedelta(days=1)
    Notification.objects.all().delete()

    send_reminders(today=later)
    send_reminders(today=later)  # a second run sends nothing twice

    texts = list(
        Notification.objects.filter(kind="transfer_overdue").values_list(
            "user__username", flat=True
        )
    )
    assert sorted(texts) == ["civil1", "criminal1"]


def test_an_answer_due_soon_is_a_reminder_not_an_escalation(users):
    case = wage_case(users, consent=True, seq="62")
    t = send(users, case, **CRIMINAL)
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])

    run = send_reminders(today=t.feedback_due - timedelta(days=1))

    assert Notification.objects.filter(kind="transfer_due", user=users["criminal1"]).count() == 1
    assert run.escalated == 0


# --- the criminal-lead check (C7) ----------------------------------------------------------------
def test_the_check_runs_when_the_facts_change_and_offers_the_right_step(users, monkeypatch):
    # 12 workers owed ¥25,000 each for 4 months: above every province's collective figure
    case = wage_case(users, consent=True, seq="71", workers=12)
    case.refresh_from_db()
    assert case.criminal_check["verdict"] == "order_first"  # no order to pay yet (rule CR-5)
    assert "criminal_lead_candidate" in case.flags

    issued = timezone.localdate() - timedelta(days=40)
    facts.update_case_facts(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "labour_relationship": "employee",
            "consent_to_share": True,
            "payment_order": {
                "authority": "五华区人力资源和社会保障局",
                "issued_on": issued.isoformat(),
                "deadline": (issued + timedelta(days=10)).isoformat(),
            },
        },
        version=case.version,
    )

    case.refresh_from_db()
    assert case.criminal_check["verdict"] in {"transfer", "depends_on_province_config"}
    assert {r["rule"] for r in case.criminal_check["reasons"]} >= {"CR-5"}
    assert case.timeline.filter(kind="facts").count() == 1


def test_the_transfer_keeps_the_check_it_was_sent_on(users):
    case = wage_case(users, consent=True, seq="72", workers=12)
    case.refresh_from_db()

    t = send(users, case, **HRSS)

    assert t.criminal_check["verdict"] == case.criminal_check["verdict"] == "order_first"


# --- webhooks (C16) -----------------------------------------------------------------------------
def test_each_step_is_published_to_both_sides_subscriptions(users):
    from zhichi.webhooks.models import WebhookDelivery
    from zhichi.webhooks.services import create_subscription

    for who in ("hrss1", "chief"):
        create_subscription(
            actor=users[who],
            data={
                # a public address: registration refuses local ones (issue 12 item 4); the test
                # looks at the deliveries made, nothing is sent
                "url": "https://93.184.215.14/hook",
                "events": ["transfer.sent", "transfer.rejected", "case.stage_changed"],
            },
        )
    case = wage_case(users, consent=True, seq="81")
    t = send(users, case, **HRSS)
    services.reject_transfer(transfer_id=t.pk, actor=users["hrss1"], data={"reason": "不属于本局"})

    rows = list(
        WebhookDelivery.objects.order_by("id").values_list(
            "subscription__organisation__code", "event", "payload"
        )
    )
    assert sorted((event, org) for org, event, _p in rows) == [
        ("transfer.rejected", "WHHRSS"),
        ("transfer.rejected", "WHPROC"),
        ("transfer.sent", "WHHRSS"),
        ("transfer.sent", "WHPROC"),
    ]
    payload = rows[-1][2]
    assert (payload["transfer_id"], payload["status"], payload["to_org"]) == (
        t.pk,
        "rejected",
        "WHHRSS",
    )
    # ids, numbers and states only: never a name or an identifier
    assert "工人" not in str(rows) and "某建筑" not in str(rows)


# --- the evidence package -----------------------------------------------------------------------
def test_the_package_travels_with_the_transfer_and_ends_with_it(users, api):
    from tests.transfers.conftest import upload
    from zhichi.audit.models import AuditEntry as Audit

    case = wage_case(users, consent=False, seq="82")
    a = upload(users["civil1"], case)
    t = send(users, case, **HRSS, legal_basis="劳动保障监察条例", evidence=[a.pk])
    url = f"/api/v1/transfers/{t.pk}/evidence/{a.pk}/download"

    r = api("hrss1").get(url)
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert Audit.objects.filter(action="attachment.download", outcome="ok").count() == 1
    # not through the attachment's own URL: a partner sees only its own uploads there
    assert api("hrss1").get(f"/api/v1/attachments/{a.pk}/download").status_code == 404

    services.reject_transfer(transfer_id=t.pk, actor=users["hrss1"], data={"reason": "否"})

    assert api("hrss1").get(url).status_code == 403  # rule R3
    assert api("civil1").get(url).status_code == 200


def test_only_the_subjects_own_attachments_go_in_the_package(users):
    from tests.transfers.conftest import upload

    case = wage_case(users, consent=True, seq="83")
    other = wage_case(users, consent=True, seq="84")
    foreign = upload(users["civil1"], other)

    # an id that is no id is the input's own refusal (TransferIn); then the package is judged
    with pytest.raises(InvalidInput) as exc:
        send(users, case, **HRSS, evidence=[foreign.pk, "x"])
    assert fields(exc.value) == {"evidence.1": "type"}
    with pytest.raises(InvalidInput) as exc:
        send(users, case, **HRSS, evidence=[foreign.pk])

    assert fields(exc.value) == {"evidence.0": "unknown"}
    assert Transfer.objects.count() == 0


@pytest.mark.parametrize(
    "user",
    [
        "civil1",
        "civilhead",
        "criminal1",
        "chief",
        "registrar1",
        "hrss1",
        "wf1",
        "sysadmin",
        "secadmin",
        "auditor",
        "outsider",
    ],
)
def test_the_navigation_flags_agree_with_the_scopes(users, user):
    from zhichi.cases.models import CaseShare
    from zhichi.cases.scope import case_scope, may_see_cases, may_see_leads
    from zhichi.intake.models import lead_scope

    u = users[user]
    assert may_see_cases(u) == (case_scope(u, CaseShare) is not None)
    assert may_see_leads(u) == (lead_scope(u) is not None)
