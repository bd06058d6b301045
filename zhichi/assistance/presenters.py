"""What the register and the application page show of an application, shared with the Excel
export of the register: its next deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.cases.services.derived import working_days_left


@dataclass(frozen=True)
class NextDue:
    """An application's next deadline, with working days left (UI: "3 working days")."""

    label: str
    due: date
    rule: str
    left: int
    overdue: bool
    complete: bool  # the holiday calendar covers it


def next_due(a: AssistanceApplication, cal, today: date) -> NextDue | None:
    """The decision while the application waits for one, the notice once the funds arrived."""
    if a.status in (AssistanceStatus.RECEIVED, AssistanceStatus.IN_APPROVAL):
        label, due = _("Decision"), a.decision_due(cal)
    elif a.status == AssistanceStatus.GRANTED and a.funds_arrived_on and not a.notified_on:
        label, due = _("Tell the applicant"), a.notice_due(cal)
    else:
        return None
    return NextDue(
        label=label,
        due=due.due,
        rule=due.rule,
        left=working_days_left(due.due, today, cal),
        overdue=due.due < today,
        complete=due.calendar_complete,
    )
