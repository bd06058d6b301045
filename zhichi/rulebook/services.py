"""Entering dated configuration: each change is one audited function (C17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, NotPermitted
from zhichi.common.validation import Collector
from zhichi.core.identifiers import MAINLAND_PROVINCES
from zhichi.rulebook import rules
from zhichi.rulebook.models import (
    AverageWage,
    CalendarDay,
    CriminalThreshold,
    DayKind,
    HolidayYear,
    RuleSetting,
    WageSeries,
)
from zhichi.rulebook.signals import threshold_entered

PROVINCE_CODES = MAINLAND_PROVINCES
# how far ahead a province figure may take effect (add_criminal_threshold)
MAX_DAYS_AHEAD = 366


def _require_editor(actor: User, action: str) -> None:
    if not rules.can_edit(actor):
        record(action=action, actor=actor, outcome="denied")
        raise NotPermitted(_("Only the system administrator may change the law library settings."))


@dataclass(frozen=True)
class DayEntry:
    date: date
    kind: str
    name: str


def parse_days(text: str, year: int) -> tuple[list[DayEntry], list[FieldError]]:
    """Lines like ``2027-02-05..2027-02-13 春节`` (days off) or ``2027-02-14 上班 春节``.

    A line whose words include 上班/调休上班/workday marks make-up working days.
    """
    entries: list[DayEntry] = []
    errors: list[FieldError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _sep, rest = line.partition(" ")
        words = rest.split()
        kind = DayKind.HOLIDAY
        if words and words[0].lower() in {"上班", "调休上班", "workday"}:
            kind = DayKind.WORKDAY
            words = words[1:]
        name = " ".join(words)[:60]
        try:
            if ".." in head:
                first_s, last_s = head.split("..", 1)
                first, last = date.fromisoformat(first_s), date.fromisoformat(last_s)
            else:
                first = last = date.fromisoformat(head)
        except ValueError:
            errors.append(
                FieldError(
                    "days",
                    "date",
                    _(
                        "Line %(n)d: write a date as YYYY-MM-DD or a range as YYYY-MM-DD..YYYY-MM-DD."
                    )
                    % {"n": number},
                )
            )
            continue
        if last < first or (last - first).days > 31:
            errors.append(
                FieldError(
                    "days", "range", _("Line %(n)d: the range is not valid.") % {"n": number}
                )
            )
            continue
        if not name:
            errors.append(
                FieldError("days", "name", _("Line %(n)d: name the holiday.") % {"n": number})
            )
            continue
        day = first
        while day <= last:
            if day.year != year:
                errors.append(
                    FieldError(
                        "days",
                        "year",
                        _("Line %(n)d: %(day)s is not in %(year)d.")
                        % {"n": number, "day": day, "year": year},
                    )
                )
                break
            entries.append(DayEntry(day, kind, name))
            day = date.fromordinal(day.toordinal() + 1)
    seen: set[date] = set()
    for e in entries:
        if e.date in seen:
            errors.append(
                FieldError("days", "duplicate", _("%(day)s is listed twice.") % {"day": e.date})
            )
        seen.add(e.date)
    return entries, errors


def enter_holiday_year(*, actor: User, data: dict) -> HolidayYear:
    """Enter (or correct) one year's State Council holiday notice (rule TL-1)."""
    _require_editor(actor, "rulebook.holidays")
    c = Collector()
    year = c.whole(data, "year", "year", minimum=2000, maximum=2100)
    if year is None and not any(e.field == "year" for e in c.errors):
        c.add("year", "required", _("Enter the year."))
    title = c.text(data, "notice_title", "notice_title", required=True, max_length=200)
    number = c.text(data, "notice_number", "notice_number", max_length=100)
    published_on = c.day(data, "published_on", "published_on", not_after=timezone.localdate())
    source = c.text(data, "source", "source", required=True, max_length=300)
    days_text = data.get("days") or ""
    entries: list[DayEntry] = []
    if not isinstance(days_text, str) or not days_text.strip():
        c.add("days", "required", _("List the days off and the make-up working days."))
    elif year is not None:
        entries, day_errors = parse_days(days_text, year)
        c.errors.extend(day_errors)
        if not day_errors and not any(e.kind == DayKind.HOLIDAY for e in entries):
            c.add("days", "no_holidays", _("A notice lists at least one day off."))
    c.raise_if_errors(_("The notice has errors; nothing was saved."))
    with transaction.atomic():
        notice, created = HolidayYear.objects.update_or_create(
            year=year,
            defaults={
                "notice_title": title,
                "notice_number": number,
                "published_on": published_on,
                "source": source,
                "entered_by": actor,
                "entered_at": timezone.now(),
            },
        )
        replaced = notice.days.count()
        notice.days.all().delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(year=notice, date=e.date, kind=e.kind, name=e.name) for e in entries
        )
        record(
            action="rulebook.holidays",
            actor=actor,
            obj=notice,
            detail={
                "year": year,
                "created": created,
                "days": len(entries),
                "replaced_days": replaced,
                "source": source,
            },
        )
    return notice


def _money_fields(c: Collector, data: dict, *names: str) -> dict:
    out = {}
    for name in names:
        value = c.money(data, name, name, required=True)
        if value is not None and value <= 0:
            c.add(name, "positive", _("Enter an amount above zero."))
        out[name] = value
    return out


def add_criminal_threshold(*, actor: User, data: dict) -> CriminalThreshold:
    """A province's 数额较大 figures from a date on (rule CR-4); earlier figures stay for history."""
    _require_editor(actor, "rulebook.threshold")
    c = Collector()
    province = c.text(data, "province", "province", required=True, max_length=2)
    if province and province not in PROVINCE_CODES:
        c.add("province", "unknown", _("Enter a two-digit province code (GB/T 2260), e.g. 53."))
    amounts = _money_fields(c, data, "individual", "collective")
    effective_from = c.day(data, "effective_from", "effective_from", required=True)
    latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    if effective_from and effective_from > latest:
        # figures are entered when the provincial document is published; a date further ahead
        # is most likely a typing error, and would leave the cases unchecked until then
        c.add(
            "effective_from",
            "too_late",
            _("Enter an effective date no later than %(day)s (a year from today).")
            % {"day": latest.isoformat()},
        )
    source = c.text(data, "source", "source", required=True, max_length=300)
    note = c.text(data, "note", "note", max_length=300)
    individual, collective = amounts["individual"], amounts["collective"]
    if (
        effective_from
        and province
        and CriminalThreshold.objects.filter(
            province=province, effective_from=effective_from
        ).exists()
    ):
        c.add("effective_from", "exists", _("Figures from this date are already entered."))
    if not c.errors and effective_from:
        national = (
            CriminalThreshold.objects.filter(
                province=CriminalThreshold.NATIONAL, effective_from__lte=effective_from
            )
            .order_by("-effective_from")
            .first()
        )
        if national is None:
            first = (
                CriminalThreshold.objects.filter(province=CriminalThreshold.NATIONAL)
                .order_by("effective_from")
                .values_list("effective_from", flat=True)
                .first()
            )
            if first is not None:
                # rule CR-4: a province fixes its figures within the national range; before the
                # range took effect there is nothing for them to apply to
                c.add(
                    "effective_from",
                    "before_national_range",
                    _(
                        "The national range (法释〔2013〕3号) took effect on %(day)s: enter a date "
                        "on or after it."
                    )
                    % {"day": first.isoformat()},
                )
        else:
            for field, value, floor, ceiling in (
                ("individual", individual, national.individual, national.individual_ceiling),
                ("collective", collective, national.collective, national.collective_ceiling),
            ):
                if value < floor or (ceiling is not None and value > ceiling):
                    c.add(
                        field,
                        "out_of_range",
                        _("Outside the national range %(floor)s–%(ceiling)s (法释〔2013〕3号).")
                        % {"floor": floor, "ceiling": ceiling},
                    )
    c.raise_if_errors(_("The figures have errors; nothing was saved."))
    with transaction.atomic():
        row = CriminalThreshold.objects.create(
            province=province,
            individual=individual,
            collective=collective,
            effective_from=effective_from,
            source=source,
            note=note,
            entered_by=actor,
        )
        record(
            action="rulebook.threshold",
            actor=actor,
            obj=row,
            detail={
                "province": province,
                "individual": str(individual),
                "collective": str(collective),
                "effective_from": effective_from.isoformat(),
                "source": source,
            },
        )
        # the cases app checks the province's open cases again with it (after the commit: a
        # figure that was not saved changes nothing); robust: a queue that cannot take the work
        # must not undo the figure, which the next change of a case's facts applies anyway
        transaction.on_commit(
            partial(threshold_entered.send, sender=CriminalThreshold, threshold=row),
            robust=True,
        )
    return row


def add_average_wage(*, actor: User, data: dict) -> AverageWage:
    """A province's published average wage for a statistical year (rules JA-4, JA-5)."""
    _require_editor(actor, "rulebook.wage")
    c = Collector()
    province = c.text(data, "province", "province", required=True, max_length=2)
    if province and province not in PROVINCE_CODES:
        c.add("province", "unknown", _("Enter a two-digit province code (GB/T 2260), e.g. 53."))
    wage_year = c.whole(data, "wage_year", "wage_year", minimum=1990, maximum=2100)
    if wage_year is None and not any(e.field == "wage_year" for e in c.errors):
        c.add("wage_year", "required", _("Enter the statistical year."))
    series = c.choice(data, "series", "series", WageSeries.choices)
    annual = _money_fields(c, data, "annual")["annual"]
    published_on = c.day(
        data, "published_on", "published_on", required=True, not_after=timezone.localdate()
    )
    source = c.text(data, "source", "source", required=True, max_length=300)
    if (
        province
        and wage_year
        and series
        and AverageWage.objects.filter(
            province=province, wage_year=wage_year, series=series
        ).exists()
    ):
        c.add("wage_year", "exists", _("This figure is already entered for that year and series."))
    c.raise_if_errors(_("The figure has errors; nothing was saved."))
    with transaction.atomic():
        row = AverageWage.objects.create(
            province=province,
            wage_year=wage_year,
            series=series,
            annual=annual,
            published_on=published_on,
            source=source,
            entered_by=actor,
        )
        record(
            action="rulebook.wage",
            actor=actor,
            obj=row,
            detail={
                "province": province,
                "wage_year": wage_year,
                "series": series,
                "annual": str(annual),
                "source": source,
            },
        )
    return row


def set_assistance_series(*, actor: User, series: str, source: str) -> RuleSetting:
    """Which wage series the assistance cap uses (JA-5: the choice is shown on every result)."""
    _require_editor(actor, "rulebook.setting")
    c = Collector()
    series = c.choice({"series": series}, "series", "series", WageSeries.choices)
    source = c.text({"source": source}, "source", "source", required=True, max_length=300)
    c.raise_if_errors("")
    with transaction.atomic():
        row, _created = RuleSetting.objects.update_or_create(
            key="assistance_wage_series",
            defaults={
                "value": series,
                "source": source,
                "changed_by": actor,
                "changed_at": timezone.now(),
            },
        )
        record(
            action="rulebook.setting",
            actor=actor,
            obj=row,
            detail={"series": series, "source": source},
        )
    return row


def set_province_cap(*, actor: User, data: dict) -> RuleSetting | None:
    """A province's own lower cap on judicial assistance (rule JA-4: "provinces may set lower
    caps", e.g. Hunan ≤ ¥50,000). An empty amount removes it; the source is always required."""
    _require_editor(actor, "rulebook.setting")
    c = Collector()
    province = c.text(data, "province", "province", required=True, max_length=2)
    if province and province not in PROVINCE_CODES:
        c.add("province", "unknown", _("Enter a two-digit province code (GB/T 2260), e.g. 53."))
    amount = c.money(data, "amount", "amount")
    if amount is not None and amount <= 0:
        c.add("amount", "positive", _("Enter an amount above zero, or leave it empty to remove."))
    source = c.text(data, "source", "source", required=True, max_length=300)
    c.raise_if_errors(_("The setting has errors; nothing was saved."))
    key = f"assistance_province_cap_{province}"
    with transaction.atomic():
        if amount is None:
            removed, _rows = RuleSetting.objects.filter(key=key).delete()
            record(
                action="rulebook.setting",
                actor=actor,
                object_type="rulebook.rulesetting",
                object_id=key,
                detail={"key": key, "removed": bool(removed), "source": source},
            )
            return None
        row, _created = RuleSetting.objects.update_or_create(
            key=key,
            defaults={
                "value": str(amount),
                "source": source,
                "changed_by": actor,
                "changed_at": timezone.now(),
            },
        )
        record(
            action="rulebook.setting",
            actor=actor,
            obj=row,
            detail={"key": key, "amount": str(amount), "source": source},
        )
    return row
