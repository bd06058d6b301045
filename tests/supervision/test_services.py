"""Procuratorial suggestions (C10): the whole life through the services, the chief procurator's
approval, the reply date (rule TL-9), reminders of an overdue reply and refused input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from tests.supervision.conftest import DRAFT, approve, draft, open_case, serve, served
from zhichi.accounts.models import Notification
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Approval, ApprovalKind, ApprovalStatus, CaseDeadline, DeadlineStatus
from zhichi.cases.services import disposal
from zhichi.cases.services.approvals import decide_approval
from zhichi.cases.services.reminders import send_reminders
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.rulebook import loaders
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion, SuggestionEscalation, SuggestionStatus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def fields(exc: InvalidInput) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def snapshot() -> tuple:
    return (
        sorted(Suggestion.objects.values_list("pk", "status", "version", "reply_due")),
        Approval.objects.count(),
        SuggestionEscalation.objects.count(),
    )


# --- rule TL-9: the reply date -------------------------------------------------------------------
def test_tl9_reply_due_two_months_after_receipt_on_a_working_day():
    result = services.statutory_reply_due(date(2026, 7, 31))

    assert (result.due, result.rolled_from, result.rule) == (date(2026, 9, 30), None, "TL-9")
    assert result.calendar_complete is True


@pytest.mark.parametrize(
    ("received", "unrolled", "due"),
    [
        # 2026 notice: National Day and the Mid-Autumn Festival, 1–7 October, work on Sat 10 Oct
        (date(2026, 8, 1), date(2026, 10, 1), date(2026, 10, 8)),
        (date(2026, 8, 3), date(2026, 10, 3), date(2026, 10, 8)),
        (date(2026, 8, 7), date(2026, 10, 7), date(2026, 10, 8)),
        # 25–27 September 2026 are official days off (Friday to Sunday)
        (date(2026, 7, 25), date(2026, 9, 25), date(2026, 9, 28)),
    ],
)
def test_tl9_reply_due_rolls_past_the_official_holidays_of_2026(received, unrolled, due):
    cal = loaders.holiday_calendar()
    assert 2026 in cal.years
    assert not cal.is_working_day(unrolled)

    result = services.statutory_reply_due(received, cal)

    assert (result.due, result.rolled_from) == (due, unrolled)
    assert cal.is_working_day(due)


def test_tl9_serving_sets_the_reply_due_from_receipt(users):
    case = open_case(users)
    s = approve(users, draft(users, case), approved_on=date(2026, 7, 20))

    s = serve(users, s, date(2026, 7, 30), received_on="2026-07-31")

    assert (s.status, s.served_on, s.received_on) == (
        "served",
        date(2026, 7, 30),
        date(2026, 7, 31),
    )
    assert (s.reply_due, s.reply_due_custom, s.calendar_complete) == (
        date(2026, 9, 30),
        False,
        True,
    )
    row = CaseDeadline.objects.get(case=case, key=f"suggestion:{s.pk}")
    assert (row.kind, row.due, row.rule) == ("suggestion_reply", date(2026, 9, 30), "TL-9")


def test_tl9_received_on_defaults_to_served_on(users):
    s = served(users, open_case(users), date(2026, 8, 3))

    assert (s.received_on, s.reply_due) == (date(2026, 8, 3), date(2026, 10, 8))


def test_tl9_custom_shorter_reply_date_is_accepted_for_an_urgent_matter(users):
    case = open_case(users)
    s = approve(users, draft(users, case))
    today = timezone.localdate()
    shorter = today + timedelta(days=10)

    s = serve(users, s, today, reply_due_on=shorter.isoformat())

    assert (s.reply_due, s.reply_due_custom) == (shorter, True)
    row = CaseDeadline.objects.get(case=case, key=f"suggestion:{s.pk}")
    assert (row.due, row.rule, row.status) == (shorter, "TL-9", DeadlineStatus.PENDING)


def test_tl9_custom_reply_date_longer_than_two_months_is_refused(users):
    s = approve(users, draft(users, open_case(users)))
    today = timezone.localdate()
    statutory = services.statutory_reply_due(today).due
    before = snapshot()

    with pytest.raises(InvalidInput) as exc:
        serve(users, s, today, reply_due_on=(statutory + timedelta(days=1)).isoformat())

    assert fields(exc.value) == {"reply_due_on": "too_late"}
    assert statutory.isoformat() in exc.value.errors[0].message
    assert snapshot() == before


def test_tl9_custom_reply_date_not_after_receipt_is_refused(users):
    s = approve(users, draft(users, open_case(users)))
    today = timezone.localdate()

    with pytest.raises(InvalidInput) as exc:
        serve(users, s, today, reply_due_on=today.isoformat())

    assert fields(exc.value) == {"reply_due_on": "too_early"}


def test_tl9_planned_service_gives_a_provisional_reply_due(users):
    planned = timezone.localdate() + timedelta(days=5)
    s = draft(users, open_case(users), served_on=planned.isoformat())

    due, provisional, _complete = services.reply_due_info(s)

    assert (due, provisional) == (services.statutory_reply_due(planned).due, True)
    assert services.reply_due_info(draft(users, s.case)) == (None, False, True)


# --- the whole life -----------------------------------------------------------------------------
def test_whole_life_draft_approve_number_serve_reply_close(users):
    case = open_case(users)
    year = timezone.localdate().year

    with translation.override("en"):
        s = draft(users, case)
    assert (s.status, s.number, s.organisation.code) == ("pending", "", "WHPROC")
    approval = s.approval
    assert (approval.kind, approval.required_role, approval.status) == (
        ApprovalKind.SUGGESTION,
        "chief",
        ApprovalStatus.PENDING,
    )
    assert approval.payload == {
        "suggestion": s.pk,
        "to_org_name": DRAFT["to_org_name"],
        "reasons": DRAFT["recommendations"],
        "url": f"/supervision/suggestions/{s.pk}/",
    }
    assert Notification.objects.filter(user=users["chief"], kind="approval").count() == 1

    s = approve(users, s)
    assert (s.status, s.number, s.approved_by) == (
        "approved",
        f"五华检民建〔{year}〕1号",
        users["chief"],
    )
    second = approve(users, draft(users, case))
    assert second.number == f"五华检民建〔{year}〕2号"

    today = timezone.localdate()
    s = serve(users, s, today, method="post")
    assert (s.status, s.method, s.reply_due) == (
        "served",
        "post",
        services.statutory_reply_due(today).due,
    )

    s = services.record_reply(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={
            "replied_on": today.isoformat(),
            "text": "已开展专项检查并整改。",
            "adoption": "adopted",
        },
    )
    assert (s.status, s.replied_on, s.adoption) == ("replied", today, "adopted")
    row = CaseDeadline.objects.get(case=case, key=f"suggestion:{s.pk}")
    assert (row.status, row.done_on) == (DeadlineStatus.DONE, today)

    s = services.close_suggestion(
        suggestion_id=s.pk, actor=users["civilhead"], data={"note": "已整改到位，归档。"}
    )
    assert (s.status, s.close_note, s.closed_by) == (
        "closed",
        "已整改到位，归档。",
        users["civilhead"],
    )
    kinds = list(
        case.timeline.filter(data__suggestion=s.pk)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "suggestion_drafted",
        "suggestion_approved",
        "suggestion_served",
        "suggestion_replied",
        "suggestion_closed",
    ]
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(s.pk), object_type="supervision.suggestion"
        ).values_list("action", flat=True)
    )
    assert actions == {
        "suggestion.draft",
        "suggestion.approve",
        "suggestion.serve",
        "suggestion.reply",
        "suggestion.close",
    }


def test_rejection_returns_it_and_a_revision_is_a_new_approval(users):
    case = open_case(users)
    s = draft(users, case)
    first = s.approval_id

    decide_approval(approval_id=first, actor=users["chief"], approve=False, reason="建议内容不具体")
    s.refresh_from_db()
    assert (s.status, s.return_reason, s.number) == ("returned", "建议内容不具体", "")

    s = services.revise_suggestion(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={**DRAFT, "recommendations": "一、三十日内完成专项检查；二、建立欠薪预警机制。"},
        version=s.version,
    )
    assert (s.status, s.recommendations) == (
        "pending",
        "一、三十日内完成专项检查；二、建立欠薪预警机制。",
    )
    assert s.approval_id != first
    assert Approval.objects.get(pk=first).status == ApprovalStatus.REJECTED

    s = approve(users, s)
    assert (s.status, s.number) == ("approved", f"五华检民建〔{timezone.localdate().year}〕1号")
    assert case.timeline.filter(kind="suggestion_revised").count() == 1


@pytest.mark.parametrize("username", ["civil1", "civilhead", "civil2", "registrar1"])
def test_only_the_chief_procurator_approves(users, username):
    s = draft(users, open_case(users))

    with pytest.raises(NotPermitted):
        decide_approval(approval_id=s.approval_id, actor=users[username], approve=True)

    s.refresh_from_db()
    assert (s.status, s.number) == ("pending", "")
    assert AuditEntry.objects.filter(
        action="approval.decide", outcome="denied", username=username
    ).exists()


def test_a_chief_of_another_procuratorate_cannot_approve(users, other_chief):
    s = draft(users, open_case(users))

    with pytest.raises(NotPermitted):
        decide_approval(approval_id=s.approval_id, actor=other_chief, approve=True)

    assert Suggestion.objects.get(pk=s.pk).status == "pending"


def test_a_decision_the_hook_refuses_rolls_back_and_uses_no_number(users):
    case = open_case(users)
    s1 = draft(users, case)
    s2 = draft(users, case)
    # a suggestion no longer waiting (changed behind the services' back): the hook refuses
    Suggestion.objects.filter(pk=s1.pk).update(status=SuggestionStatus.WITHDRAWN)
    with pytest.raises(InvalidInput):
        decide_approval(approval_id=s1.approval_id, actor=users["chief"], approve=True)
    assert Approval.objects.get(pk=s1.approval_id).status == ApprovalStatus.PENDING

    s2 = approve(users, s2)

    assert s2.number == f"五华检民建〔{timezone.localdate().year}〕1号"


# --- permissions after approval -----------------------------------------------------------------
@pytest.mark.parametrize("username", ["civil2", "registrar1", "criminal1", "hrss1", "sysadmin"])
def test_follow_up_steps_are_for_officer_head_and_chief(users, username):
    s = approve(users, draft(users, open_case(users)))
    before = snapshot()

    with pytest.raises(NotPermitted):
        services.serve_suggestion(
            suggestion_id=s.pk,
            actor=users[username],
            data={"served_on": timezone.localdate().isoformat(), "method": "direct"},
        )

    assert snapshot() == before
    assert AuditEntry.objects.filter(action="suggestion.serve", outcome="denied").count() == 1


@pytest.mark.parametrize("username", ["civil1", "civilhead", "chief"])
def test_officer_head_and_chief_may_serve(users, username):
    s = approve(users, draft(users, open_case(users)))

    s = services.serve_suggestion(
        suggestion_id=s.pk,
        actor=users[username],
        data={"served_on": timezone.localdate().isoformat(), "method": "electronic"},
    )

    assert (s.status, s.served_by) == ("served", users[username])


def test_drafting_is_for_those_who_work_on_an_open_case(users):
    case = open_case(users)
    for username in ("civil2", "chief", "registrar1"):
        with pytest.raises(NotPermitted):
            services.draft_suggestion(case_id=case.pk, actor=users[username], data=DRAFT)
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "撤回"}
    )

    with pytest.raises(InvalidInput) as exc:
        draft(users, case)

    assert fields(exc.value) == {"case": "closed"}
    assert Suggestion.objects.count() == 0


def test_partner_staff_never_see_suggestions_of_a_case_shared_with_them(users):
    case = open_case(users, consent=True)
    s = draft(users, case)

    assert Suggestion.objects.visible_to(users["hrss1"]).count() == 0
    assert Suggestion.objects.visible_to(users["civil2"]).get() == s
    assert Suggestion.objects.visible_to(users["sysadmin"]).count() == 0
    assert Suggestion.objects.visible_to(users["outsider"]).count() == 0


# --- a closed case ----------------------------------------------------------------------------------
def test_a_suggestion_of_a_closed_case_can_still_be_served_replied_and_closed(users):
    case = open_case(users)
    s = approve(users, draft(users, case))
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "当事人撤回"}
    )
    today = timezone.localdate()

    s = serve(users, s, today)
    s = services.record_reply(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={"replied_on": today.isoformat(), "text": "部分采纳。", "adoption": "partly_adopted"},
    )
    s = services.close_suggestion(suggestion_id=s.pk, actor=users["chief"], data={"note": "结案"})

    assert (s.status, s.adoption) == ("closed", "partly_adopted")
    case.refresh_from_db()
    assert case.status == "closed"


def test_tl9_the_reply_deadline_is_still_owed_after_the_case_closes(users):
    from zhichi.cases.models import CaseDeadline

    case = open_case(users)
    s = served(users, case, date(2026, 7, 31))
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "当事人撤回"}
    )
    reply = CaseDeadline.objects.get(case=case, key=f"suggestion:{s.pk}")
    assert (reply.status, reply.due) == ("pending", date(2026, 9, 30))
    # what belonged to the case alone is cancelled
    assert CaseDeadline.objects.get(case=case, key="review").status in ("done", "cancelled")


# --- overdue: reminders and escalation ------------------------------------------------------------
def _told(users, s) -> dict[str, int]:
    return {
        name: Notification.objects.filter(user=users[name], text__contains=s.number).count()
        for name in ("civil1", "civil2", "civilhead", "chief", "registrar1")
    }


def test_an_overdue_reply_is_escalated_once_to_officer_heads_and_chief(users):
    case = open_case(users)
    s = served(users, case, date(2026, 7, 31))
    assert s.is_overdue()

    first = send_reminders()
    second = send_reminders()

    expected = {"civil1": 1, "civil2": 0, "civilhead": 1, "chief": 1, "registrar1": 0}
    assert _told(users, s) == expected
    assert (first.reminded, first.escalated) == (1, 2)
    assert (second.reminded, second.escalated) == (0, 0)
    assert AuditEntry.objects.filter(action="suggestion.overdue", object_id=str(s.pk)).count() == 1


def test_an_overdue_reply_of_a_closed_case_is_still_escalated(users):
    case = open_case(users)
    s = served(users, case, date(2026, 7, 31))
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "当事人撤回"}
    )

    run = send_reminders()
    send_reminders()

    assert _told(users, s) == {
        "civil1": 1,
        "civil2": 0,
        "civilhead": 1,
        "chief": 1,
        "registrar1": 0,
    }
    assert (run.reminded, run.escalated) == (1, 2)


def test_no_reminder_for_a_reply_not_yet_due_or_already_given(users):
    case = open_case(users)
    s = served(users, case, date(2026, 7, 31))
    services.record_reply(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={"replied_on": "2026-09-20", "text": "已整改", "adoption": "adopted"},
    )

    send_reminders()

    assert _told(users, s) == dict.fromkeys(
        ("civil1", "civil2", "civilhead", "chief", "registrar1"), 0
    )


def test_overdue_reply_may_be_escalated_and_then_closed(users):
    s = served(users, open_case(users), date(2026, 7, 31))
    today = timezone.localdate()

    s = services.escalate_suggestion(
        suggestion_id=s.pk,
        actor=users["chief"],
        data={
            "escalated_on": today.isoformat(),
            "to": "superior_procuratorate",
            "reason": "逾期未回复",
        },
    )
    s = services.escalate_suggestion(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={
            "escalated_on": today.isoformat(),
            "to": "party_committee_or_congress",
            "reason": "仍未整改",
        },
    )

    assert s.status == "escalated"
    assert list(s.escalations.values_list("to", flat=True)) == [
        "superior_procuratorate",
        "party_committee_or_congress",
    ]
    assert s.is_overdue()
    s = services.close_suggestion(
        suggestion_id=s.pk, actor=users["civil1"], data={"note": "已报请上级院督促"}
    )
    assert s.status == "closed"
    row = CaseDeadline.objects.get(case=s.case, key=f"suggestion:{s.pk}")
    assert row.status == DeadlineStatus.DONE


def test_a_reply_not_adopting_the_recommendations_may_be_escalated(users):
    s = served(users, open_case(users), date(2026, 9, 1))
    services.record_reply(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={"replied_on": "2026-10-20", "text": "不予采纳", "adoption": "not_adopted"},
    )

    s = services.escalate_suggestion(
        suggestion_id=s.pk,
        actor=users["civilhead"],
        data={
            "escalated_on": "2026-10-25",
            "to": "competent_authority",
            "reason": "无正当理由拒不采纳",
        },
    )

    assert (s.status, s.replied_on) == ("escalated", date(2026, 10, 20))


# --- withdrawal -------------------------------------------------------------------------------------
def test_withdrawing_an_approved_suggestion_before_service(users):
    s = approve(users, draft(users, open_case(users)))

    s = services.withdraw_suggestion(
        suggestion_id=s.pk, actor=users["civil1"], data={"reason": "问题已自行整改"}
    )

    assert (s.status, s.withdraw_reason) == ("withdrawn", "问题已自行整改")
    assert not CaseDeadline.objects.filter(key=f"suggestion:{s.pk}").exists()


# --- refused input: 422, nothing changed -------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"recommendations": ""}, {"recommendations": "required"}),
        ({"issue": "   "}, {"issue": "required"}),
        ({"to_org_name": ""}, {"to_org_name": "required"}),
        ({"to_org": "NOPE"}, {"to_org": "unknown"}),
        ({"served_on": "2026/12/01"}, {"served_on": "date"}),
        ({"served_on": "2020-01-01"}, {"served_on": "past"}),
        ({"recommendations": "建" * 8001}, {"recommendations": "max_length"}),
        ({"issue": 12}, {"issue": "type"}),
    ],
)
def test_bad_draft_is_refused_and_nothing_is_saved(users, data, expected):
    case = open_case(users)
    before = snapshot()

    with pytest.raises(InvalidInput) as exc:
        draft(users, case, **data)

    assert fields(exc.value) == expected
    assert snapshot() == before


def test_recipient_on_the_platform_gives_its_name(users):
    s = draft(users, open_case(users), to_org_name="", to_org="WHHRSS")

    assert (s.to_org.code, s.to_org_name) == ("WHHRSS", "五华区人力资源和社会保障局")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"served_on": ""}, {"served_on": "required"}),
        ({"method": "pigeon"}, {"method": "choice"}),
        ({"method": ""}, {"method": "required"}),
        ({"served_on": "2999-01-01"}, {"served_on": "future"}),
        ({"received_on": "2999-01-01"}, {"received_on": "future"}),
        (
            {"served_on": "2026-09-02", "received_on": "2026-09-01"},
            {"received_on": "before_service"},
        ),
        ({"served_on": "2026-06-01"}, {"served_on": "before_approval"}),
        ({"reply_due_on": "someday"}, {"reply_due_on": "date"}),
    ],
)
def test_bad_service_is_refused_and_nothing_is_changed(users, data, expected):
    s = approve(users, draft(users, open_case(users)), approved_on=date(2026, 8, 1))
    before = snapshot()

    with pytest.raises(InvalidInput) as exc:
        services.serve_suggestion(
            suggestion_id=s.pk,
            actor=users["civil1"],
            data={"served_on": "2026-09-01", "method": "post", **data},
        )

    assert fields(exc.value) == expected
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"replied_on": ""}, {"replied_on": "required"}),
        ({"replied_on": "2026-07-01"}, {"replied_on": "before_receipt"}),
        ({"replied_on": "2999-01-01"}, {"replied_on": "future"}),
        ({"text": ""}, {"text": "required"}),
        ({"adoption": "maybe"}, {"adoption": "choice"}),
    ],
)
def test_bad_reply_is_refused_and_nothing_is_changed(users, data, expected):
    s = served(users, open_case(users), date(2026, 7, 31))
    before = snapshot()

    with pytest.raises(InvalidInput) as exc:
        services.record_reply(
            suggestion_id=s.pk,
            actor=users["civil1"],
            data={"replied_on": "2026-09-01", "text": "已整改", "adoption": "adopted", **data},
        )

    assert fields(exc.value) == expected
    assert snapshot() == before


def test_steps_out_of_order_are_refused(users):
    case = open_case(users)
    pending = draft(users, case)
    today = timezone.localdate().isoformat()
    before = snapshot()
    attempts = [
        (services.serve_suggestion, {"served_on": today, "method": "post"}, "state"),
        (services.record_reply, {"replied_on": today, "text": "x", "adoption": "adopted"}, "state"),
        (services.close_suggestion, {"note": "结案"}, "state"),
        (services.withdraw_suggestion, {"reason": "撤回"}, "pending"),
        (
            services.escalate_suggestion,
            {"escalated_on": today, "to": "competent_authority", "reason": "x"},
            "state",
        ),
        (services.revise_suggestion, DRAFT, "state"),
    ]
    for call, data, code in attempts:
        with pytest.raises(InvalidInput) as exc:
            call(suggestion_id=pending.pk, actor=users["civil1"], data=data)
        assert fields(exc.value) == {"status": code}, call.__name__
    assert snapshot() == before


def test_escalating_before_the_reply_is_overdue_is_refused(users):
    s = served(users, open_case(users), timezone.localdate())

    with pytest.raises(InvalidInput) as exc:
        services.escalate_suggestion(
            suggestion_id=s.pk,
            actor=users["civil1"],
            data={
                "escalated_on": timezone.localdate().isoformat(),
                "to": "competent_authority",
                "reason": "尚未回复",
            },
        )

    assert fields(exc.value) == {"status": "not_overdue"}


def test_closing_needs_a_note_and_a_stale_version_is_refused(users):
    s = served(users, open_case(users), date(2026, 7, 31))
    s = services.record_reply(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={"replied_on": "2026-09-01", "text": "已整改", "adoption": "adopted"},
    )

    with pytest.raises(InvalidInput) as exc:
        services.close_suggestion(suggestion_id=s.pk, actor=users["civil1"], data={"note": ""})
    assert fields(exc.value) == {"note": "required"}
    with pytest.raises(StaleVersion):
        services.close_suggestion(
            suggestion_id=s.pk, actor=users["civil1"], data={"note": "结案"}, version=s.version - 1
        )

    assert Suggestion.objects.get(pk=s.pk).status == "replied"
