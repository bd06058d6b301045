"""Reads the pages and the API share: what a case's deadlines look like today, the deadlines and
return visits due on a user's workbench, the records of the case page, the approvals and the
history of one record on a case. Each is a fixed number of queries, however many rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhichi.accounts.models import Role, User
from zhichi.cases import rules
from zhichi.cases.models import (
    AppointmentStatus,
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseStatus,
    CourtEvent,
    DeadlineStatus,
    Mediation,
    MediationAppointment,
    Payment,
    TimelineEvent,
    Visit,
)
from zhichi.cases.partner_view import is_partner
from zhichi.cases.services.derived import deadline_state, working_days_left
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.parties.models import PartyContact
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
    mine = Case.objects.visible_to(user).filter(officer=user, status=CaseStatus.OPEN)
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


# --- the case page ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DisposalRecords:
    """What the case page lists of disposal (C4–C6), each in its model's order: oldest first,
    the support decisions newest first."""

    mediations: list[Mediation]  # with their instalments
    appointments: list[MediationAppointment]  # the sessions still scheduled, by date
    support_decisions: list[Approval]  # the procuratorate's own: none for a partner (C8)
    court_events: list[CourtEvent]  # with their services
    visits: list[Visit]
    payments: list[Payment]  # reversed ones included: the ledger is append-only (C6)


def disposal_records(case: Case, *, internal: bool) -> DisposalRecords:
    """Read through the case's own managers, so that each record's ``case`` is ``case``."""
    return DisposalRecords(
        mediations=list(
            case.mediations.select_related("recorded_by").prefetch_related("instalments")
        ),
        appointments=list(case.mediation_appointments.filter(status=AppointmentStatus.SCHEDULED)),
        support_decisions=(case_approvals(case, ApprovalKind.SUPPORT_DECISION) if internal else []),
        court_events=list(
            case.court_events.select_related("recorded_by").prefetch_related("services")
        ),
        visits=list(case.visits.select_related("recorded_by")),
        payments=list(
            case.payments.select_related("claimant__party", "recorded_by", "reversal__reversed_by")
        ),
    )


def party_contacts(party_ids) -> list[PartyContact]:
    """Every contact of these people, each person's newest first, with who recorded it."""
    return list(
        PartyContact.objects.filter(party_id__in=list(party_ids))
        .select_related("recorded_by")
        .order_by("party_id", "-recorded_at", "-id")
    )


# --- approvals and the history of one record ----------------------------------------------------
def case_approvals(case: Case, kind: str, **payload) -> list[Approval]:
    """The approvals of one kind on ``case``, newest first, narrowed by what their payload holds
    (e.g. ``application=<id>``: every round of one assistance application). Read through the
    case, so ``approval.case`` is ``case`` and deciding who may decide reads nothing more."""
    filters = {f"payload__{key}": value for key, value in payload.items()}
    return list(
        case.approvals.filter(kind=kind, **filters).select_related("requested_by", "decided_by")
    )


def record_timeline(
    case_id: int, key: str, pk: int, *, approvals: Sequence[Approval] = ()
) -> list[TimelineEvent]:
    """The history of one record on a case, oldest first: the events whose data names it under
    ``key`` (``application``, ``suggestion``) and the decisions on its ``approvals``."""
    which = Q(**{f"data__{key}": pk})
    if approvals:
        which |= Q(kind="approval_decided", data__approval__in=[a.pk for a in approvals])
    return list(
        TimelineEvent.objects.filter(case_id=case_id)
        .filter(which)
        .select_related("actor")
        .order_by("at", "id")
    )


# the API's answer is a plain list, so it stops here (the page pages through the same read)
INBOX_LIMIT = 200


def approvals_inbox(user: User, status: str = ApprovalStatus.PENDING):
    """The approvals inbox of ``user``, one read for the page and the API, newest first (the
    model's order).

    Pending approvals are those ``user`` may decide (the same answer as ``rules.can_approve``,
    filtered in the query so that a limit never drops one); approvals in another status are
    those of the cases ``user`` sees. An unknown ``status`` is refused (422 at ``status``).
    """
    if status not in ApprovalStatus.values:
        raise InvalidInput([FieldError("status", "choice", " | ".join(ApprovalStatus.values))])
    qs = Approval.objects.filter(case__in=Case.objects.visible_to(user), status=status)
    if status == ApprovalStatus.PENDING:
        qs = qs.filter(required_role=user.role, case__organisation_id=user.organisation_id)
        if user.role == Role.HEAD:
            qs = qs.filter(case__department_id=user.department_id)
        qs = qs.exclude(requested_by=user)  # four eyes: never one's own proposal
    return qs.select_related("case", "requested_by", "decided_by").order_by("-requested_at", "-id")
