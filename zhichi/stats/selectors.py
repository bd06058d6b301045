"""The centre's figures (C13; API.md § Statistics): each one is the set of records it counts, so
the dashboard, the API's summary and breakdown and the list behind a figure read the same rows.

Every figure is read from the trusted record and scoped like the lists: ``Case.objects
.visible_to(user)`` and the other apps' ``visible_to``/``inbox_of``/``outbox_of``. Money
recovered is the payments recorded, net of reversals (a reversed payment counts nowhere), never a
stored total. What each figure counts:

- leads_received: leads received in the period (``received_on``);
- cases_accepted: cases opened in the period (``opened_on``); by_stage / by_category / by_level
  and the breakdown group these (stage as it is now);
- cases_supported: cases whose support decision (支持起诉) was approved in the period;
- claimants / migrant_workers / amount_claimed: the claimants of the cases accepted in the period
  (one per case they claim in), those of the migrant-worker group, and what they claim;
- amount_recovered: payments made in the period (``paid_on``) on the cases the reader sees,
  whenever the case was opened, less those reversed;
- mediation_agreements: mediations that reached an agreement in the period (``held_on``);
- transfers_sent / transfers_received: transfers the reader's side sent or received in the period;
- assistance_paid: judicial assistance applications paid in the period (``paid_on``);
- visits_done: return visits made in the period (``done_on``);
- cases_closed: cases closed in the period and still closed (a reopened case is open again).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.cases.choices import (
    ApprovalKind,
    ApprovalStatus,
    Category,
    MediationOutcome,
    PartyRole,
    Source,
    Stage,
)
from zhichi.cases.models import Approval, Case, CaseParty, Mediation, Payment, Visit
from zhichi.cases.schemas import SUPPORT
from zhichi.cases.scope import ORGANISATION_ROLES, may_see_cases
from zhichi.intake.models import Lead
from zhichi.parties.models import Group
from zhichi.stats import figcache
from zhichi.stats.period import Period, month_label
from zhichi.transfers.models import Transfer

ZERO = Decimal("0.00")


def may_see_stats(user) -> bool:
    """The figures are read by whoever reads cases, each over their own scope; the three
    administrators read none (MLPS separation of duties)."""
    return may_see_cases(user)


def departments_for(user) -> list[Department]:
    """The departments a reader may narrow the figures to: the chief procurator and the registry
    choose among their procuratorate's; everyone else reads their own scope only."""
    if user.role not in ORGANISATION_ROLES:
        return []
    return list(Department.objects.filter(organisation_id=user.organisation_id).order_by("code"))


@dataclass(frozen=True)
class Scope:
    """What one reader counts: what they may see, narrowed to one department if they chose one
    (``departments_for``). The reader's shares are read once per scope, not once per figure."""

    user: object
    department: Department | None = None

    @cached_property
    def _cases(self) -> QuerySet[Case]:
        qs = Case.objects.visible_to(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @cached_property
    def _leads(self) -> QuerySet[Lead]:
        qs = Lead.objects.visible_to(self.user)
        return qs.filter(department=self.department) if self.department else qs

    @cached_property
    def _applications(self) -> QuerySet[AssistanceApplication]:
        qs = AssistanceApplication.objects.visible_to(self.user)
        return qs.filter(case__department=self.department) if self.department else qs

    def cases(self) -> QuerySet[Case]:
        return self._cases.all()

    def leads(self) -> QuerySet[Lead]:
        return self._leads.all()

    def transfers_sent(self) -> QuerySet[Transfer]:
        qs = Transfer.objects.outbox_of(self.user)
        return qs.filter(from_department=self.department) if self.department else qs

    def transfers_received(self) -> QuerySet[Transfer]:
        qs = Transfer.objects.inbox_of(self.user)
        return qs.filter(to_department=self.department) if self.department else qs

    def applications(self) -> QuerySet[AssistanceApplication]:
        return self._applications.all()

    def on_cases(self, qs: QuerySet) -> QuerySet:
        """The records of ``qs`` (each belonging to a case) on the cases the reader sees, as a
        correlated EXISTS: a period's few records are checked one by one, where ``case__in``
        would first list every case of the scope (SQLite builds that list even for an empty
        table: 16 ms at 100,000 cases)."""
        return qs.filter(Exists(self.cases().filter(pk=OuterRef("case_id"))))


# --- the records of each figure ----------------------------------------------------------------
def _leads_received(scope: Scope, p: Period):
    return scope.leads().filter(received_on__range=(p.start, p.end))


def _cases_accepted(scope: Scope, p: Period):
    return scope.cases().filter(opened_on__range=(p.start, p.end))


def support_decisions(scope: Scope, p: Period) -> QuerySet[Approval]:
    """The support decisions (支持起诉) approved in the period on the cases the reader sees."""
    since, until = p.moments()
    return scope.on_cases(Approval.objects).filter(
        kind=ApprovalKind.SUPPORT_DECISION,
        status=ApprovalStatus.APPROVED,
        payload__decision=SUPPORT,
        decided_at__gte=since,
        decided_at__lt=until,
    )


def _cases_supported(scope: Scope, p: Period):
    return scope.cases().filter(pk__in=support_decisions(scope, p).values("case_id"))


def _claimants(scope: Scope, p: Period):
    return CaseParty.objects.filter(
        role=PartyRole.CLAIMANT, case__in=_cases_accepted(scope, p).values("pk")
    )


def _payments(scope: Scope, p: Period):
    return scope.on_cases(Payment.objects.standing()).filter(paid_on__range=(p.start, p.end))


def _mediation_agreements(scope: Scope, p: Period):
    return scope.on_cases(Mediation.objects).filter(
        outcome=MediationOutcome.AGREEMENT,
        held_on__range=(p.start, p.end),
    )


def _sent_between(qs, p: Period):
    since, until = p.moments()
    return qs.filter(sent_at__gte=since, sent_at__lt=until)


def _transfers_sent(scope: Scope, p: Period):
    return _sent_between(scope.transfers_sent(), p)


def _transfers_received(scope: Scope, p: Period):
    return _sent_between(scope.transfers_received(), p)


def _assistance_paid(scope: Scope, p: Period):
    return scope.applications().filter(
        status=AssistanceStatus.PAID, paid_on__range=(p.start, p.end)
    )


def _visits_done(scope: Scope, p: Period):
    return scope.on_cases(Visit.objects).filter(done_on__range=(p.start, p.end))


def _cases_closed(scope: Scope, p: Period):
    return scope.cases().filter(closed_on__range=(p.start, p.end))


@dataclass(frozen=True)
class Figure:
    """One figure: the records it counts are its ``source``'s, narrowed by ``where``. Figures of
    one source are read together in one query by ``summary`` (P4)."""

    key: str
    label: Promise
    source: Callable[[Scope, Period], QuerySet]
    rows: str  # what the records are: case | lead | claimant | payment | mediation | transfer …
    amount: str | None = None  # the field an amount figure sums; None: a count
    where: Q | None = None  # what narrows the source's records to this figure's
    # the breakdown (and a chart's group) narrows it: its records belong to a case
    in_breakdown: bool = False
    dated: str = ""  # the records' own day the months group by; "": the case's opening

    def records(self, scope: Scope, period: Period) -> QuerySet:
        qs = self.source(scope, period)
        return qs if self.where is None else qs.filter(self.where)

    def measure(self):
        """The aggregate that gives this figure over its source's records."""
        if self.amount is None:
            return Count("pk", filter=self.where)
        return Sum(self.amount, filter=self.where)

    def value(self, scope: Scope, period: Period) -> int | Decimal:
        return self.value_of(self.records(scope, period))

    def value_of(self, records: QuerySet) -> int | Decimal:
        """The figure over ``records`` (its own, or one group of them)."""
        if self.amount is None:
            return records.count()
        return _money(records.order_by().aggregate(t=Sum(self.amount))["t"])

    def path(self, by: str) -> str:
        """The field of this figure's records that the grouping ``by`` reads."""
        case = "" if self.rows == "case" else "case__"
        if by == "month":
            return self.dated or f"{case}opened_on"
        return case + GROUPINGS[by].field

    def grouped(self, scope: Scope, period: Period, by: str) -> dict:
        """The figure per group of ``by``: {stored value (a month: its first day): value}."""
        path = self.path(by)
        measure = Count("pk") if self.amount is None else Sum(self.amount)
        rows = (
            self.records(scope, period)
            .annotate(zc_group=TruncMonth(path) if by == "month" else F(path))
            .order_by()
            .values("zc_group")
            .annotate(zc_measure=measure)
            .values_list("zc_group", "zc_measure")
        )
        return dict(rows)

    def narrowed(self, scope: Scope, period: Period, by: str = "", key: str = "") -> QuerySet:
        """The records counted, narrowed to one group of the breakdown (its key as the API
        writes it): what the figure's link lists."""
        qs = self.records(scope, period)
        if not by:
            return qs
        path = self.path(by)
        if by == "month":
            year, month = (int(part) for part in key.split("-"))
            return qs.filter(**{f"{path}__year": year, f"{path}__month": month})
        if by == "level":
            return qs.filter(**({f"{path}__isnull": True} if key == "none" else {path: int(key)}))
        return qs.filter(**{path: key})


def _money(total) -> Decimal:
    return (total or ZERO).quantize(ZERO)


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("leads_received", _("Leads received"), _leads_received, "lead"),
        Figure("cases_accepted", _("Cases accepted"), _cases_accepted, "case", in_breakdown=True),
        Figure("cases_supported", _("Cases supported"), _cases_supported, "case"),
        Figure("claimants", _("People helped"), _claimants, "claimant", in_breakdown=True),
        Figure(
            "migrant_workers",
            _("Migrant workers helped"),
            _claimants,
            "claimant",
            where=Q(groups__has_element=Group.MIGRANT_WORKER.value),
        ),
        Figure(
            "amount_claimed",
            _("Money claimed"),
            _claimants,
            "claimant",
            amount="amount_claimed",
            in_breakdown=True,
        ),
        Figure(
            "amount_recovered",
            _("Money recovered"),
            _payments,
            "payment",
            amount="amount",
            in_breakdown=True,
            dated="paid_on",
        ),
        Figure(
            "mediation_agreements", _("Mediation agreements"), _mediation_agreements, "mediation"
        ),
        Figure("transfers_sent", _("Transfers sent"), _transfers_sent, "transfer"),
        Figure("transfers_received", _("Transfers received"), _transfers_received, "transfer"),
        Figure("assistance_paid", _("Judicial assistance paid"), _assistance_paid, "application"),
        Figure("visits_done", _("Return visits made"), _visits_done, "visit"),
        Figure("cases_closed", _("Cases closed"), _cases_closed, "case"),
    )
}


# --- groups: the breakdown and the by_* figures of the summary -----------------------------------
LEVEL_LABELS = {1: _("Level 1 (routine)"), 2: _("Level 2 (standard)"), 3: _("Level 3 (major)")}
UNGRADED = _("Not graded")


@dataclass(frozen=True)
class Grouping:
    """How cases are grouped: the case's field (months: ``Figure.path``), its keys in order and
    their labels."""

    key: str
    field: str
    keys: Callable[[Period], list]
    label: Callable[[object], str]

    def code(self, value) -> str:
        """The key as the API writes it (a level as "1", an ungraded case as "none")."""
        if value is None:
            return "none"
        return value.strftime("%Y-%m") if self.key == "month" else str(value)


def _choices(enum):
    return lambda _p: list(enum.values)


def _choice_label(enum):
    labels = dict(enum.choices)
    return lambda value: str(labels.get(value, value))


GROUPINGS: dict[str, Grouping] = {
    g.key: g
    for g in (
        Grouping("stage", "stage", _choices(Stage), _choice_label(Stage)),
        Grouping("category", "category", _choices(Category), _choice_label(Category)),
        Grouping(
            "level",
            "level",
            lambda _p: [1, 2, 3, None],
            lambda v: str(LEVEL_LABELS[v]) if v in LEVEL_LABELS else str(UNGRADED),
        ),
        Grouping("source", "source", _choices(Source), _choice_label(Source)),
        Grouping("month", "", lambda p: p.months(), month_label),
    )
}


@dataclass(frozen=True)
class GroupRow:
    by: str  # the grouping (GROUPINGS)
    key: str
    value: object  # the stored value (a stage code, a level, the first of a month)
    cases: int
    amount_claimed: Decimal
    amount_recovered: Decimal

    @property
    def label(self) -> str:
        """In the reader's language when shown: a kept count serves every language."""
        return GROUPINGS[self.by].label(self.value)


@figcache.cached
def breakdown(scope: Scope, period: Period, by: str) -> list[GroupRow]:
    """The cases accepted in the period by ``by``, with what their claimants claim and what was
    recovered in the period on the cases of each group (for months: paid in that month), so the
    rows add up to the summary's cases_accepted, amount_claimed and amount_recovered."""
    grouping = GROUPINGS[by]
    cases, claimed, recovered = (
        FIGURES[key].grouped(scope, period, by)
        for key in ("cases_accepted", "amount_claimed", "amount_recovered")
    )
    rows = []
    for value in grouping.keys(period):
        rows.append(
            GroupRow(
                by=by,
                key=grouping.code(value),
                value=value,
                cases=cases.get(value, 0),
                amount_claimed=_money(claimed.get(value)),
                amount_recovered=_money(recovered.get(value)),
            )
        )
    return rows


SUMMARY_GROUPS = ("stage", "category", "level")


def _accepted_by_groups(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """The summary's ``by_stage`` / ``by_category`` / ``by_level`` in one query: the cases
    accepted in the period per (stage, category, level), added up per grouping, every group
    named (zero included)."""
    figure = FIGURES["cases_accepted"]
    combos = (
        figure.records(scope, period)
        .order_by()
        .values_list(*(GROUPINGS[by].field for by in SUMMARY_GROUPS))
        .annotate(zc_measure=Count("pk"))
    )
    counted = {by: defaultdict(int) for by in SUMMARY_GROUPS}
    for *values, n in combos:
        for by, value in zip(SUMMARY_GROUPS, values, strict=True):
            counted[by][value] += n
    return {
        by: {GROUPINGS[by].code(v): counted[by].get(v, 0) for v in GROUPINGS[by].keys(period)}
        for by in SUMMARY_GROUPS
    }


@dataclass(frozen=True)
class Summary:
    period: Period
    values: dict[str, int | Decimal]
    by_stage: dict[str, int]
    by_category: dict[str, int]
    by_level: dict[str, int]

    @property
    def recovery_rate(self) -> Decimal | None:
        """Recovered over claimed, as a percentage with one decimal; None when nothing is
        claimed."""
        claimed = self.values["amount_claimed"]
        if not claimed:
            return None
        return (self.values["amount_recovered"] * 100 / claimed).quantize(Decimal("0.1"))


@figcache.cached
def summary(scope: Scope, period: Period) -> Summary:
    """Every figure of the period, one query per source of records (QUALITY.md P4): the figures
    of one source are conditional aggregates of the same query, and the cases accepted come
    from the grouped query of ``by_stage``/``by_category``/``by_level``."""
    groups = _accepted_by_groups(scope, period)
    values: dict[str, int | Decimal] = {"cases_accepted": sum(groups["stage"].values())}
    by_source: dict[Callable, list[Figure]] = defaultdict(list)
    for figure in FIGURES.values():
        if figure.key not in values:
            by_source[figure.source].append(figure)
    for source, figures in by_source.items():
        found = source(scope, period).order_by().aggregate(**{f.key: f.measure() for f in figures})
        for f in figures:
            values[f.key] = found[f.key] if f.amount is None else _money(found[f.key])
    return Summary(
        period=period,
        values={key: values[key] for key in FIGURES},
        by_stage=groups["stage"],
        by_category=groups["category"],
        by_level=groups["level"],
    )


# --- the records behind a figure ------------------------------------------------------------------
def group_keys(by: str, period: Period) -> list[str]:
    grouping = GROUPINGS[by]
    return [grouping.code(v) for v in grouping.keys(period)]


def group_label(by: str, key: str, period: Period) -> str:
    grouping = GROUPINGS[by]
    return next(grouping.label(v) for v in grouping.keys(period) if grouping.code(v) == key)


# what the list of each kind of record reads with it
ROW_RELATIONS = {
    "case": ("officer",),
    "lead": (),
    "claimant": ("case", "party"),
    "payment": ("case", "claimant__party"),
    "mediation": ("case",),
    "transfer": ("from_org", "to_org", "from_department", "to_department"),
    "application": ("case", "applicant__party"),
    "visit": ("case",),
}


# --- the period report ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryRow:
    """One line of the report's table by category (``key`` "" for the total)."""

    key: str
    label: str
    cases: int
    claimants: int
    migrant_workers: int
    amount_claimed: Decimal
    amount_recovered: Decimal


def by_category(scope: Scope, period: Period) -> list[CategoryRow]:
    """The cases accepted in the period by category, with their claimants (and of them migrant
    workers), what they claim, and what was recovered in the period on the cases of each
    category; the last row is the total."""
    cases, people, migrants, claimed, recovered = (
        FIGURES[key].grouped(scope, period, "category")
        for key in (
            "cases_accepted",
            "claimants",
            "migrant_workers",
            "amount_claimed",
            "amount_recovered",
        )
    )
    rows = [
        CategoryRow(
            key=value,
            label=str(label),
            cases=cases.get(value, 0),
            claimants=people.get(value, 0),
            migrant_workers=migrants.get(value, 0),
            amount_claimed=_money(claimed.get(value)),
            amount_recovered=_money(recovered.get(value)),
        )
        for value, label in Category.choices
    ]
    rows.append(
        CategoryRow(
            key="",
            label=str(_("Total")),
            cases=sum(r.cases for r in rows),
            claimants=sum(r.claimants for r in rows),
            migrant_workers=sum(r.migrant_workers for r in rows),
            amount_claimed=sum((r.amount_claimed for r in rows), ZERO),
            amount_recovered=sum((r.amount_recovered for r in rows), ZERO),
        )
    )
    return rows
