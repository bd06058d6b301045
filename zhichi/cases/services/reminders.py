"""Deadline reminders and escalation (C12): run daily by a background task.

An officer is reminded once when a deadline comes within ZHICHI["REMINDER_DAYS"] and once when it
is overdue; an overdue deadline is escalated once to the heads of the case's department. The
dedupe keys make a second run on the same day (or a retried task) send nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhichi.accounts.models import department_heads
from zhichi.accounts.notify import notify
from zhichi.audit.services import record
from zhichi.cases.models import CaseDeadline, CaseStatus, DeadlineStatus
from zhichi.cases.services.derived import ACTION_KINDS


@dataclass(frozen=True)
class ReminderRun:
    reminded: int
    escalated: int
    checked: int


# Other apps' deadlines (e.g. transfers' receipt and answer dates) join the daily run: each source
# is called with ``today`` inside the run's transaction and returns a ReminderRun of its own.
REMINDER_SOURCES: list[Callable[[date], ReminderRun]] = []


def register_reminder_source(source: Callable[[date], ReminderRun]) -> None:
    if source not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(source)


def send_reminders(*, today: date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ZHICHI["REMINDER_DAYS"])
    deadlines = (
        CaseDeadline.objects.filter(
            status=DeadlineStatus.PENDING,
            kind__in=ACTION_KINDS,
            due__lte=horizon,
            case__status=CaseStatus.OPEN,
        )
        .select_related("case", "case__officer", "case__department")
        .order_by("due", "id")
    )
    reminded = escalated = checked = 0
    heads_by_department: dict[int, list] = {}
    with transaction.atomic(), override(settings.LANGUAGE_CODE):
        for d in deadlines.iterator(chunk_size=500):
            checked += 1
            case = d.case
            overdue = d.due < today
            url = f"{case.get_absolute_url()}#deadlines"
            if case.officer_id and case.officer.is_active:
                text = (
                    _("Overdue since %(due)s: %(label)s (%(number)s)")
                    if overdue
                    else _("Due on %(due)s: %(label)s (%(number)s)")
                ) % {"due": d.due.isoformat(), "label": d.label, "number": case.number}
                sent = notify(
                    user=case.officer,
                    kind="deadline_overdue" if overdue else "deadline_due",
                    text=text,
                    url=url,
                    dedupe_key=f"deadline:{d.pk}:{'overdue' if overdue else 'due'}",
                    email=True,
                )
                reminded += sent is not None
            if overdue and case.department_id:
                if case.department_id not in heads_by_department:
                    heads_by_department[case.department_id] = list(
                        department_heads(case.department_id)
                    )
                for head in heads_by_department[case.department_id]:
                    sent = notify(
                        user=head,
                        kind="escalation",
                        text=_(
                            "Escalated: overdue since %(due)s: %(label)s (%(number)s, officer %(officer)s)"
                        )
                        % {
                            "due": d.due.isoformat(),
                            "label": d.label,
                            "number": case.number,
                            "officer": case.officer.display_name if case.officer else "—",
                        },
                        url=url,
                        dedupe_key=f"escalate:{d.pk}:{head.pk}",
                        email=True,
                    )
                    escalated += sent is not None
        for source in REMINDER_SOURCES:
            extra = source(today)
            checked, reminded = checked + extra.checked, reminded + extra.reminded
            escalated += extra.escalated
        record(
            action="reminders.run",
            detail={
                "today": today.isoformat(),
                "checked": checked,
                "reminded": reminded,
                "escalated": escalated,
            },
        )
    return ReminderRun(reminded=reminded, escalated=escalated, checked=checked)
