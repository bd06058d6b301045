"""What the dashboard shows: each figure with the period before it and the link to its records,
and the charts' rows (frozen rows shared by the page and its script's data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Role
from zhichi.stats import figcache, kpis
from zhichi.stats.period import Period
from zhichi.stats.selectors import (
    FIGURES,
    GroupRow,
    Scope,
    Summary,
    breakdown,
    by_category,
    may_see_stats,
    summary,
)

# the headline card (issue 15: cases supported, people helped, of whom migrant workers, money
# claimed vs recovered); the other figures follow it
HEADLINE = ("cases_supported", "claimants", "migrant_workers", "amount_claimed", "amount_recovered")
CHART_TITLES = {
    "month": _("Cases accepted and money recovered by month"),
    "stage": _("Cases accepted, by stage now"),
    "category": _("Cases accepted, by category"),
    "level": _("Cases accepted, by level"),
    "source": _("Cases accepted, by source"),
}


def period_query(scope: Scope, period: Period) -> dict[str, str]:
    """The dashboard's filters for ``period`` and the scope's department, as its links carry
    them."""
    query = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    if scope.department:
        query["department"] = scope.department.code
    return query


def dashboard_url(query: dict[str, str]) -> str:
    return f"{reverse('stats:dashboard')}?{urlencode({**query, 'period': 'custom'})}"


def figure_url(key: str, query: dict[str, str], **narrow: str) -> str:
    return f"{reverse('stats:figure', args=[key])}?{urlencode({**query, **narrow})}"


@dataclass(frozen=True)
class FigureCard:
    key: str
    label: str
    value: int | Decimal
    previous: int | Decimal
    url: str

    @property
    def is_amount(self) -> bool:
        return FIGURES[self.key].amount is not None

    @property
    def change(self) -> int | Decimal:
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """up | down | same, against the period before."""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


def compared(scope: Scope, period: Period) -> tuple[Summary, dict[str, FigureCard]]:
    """The period's summary, and each figure as a card beside the period before, linked to its
    records (the dashboard, a leader's headline and the period report alike)."""
    now, before = summary(scope, period), summary(scope, period.previous())
    query = period_query(scope, period)
    cards = {
        key: FigureCard(
            key=key,
            label=str(figure.label),
            value=now.values[key],
            previous=before.values[key],
            url=figure_url(key, query),
        )
        for key, figure in FIGURES.items()
    }
    return now, cards


@dataclass(frozen=True)
class ChartRow:
    label: str
    cases: int
    amount_claimed: Decimal
    amount_recovered: Decimal
    cases_url: str
    recovered_url: str


@dataclass(frozen=True)
class Chart:
    by: str
    title: str
    rows: tuple[ChartRow, ...]

    def data(self) -> dict:
        """For the chart script (json_script): labels, the series and each bar's link."""
        return {
            "by": self.by,
            "title": self.title,
            "labels": [r.label for r in self.rows],
            "cases": [r.cases for r in self.rows],
            "claimed": [float(r.amount_claimed) for r in self.rows],
            "recovered": [float(r.amount_recovered) for r in self.rows],
            "cases_urls": [r.cases_url for r in self.rows],
            "recovered_urls": [r.recovered_url for r in self.rows],
            "names": {
                "cases": str(_("Cases accepted")),
                "claimed": str(_("Money claimed (yuan)")),
                "recovered": str(_("Money recovered (yuan)")),
            },
        }


def chart(by: str, rows: list[GroupRow], query: dict[str, str]) -> Chart:
    return Chart(
        by=by,
        title=str(CHART_TITLES[by]),
        rows=tuple(
            ChartRow(
                label=r.label,
                cases=r.cases,
                amount_claimed=r.amount_claimed,
                amount_recovered=r.amount_recovered,
                cases_url=figure_url("cases_accepted", query, by=by, value=r.key),
                recovered_url=figure_url("amount_recovered", query, by=by, value=r.key),
            )
            for r in rows
        ),
    )


# the dashboard's charts, in the page's order
CHARTS = ("month", "stage", "category", "level", "source")


@dataclass(frozen=True)
class Dashboard:
    """Every figure the dashboard shows for one scope and period: what the page reads, and what
    ``manage.py warm_figures`` counts ahead."""

    summary: Summary
    cards: dict[str, FigureCard]
    charts: list[Chart]
    kpis: list
    agencies: list
    counted_at: datetime | None  # when the oldest of them was counted (stats.figcache)


def dashboard(scope: Scope, period: Period) -> Dashboard:
    query = period_query(scope, period)
    with figcache.collecting() as counted:
        now, cards = compared(scope, period)
        charts = [chart(by, breakdown(scope, period, by), query) for by in CHARTS]
        stage_kpis = kpis.stage_kpis(scope, period)
        agencies = kpis.transfers_by_agency(scope, period)
    return Dashboard(now, cards, charts, stage_kpis, agencies, counted.oldest)


LEADERS = frozenset({Role.CHIEF, Role.HEAD, Role.REGISTRAR})


@dataclass(frozen=True)
class Headline:
    """The headline card of this year for a leader's workbench (issue 15, item 2)."""

    period: Period
    cards: tuple[FigureCard, ...]
    recovery_rate: Decimal | None
    dashboard_url: str
    counted_at: datetime | None = None  # when the figures were counted (stats.figcache)


def headline_for(user, today) -> Headline | None:
    """For the chief procurator, the heads and the registry: their scope's year so far, compared
    with last year; None for everyone else."""
    if user.role not in LEADERS or not may_see_stats(user):
        return None
    period, scope = Period.of("year", today), Scope(user)
    with figcache.collecting() as counted:
        now, cards = compared(scope, period)
    return Headline(
        period=period,
        cards=tuple(cards[k] for k in HEADLINE),
        recovery_rate=now.recovery_rate,
        dashboard_url=dashboard_url(period_query(scope, period)),
        counted_at=counted.oldest,
    )


def report_context(user, scope: Scope, period: Period) -> dict:
    """What the period report shows (the page, its PDF and its Excel file alike)."""
    now, cards = compared(scope, period)
    return {
        "organisation": user.organisation,
        "period": period,
        "previous": period.previous(),
        "scope": scope,
        "generated_on": timezone.localdate(),
        # the dashboard's figures with the period before (their links go unused on paper)
        "lines": list(cards.values()),
        "recovery_rate": now.recovery_rate,
        "categories": by_category(scope, period),
        "months": breakdown(scope, period, "month"),
        "kpis": kpis.stage_kpis(scope, period),
    }
