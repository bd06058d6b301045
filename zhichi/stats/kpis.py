"""How the three stages went in a period (issue 15, item 1): the time from a lead to acceptance, to
the support decision, to judgment and to recovery in full; how often mediation reached an
agreement, judgments awarded money and return visits were made on time; and the transfers by the
agency on the other side, with their answer times and the answers overdue. Read from the same
records as the figures (``selectors``), in the reader's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.cases.choices import (
    CourtEventKind,
    MediationOutcome,
    Outcome,
)
from zhichi.cases.models import CourtEvent, Mediation, Visit
from zhichi.stats import figcache, selectors
from zhichi.stats.period import Period
from zhichi.stats.selectors import Scope
from zhichi.transfers.models import OPEN_FOR_RECEIVER

ONE_DECIMAL = Decimal("0.1")


def _mean_days(pairs) -> Decimal | None:
    """The mean of ``later - earlier`` in days over ``(earlier, later)`` pairs; None for none."""
    spans = [(later - earlier).days for earlier, later in pairs if earlier and later]
    if not spans:
        return None
    return (Decimal(sum(spans)) / len(spans)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(ONE_DECIMAL, ROUND_HALF_UP)


KPI_LABELS = {
    "lead_to_acceptance": _("From the lead to acceptance"),
    "acceptance_to_decision": _("From acceptance to the support decision"),
    "acceptance_to_judgment": _("From acceptance to judgment"),
    "acceptance_to_recovery": _("From acceptance to recovery in full"),
    "mediation_success": _("Mediations that reached an agreement"),
    "judgments_won": _("Judgments that awarded money"),
    "visits_on_time": _("Return visits made on time"),
}


@dataclass(frozen=True)
class Kpi:
    key: str  # KPI_LABELS
    value: Decimal | None  # days, or a percentage
    unit: str  # "days" | "percent"
    basis: int  # how many records it is measured over

    @property
    def label(self) -> str:
        """In the reader's language when shown: a kept count serves every language."""
        return str(KPI_LABELS[self.key])

    @property
    def known(self) -> bool:
        return self.value is not None


def _local(moment) -> date:
    return timezone.localtime(moment).date()


@figcache.cached
def stage_kpis(scope: Scope, period: Period) -> list[Kpi]:
    accepted = selectors.FIGURES["cases_accepted"].records(scope, period)
    to_acceptance = list(accepted.values_list("received_on", "opened_on"))

    decided = selectors.support_decisions(scope, period).values_list(
        "case__opened_on", "decided_at"
    )
    to_decision = [(opened, _local(at)) for opened, at in decided]

    judgments = scope.on_cases(CourtEvent.objects).filter(
        kind=CourtEventKind.JUDGMENT,
        on__range=(period.start, period.end),
    )
    to_judgment = list(judgments.values_list("case__opened_on", "on"))
    awarded = judgments.filter(amount_awarded__gt=0).count()

    recovered = selectors.FIGURES["cases_closed"].records(scope, period)
    to_recovery = list(
        recovered.filter(outcome=Outcome.RECOVERED_IN_FULL).values_list("opened_on", "closed_on")
    )

    mediations = scope.on_cases(Mediation.objects).filter(
        held_on__range=(period.start, period.end),
        outcome__in=(MediationOutcome.AGREEMENT, MediationOutcome.FAILED),
    )
    ended, agreed = mediations.aggregate(
        ended=Count("pk"), agreed=Count("pk", filter=Q(outcome=MediationOutcome.AGREEMENT))
    ).values()

    visits = scope.on_cases(Visit.objects).filter(done_on__range=(period.start, period.end))
    made, on_time = visits.aggregate(
        made=Count("pk"), on_time=Count("pk", filter=Q(done_on__lte=F("planned_on")))
    ).values()

    return [
        Kpi(
            "lead_to_acceptance",
            _mean_days(to_acceptance),
            "days",
            len(to_acceptance),
        ),
        Kpi(
            "acceptance_to_decision",
            _mean_days(to_decision),
            "days",
            len(to_decision),
        ),
        Kpi(
            "acceptance_to_judgment",
            _mean_days(to_judgment),
            "days",
            len(to_judgment),
        ),
        Kpi(
            "acceptance_to_recovery",
            _mean_days(to_recovery),
            "days",
            len(to_recovery),
        ),
        Kpi(
            "mediation_success",
            _share(agreed, ended),
            "percent",
            ended,
        ),
        Kpi(
            "judgments_won",
            _share(awarded, len(to_judgment)),
            "percent",
            len(to_judgment),
        ),
        Kpi(
            "visits_on_time",
            _share(on_time, made),
            "percent",
            made,
        ),
    ]


@dataclass(frozen=True)
class AgencyRow:
    """The transfers exchanged with one agency (or department) in the period."""

    name: str
    sent: int
    received: int
    answered: int  # of those sent, answered by the other side
    answer_days: Decimal | None  # mean days from sending to the answer
    overdue: int  # of those sent, not answered and past their answer date


@figcache.cached
def transfers_by_agency(scope: Scope, period: Period) -> list[AgencyRow]:
    today = timezone.localdate()
    sent = (
        selectors.FIGURES["transfers_sent"]
        .records(scope, period)
        .select_related("to_org", "to_department")
    )
    received = (
        selectors.FIGURES["transfers_received"]
        .records(scope, period)
        .select_related("from_org", "from_department")
    )
    rows: dict[str, dict] = defaultdict(
        lambda: {"sent": 0, "received": 0, "answered": 0, "spans": [], "overdue": 0}
    )
    for t in sent:
        row = rows[t.receiver_label]
        row["sent"] += 1
        if t.answered_at:
            row["answered"] += 1
            row["spans"].append((_local(t.sent_at), _local(t.answered_at)))
        elif t.feedback_due < today and t.status in OPEN_FOR_RECEIVER:
            row["overdue"] += 1
    for t in received:
        rows[t.sender_label]["received"] += 1
    return sorted(
        (
            AgencyRow(
                name=name,
                sent=r["sent"],
                received=r["received"],
                answered=r["answered"],
                answer_days=_mean_days(r["spans"]),
                overdue=r["overdue"],
            )
            for name, r in rows.items()
        ),
        key=lambda row: (-(row.sent + row.received), row.name),
    )
