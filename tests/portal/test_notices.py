"""The person who applied through the portal is told of each step that concerns them (issue 18
item 6): a notice made once per step by the real services, on the status page always and by text
message where they agreed and a backend is configured."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.conftest import lead_payload
from tests.portal.factories import PHONE, make_filing
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import CaseParty, PartyRole
from zhichi.cases.services import add_event, appointments, approvals, disposal, payments
from zhichi.intake import services as intake
from zhichi.parties.models import Party, PartyKind
from zhichi.portal import messaging, notices, tasks, wording
from zhichi.portal.models import Notice, NoticeKind, SmsStatus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


class FailingBackend:
    """A gateway that refuses every text with a code."""

    def send(self, *, phone: str, text: str) -> None:
        raise messaging.SendFailed("quota")


class BrokenBackend:
    """A gateway whose client breaks with an error that quotes the phone."""

    def send(self, *, phone: str, text: str) -> None:
        raise RuntimeError(f"connection to gateway lost while sending to {phone}")


@pytest.fixture(autouse=True)
def outbox():
    messaging.outbox.clear()
    yield messaging.outbox
    messaging.outbox.clear()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(service, **kwargs): call a service and run what it queued after its commit (the
    text messages)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def kinds(filing) -> list[str]:
    return list(filing.notices.order_by("created_at", "id").values_list("kind", flat=True))


def claimant_party_id(case) -> int:
    return case.parties.filter(role=PartyRole.CLAIMANT).order_by("position").first().party_id


def approve_support(run, users, case, decision: str = "support"):
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=users["civil1"],
        data={"decision": decision, "reasons": "符合支持起诉条件"},
    )
    run(
        approvals.decide_approval,
        approval_id=approval.pk,
        actor=users["civilhead"],
        approve=True,
    )


def pay(run, users, case, amount: str, paid_on: str = "2026-11-19"):
    return run(
        disposal.record_payment,
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "claimant_party_id": claimant_party_id(case),
            "paid_on": paid_on,
            "amount": amount,
            "payer": "某公司",
        },
    )


def test_accepting_tells_the_person_once_by_notice_and_text(orgs, users, run, outbox):
    filing = make_filing(orgs)

    run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    notice = filing.notices.get()
    assert (notice.kind, notice.source_key) == (
        NoticeKind.ACCEPTED,
        f"lead:{filing.lead_id}:accepted",
    )
    assert (notice.sms_status, notice.sms_attempts, notice.sms_error) == (SmsStatus.SENT, 1, "")
    assert notice.sms_sent_at is not None
    assert [phone for phone, _text in outbox] == [PHONE]
    text = outbox[0][1]
    assert text.startswith("【五华检】")
    assert text.endswith(wording.STATUS_PATH)


def test_declining_tells_where_to_turn_and_never_the_officers_reason(orgs, users, run, outbox):
    filing = make_filing(orgs)

    run(
        intake.decline_lead,
        lead_id=filing.lead_id,
        actor=users["civil1"],
        data={"reason": "internal secret", "redirect": "legal_aid"},
    )

    notice = filing.notices.get()
    assert (notice.kind, notice.data) == (NoticeKind.DECLINED, {"redirect": "legal_aid"})
    text = outbox[0][1]
    assert "12348" in text
    assert "internal secret" not in text
    with translation.override("en"):
        words = wording.describe(notice)
    assert words.title == "We cannot take this on"
    assert words.body == ("We cannot take this on. Legal aid can help you for free: call 12348.")


def test_each_step_of_the_case_is_told_exactly_once(orgs, users, run, outbox):
    filing = make_filing(orgs, labour_relationship="contractor_crew")
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    run(
        disposal.record_mediation,
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-11-02",
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "6000.00",
            "note": "mediation secret note",
        },
    )
    approve_support(run, users, case)
    pay(run, users, case, "3000.00")
    wrong = pay(run, users, case, "1000.00", paid_on="2026-11-20")
    run(
        payments.reverse_payment,
        payment_id=wrong.pk,
        actor=users["civil1"],
        data={"reason": "entered twice"},
    )
    run(
        disposal.close_case,
        case_id=case.pk,
        actor=users["civil1"],
        data={"outcome": "partly_recovered", "note": "closing secret note"},
    )

    assert kinds(filing) == [
        NoticeKind.ACCEPTED,
        NoticeKind.MEDIATION,
        NoticeKind.SUPPORT_DECIDED,
        NoticeKind.MONEY,
        NoticeKind.MONEY,
        NoticeKind.CLOSED,
    ]
    by_kind = {n.kind: n for n in filing.notices.all()}
    assert by_kind[NoticeKind.MEDIATION].data == {
        "status": "held",
        "outcome": "agreement",
        "session": "mediation",
        "held_on": "2026-11-02",
    }
    money = list(filing.notices.filter(kind=NoticeKind.MONEY).values_list("data", flat=True))
    assert money == [
        {"amount": "3000.00", "paid_on": "2026-11-19"},
        {"amount": "1000.00", "paid_on": "2026-11-20"},
    ]
    assert by_kind[NoticeKind.CLOSED].data == {"outcome": "partly_recovered"}
    assert len(outbox) == 6
    assert all("secret" not in text for _phone, text in outbox)
    assert set(filing.notices.values_list("sms_status", flat=True)) == {SmsStatus.SENT}


def test_a_reversal_tells_nothing(orgs, users, run):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    payment = pay(run, users, case, "500.00")
    before = filing.notices.count()

    run(
        payments.reverse_payment,
        payment_id=payment.pk,
        actor=users["civil1"],
        data={"reason": "wrong claimant"},
    )

    assert filing.notices.count() == before


def test_a_proposal_or_a_rejected_decision_tells_nothing_an_approved_not_support_does(
    orgs, users, run
):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "理由"}
    )
    assert kinds(filing) == [NoticeKind.ACCEPTED]
    run(
        approvals.decide_approval,
        approval_id=approval.pk,
        actor=users["civilhead"],
        approve=False,
        reason="材料不足",
    )
    assert kinds(filing) == [NoticeKind.ACCEPTED]

    approve_support(run, users, case, decision="not_support")

    assert kinds(filing) == [NoticeKind.ACCEPTED, NoticeKind.NOT_SUPPORTED]


def test_a_case_without_a_portal_filing_gets_no_notice_for_one_query(users, run):
    lead = intake.create_lead(actor=users["civil1"], data=lead_payload())
    case = run(intake.accept_lead, lead_id=lead.pk, actor=users["civil1"])
    pay(run, users, case, "100.00")
    run(disposal.close_case, case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})
    assert Notice.objects.count() == 0

    with CaptureQueriesContext(connection) as told_kind:
        add_event(case, kind="payment", actor=None, data={"payment": 0})
    with CaptureQueriesContext(connection) as other_kind:
        add_event(case, kind="visit_planned", actor=None, data={})

    assert (len(told_kind), len(other_kind)) == (2, 1)  # the insert, and one look for a filing


def test_no_text_without_consent_or_without_a_backend(orgs, users, run, outbox, settings):
    silent = make_filing(orgs, consent_sms=False)
    run(intake.accept_lead, lead_id=silent.lead_id, actor=users["civil1"])
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": ""}
    unconfigured = make_filing(orgs, seq="732", phone="13700001234")
    run(intake.accept_lead, lead_id=unconfigured.lead_id, actor=users["civil1"])

    assert silent.notices.get().sms_status == SmsStatus.NOT_SENT
    assert unconfigured.notices.get().sms_status == SmsStatus.NOT_SENT
    assert outbox == []


def test_a_refused_text_is_recorded_failed_with_its_code(orgs, users, run, settings):
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": f"{__name__}.FailingBackend"}
    filing = make_filing(orgs)

    run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    notice = filing.notices.get()
    assert (notice.sms_status, notice.sms_error, notice.sms_attempts) == (
        SmsStatus.FAILED,
        "quota",
        1,
    )
    assert notice.sms_sent_at is None


def test_a_broken_gateway_fails_the_text_without_raising_or_logging_the_phone(
    orgs, users, run, settings, caplog
):
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": f"{__name__}.BrokenBackend"}
    filing = make_filing(orgs)

    with caplog.at_level(logging.INFO, logger="zhichi.portal.sms"):
        run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    notice = filing.notices.get()
    assert (notice.sms_status, notice.sms_error) == (SmsStatus.FAILED, tasks.GATEWAY_ERROR)
    assert PHONE not in caplog.text


def test_a_sent_notice_is_never_sent_again(orgs, users, run, outbox):
    filing = make_filing(orgs)
    run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    notice = filing.notices.get()

    assert tasks.deliver(notice_id=notice.pk) is None
    tasks.send_notice_sms.enqueue(notice_id=notice.pk)

    notice.refresh_from_db()
    assert (notice.sms_status, notice.sms_attempts, len(outbox)) == (SmsStatus.SENT, 1, 1)


def test_the_same_source_makes_one_notice(orgs):
    filing = make_filing(orgs)

    first = notices.notify(filing=filing, kind=NoticeKind.CLOSED, data={}, source_key="event:1")
    again = notices.notify(filing=filing, kind=NoticeKind.CLOSED, data={}, source_key="event:1")

    assert (first is not None, again) == (True, None)
    assert filing.notices.count() == 1


def test_the_text_is_in_the_language_the_person_applied_in(orgs, users, run, outbox):
    filing = make_filing(orgs, language="en")

    with translation.override("zh-hans"):  # the officer's language is not the person's
        run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    assert outbox[0][1] == (
        "【五华检】Your application was accepted. A prosecutor will look into it. To check "
        "progress, use your receipt code and your phone's last 4 digits at /portal/status/"
    )


def test_the_console_backend_logs_the_phone_masked(caplog):
    with caplog.at_level(logging.INFO, logger="zhichi.portal.sms"):
        messaging.ConsoleBackend().send(phone=PHONE, text="【支持】测试")

    assert caplog.messages == ["text to 139****5678: 【支持】测试"]


def test_money_paid_to_another_claimant_of_the_case_is_not_told(orgs, users, run, outbox):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    other = Party.objects.create(kind=PartyKind.PERSON, name="钱多多")
    CaseParty.objects.create(
        case=case, party=other, role=PartyRole.CLAIMANT, position=1, amount_claimed="5000.00"
    )

    run(
        disposal.record_payment,
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "claimant_party_id": other.pk,
            "paid_on": "2026-11-19",
            "amount": "800.00",
            "payer": "某公司",
        },
    )

    assert kinds(filing) == [NoticeKind.ACCEPTED]
    assert len(outbox) == 1


# --- mediation meetings ------------------------------------------------------------------------
MEETING_PLACE = "红山街道人民调解委员会（二楼）"


def set_meeting(run, users, case, on: str = "2026-12-10", at_time: str = "09:30"):
    return run(
        appointments.schedule_mediation,
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "on": on,
            "at_time": at_time,
            "place": MEETING_PLACE,
            "mediator_org": "mediator secret org",
        },
    )


def test_a_meeting_set_tells_the_day_the_time_and_the_place(orgs, users, run, outbox):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    set_meeting(run, users, case)

    notice = filing.notices.order_by("created_at", "id").last()
    assert (notice.kind, notice.data) == (
        NoticeKind.MEDIATION,
        {"status": "scheduled", "on": "2026-12-10", "at_time": "09:30", "place": MEETING_PLACE},
    )
    text = outbox[-1][1]
    assert "2026年12月10日 09:30" in text  # the date as the person reads it, in their language
    assert MEETING_PLACE in text
    assert "secret" not in text  # the mediator is not told
    with translation.override("en"):
        words = wording.describe(notice)
    assert (words.title, words.body) == (
        "Mediation meeting set",
        f"A mediation meeting is set for Dec. 10, 2026 09:30 at {MEETING_PLACE}. Please come, and "
        "bring your papers.",
    )


def test_a_meeting_without_a_time_names_the_day_only(orgs, users, run, outbox):
    filing = make_filing(orgs, language="en")
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])

    set_meeting(run, users, case, at_time="")

    assert filing.notices.last().data["at_time"] == ""
    assert outbox[-1][1] == (
        f"【五华检】A mediation meeting is set for Dec. 10, 2026 at {MEETING_PLACE}. Please come, "
        "and bring your papers. To check progress, use your receipt code and your phone's last 4 "
        "digits at /portal/status/"
    )


def test_a_cancelled_meeting_tells_a_new_date_will_follow_and_never_why(orgs, users, run, outbox):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    meeting = set_meeting(run, users, case)

    run(
        appointments.cancel_mediation_appointment,
        appointment_id=meeting.pk,
        actor=users["civil1"],
        data={"reason": "cancel secret reason"},
    )

    assert kinds(filing) == [NoticeKind.ACCEPTED, NoticeKind.MEDIATION, NoticeKind.MEDIATION]
    notice = filing.notices.order_by("created_at", "id").last()
    assert notice.data == {"status": "cancelled", "on": "2026-12-10", "at_time": "09:30"}
    text = outbox[-1][1]
    assert "2026年12月10日 09:30" in text
    assert "secret" not in text
    with translation.override("en"):
        words = wording.describe(notice)
    assert (words.title, words.body) == (
        "Mediation meeting cancelled",
        "The mediation meeting on Dec. 10, 2026 09:30 is cancelled. We will tell you the new date.",
    )


def test_the_meeting_held_is_told_as_held_after_it_was_set(orgs, users, run, fixed_clock):
    filing = make_filing(orgs)
    case = run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    set_meeting(run, users, case, on="2026-12-05")
    fixed_clock.move_to("2026-12-05T15:00+08:00")

    run(
        disposal.record_mediation,
        case_id=case.pk,
        actor=users["civil1"],
        data={"held_on": "2026-12-05", "mediator_org": "调委会", "outcome": "adjourned"},
    )

    statuses = [n.data.get("status") for n in filing.notices.order_by("created_at", "id")]
    assert statuses == [None, "scheduled", "held"]
    with translation.override("en"):
        held = wording.describe(filing.notices.order_by("created_at", "id").last())
    assert held.body == (
        "A meeting to settle it by talking (mediation) was held on Dec. 5, 2026. It will go on "
        "another day: we will tell you when to come."
    )


def test_a_notice_kept_before_mediation_statuses_reads_as_held(orgs):
    filing = make_filing(orgs)
    notice = notices.notify(
        filing=filing,
        kind=NoticeKind.MEDIATION,
        data={"outcome": "failed", "session": "mediation", "held_on": "2026-11-02"},
        source_key="event:1",
    )

    with translation.override("en"):
        words = wording.describe(notice)

    assert (words.title, words.body) == (
        "Mediation",
        "A meeting to settle it by talking (mediation) was held on Nov. 2, 2026. No agreement was "
        "reached: we will tell you what happens next.",
    )


def test_a_text_links_the_status_page_at_the_portals_public_address(
    orgs, users, run, outbox, settings
):
    settings.ZHICHI = {**settings.ZHICHI, "PORTAL_URL": "https://zhichi.example.gov.cn"}
    filing = make_filing(orgs)
    run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    assert outbox[-1][1].endswith("https://zhichi.example.gov.cn/portal/status/")


def test_a_text_not_sent_because_texts_are_off_is_not_audited_as_a_failure(
    orgs, users, run, settings
):
    filing = make_filing(orgs)
    run(intake.accept_lead, lead_id=filing.lead_id, actor=users["civil1"])
    notice = filing.notices.get(kind=NoticeKind.ACCEPTED)
    type(notice).objects.filter(pk=notice.pk).update(sms_status=SmsStatus.PENDING)
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": ""}
    tasks.deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.sms_status == SmsStatus.NOT_SENT
    entry = AuditEntry.objects.filter(action="portal.sms").latest("pk")
    assert (entry.outcome, entry.detail["status"]) == ("ok", SmsStatus.NOT_SENT)
