"""Reads the pages and the API share: what a case's deadlines look like today, and the
deadlines and return visits due on a user's workbench. Each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhichi.cases import rules
from zhichi.cases.models import CaseDeadline, CaseStatus, DeadlineStatus, Visit
from zhichi.cases.partner_view import is_partner
from zhichi.cases.services.derived import deadline_state, working_days_left
from zhichi.rulebook import loaders

SOON_DAYS = 7


# --- deadlines and working days -------------------------------------------------------------
def days_left_words(day: date, days_left: int, *, overdue: bool) -> str:
    """A date still owed, in words: overdue by how many working days, due today, or how many
    working days are left. Deadlines, visits and a suggestion's reply date all say it so."""
    if overdue:
        n = -days_left
        if n <= 0:
            return _("Overdue")
        return ngettext("Overdue by %(n)d working day", "Overdue by %(n)d working days", n) % {
            "n": n
        }
    if day == timezone.localdate():
        return _("Due today")
    return ngettext("%(n)d working day left", "%(n)d working days left", days_left) % {
        "n": days_left
    }


@dataclass(frozen=True)
class Due:
    """A deadline or a planned visit as a page shows it: state and working days left."""

    day: date
    state: str  # pending | overdue | done
    days_left: int
    done_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def text(self) -> str:
        if self.state == "done":
            if self.done_on:
                return _("Done on %(day)s") % {"day": self.done_on.isoformat()}
            return _("Done")
        return days_left_words(self.day, self.days_left, overdue=self.day < timezone.localdate())


@dataclass(frozen=True)
class DeadlineRow:
    deadline: CaseDeadline
    due: Due


def deadline_rows(deadlines, today: date) -> list[DeadlineRow]:
    deadlines = list(deadlines)
    cal = loaders.holiday_calendar() if deadlines else None
    rows = []
    for d in deadlines:
        state = deadline_state(d, today)
        left = working_days_left(d.due, today, cal) if state != "done" else 0
        rows.append(DeadlineRow(d, Due(d.due, state, left, d.done_on)))
    return rows


# --- the workbench ----------------------------------------------------------------------------
def workbench_deadlines(user) -> dict:
    """My deadlines (overdue first, then due within 7 days) and my visits due; fixed queries."""
    empty = {"my_deadlines": [], "visits_due": [], "show_disposal": False}
    if not rules.may_see_cases(user) or is_partner(user):
        return empty
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    mine = rules.cases_visible_to(user).filter(officer=user, status=CaseStatus.OPEN)
    deadlines = list(
        CaseDeadline.objects.filter(case__in=mine, status=DeadlineStatus.PENDING, due__lte=soon)
        .select_related("case")
        .order_by("due", "id")[:200]
    )
    visits = list(
        Visit.objects.filter(case__in=mine, done_on__isnull=True, planned_on__lte=soon)
        .select_related("case")
        .order_by("planned_on", "id")[:50]
    )
    cal = loaders.holiday_calendar() if deadlines or visits else None
    rows = []
    for d in deadlines:
        state = deadline_state(d, today)
        if d.due < today and state != "overdue":
            continue  # a period that simply ran out (an appeal period) is nobody's work
        rows.append(DeadlineRow(d, Due(d.due, state, working_days_left(d.due, today, cal))))
    rows.sort(key=lambda r: (not r.due.overdue, r.deadline.due, r.deadline.pk))
    visit_rows = [
        (
            v,
            Due(
                v.planned_on,
                "overdue" if v.planned_on < today else "pending",
                working_days_left(v.planned_on, today, cal),
            ),
        )
        for v in visits
    ]
    return {"my_deadlines": rows[:20], "visits_due": visit_rows, "show_disposal": True}
