"""Load the dated configuration into the law library's plain values (zhichi.core types)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max
from django.utils import timezone

from zhichi.core.assistance import WageFigure
from zhichi.core.calendar import HolidayCalendar
from zhichi.core.criminal import Figure, NationalRange, Thresholds
from zhichi.core.grading import RiskRules
from zhichi.rulebook.models import (
    AverageWage,
    CalendarDay,
    CampaignWindow,
    CriminalThreshold,
    DayKind,
    HolidayYear,
    RuleSetting,
)
from zhichi.rulebook.schemas import RISK_RULE_NAMES

_calendar_cache: dict[tuple, HolidayCalendar] = {}


def holiday_calendar() -> HolidayCalendar:
    """Every loaded year's holidays and make-up working days (cached until a notice changes)."""
    # one query tells whether a notice changed since the cached calendar was read
    generation = HolidayYear.objects.aggregate(
        n=Count("id", distinct=True), last=Max("entered_at"), days=Count("days")
    )
    key = (generation["n"], generation["last"], generation["days"])
    cached = _calendar_cache.get(key)
    if cached is not None:
        return cached
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    calendar = HolidayCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(HolidayYear.objects.values_list("year", flat=True)),
    )
    _calendar_cache.clear()
    _calendar_cache[key] = calendar
    return calendar


def _figure(value, row: CriminalThreshold) -> Figure:
    return Figure(value=value, source=row.source, effective_from=row.effective_from)


def criminal_thresholds(province: str, as_of: date) -> Thresholds | None:
    """The province's figures in force on ``as_of``, or None when none is entered (rule CR-4)."""
    row = (
        CriminalThreshold.objects.filter(province=province, effective_from__lte=as_of)
        .order_by("-effective_from")
        .first()
    )
    if row is None or province == CriminalThreshold.NATIONAL:
        return None
    return Thresholds(
        province=province,
        individual=_figure(row.individual, row),
        collective=_figure(row.collective, row),
    )


class MissingConfiguration(Exception):
    """A figure the rules need is not entered; ``missing`` says which."""

    def __init__(self, missing: str):
        self.missing = missing
        super().__init__(missing)


def national_range(as_of: date) -> NationalRange:
    row = (
        CriminalThreshold.objects.filter(
            province=CriminalThreshold.NATIONAL, effective_from__lte=as_of
        )
        .order_by("-effective_from")
        .first()
    )
    if row is None or row.individual_ceiling is None or row.collective_ceiling is None:
        raise MissingConfiguration(f"national range of 数额较大 in force on {as_of}")
    return NationalRange(
        individual_floor=_figure(row.individual, row),
        individual_ceiling=_figure(row.individual_ceiling, row),
        collective_floor=_figure(row.collective, row),
        collective_ceiling=_figure(row.collective_ceiling, row),
    )


def wage_figures(province: str) -> list[WageFigure]:
    return [
        WageFigure(
            province=row.province,
            wage_year=row.wage_year,
            series=row.series,
            annual=row.annual,
            source=row.source,
            published_on=row.published_on,
        )
        for row in AverageWage.objects.filter(province=province)
    ]


def setting(key: str, default: str) -> str:
    row = RuleSetting.objects.filter(key=key).first()
    return row.value if row else default


def province_cap(province: str) -> Figure | None:
    """A province's own lower cap on judicial assistance (rule JA-4: e.g. Hunan ≤ ¥50,000), kept
    as the rule setting ``assistance_province_cap_<code>``; None when the province has none."""
    row = RuleSetting.objects.filter(key=f"assistance_province_cap_{province}").first()
    if row is None:
        return None
    try:
        value = Decimal(row.value)
    except ArithmeticError:
        return None
    if not value.is_finite() or value <= 0:
        return None
    return Figure(value=value, source=row.source, effective_from=timezone.localdate(row.changed_at))


def campaign(as_of: date) -> dict:
    """rule EW-2: the winter campaign holding ``as_of``, as ``RiskRules`` keywords (its first day
    and its last); empty when none entered holds that day, so the window does not count."""
    window = CampaignWindow.objects.filter(starts_on__lte=as_of, ends_on__gte=as_of).first()
    if window is None:
        return {}
    return {
        "campaign_start_month": window.starts_on.month,
        "campaign_start_day": window.starts_on.day,
        "campaign_end": window.ends_on,
    }


RISK_RULES_KEY = "risk_rules"


def risk_settings() -> dict[str, int]:
    """rule EW-3: the weights and thresholds the system administrator set (``RiskRulesIn``), or
    none (the defaults of ``grading.RiskRules``)."""
    row = RuleSetting.objects.filter(key=RISK_RULES_KEY).first()
    if row is None:
        return {}
    try:
        stored = json.loads(row.value)
    except ValueError:
        return {}
    return {k: v for k, v in stored.items() if k in RISK_RULE_NAMES and isinstance(v, int)}


def risk_rules(as_of: date, collective_threshold: Figure | None) -> RiskRules:
    """The one way the risk score's rules are read (EW-3 with the EW-2 campaign holding
    ``as_of``): what the case page, the employer profile and the alerts all score with."""
    return RiskRules(
        collective_threshold=collective_threshold, **campaign(as_of), **risk_settings()
    )
