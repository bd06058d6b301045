"""Entering dated configuration: each change is one audited function (C17)."""

from __future__ import annotations

import json
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import NotPermitted
from zhichi.common.inputs import parse
from zhichi.common.validation import Collector
from zhichi.rulebook import loaders, rules
from zhichi.rulebook.models import (
    AverageWage,
    CalendarDay,
    CampaignWindow,
    CriminalThreshold,
    HolidayYear,
    RuleSetting,
)
from zhichi.rulebook.schemas import (
    AverageWageIn,
    CampaignIn,
    HolidayYearIn,
    ProvinceCapIn,
    RiskRulesIn,
    SeriesIn,
    ThresholdIn,
)
from zhichi.rulebook.signals import threshold_entered


def _read(schema, data, detail: str):
    """``data`` through ``schema``; a refusal says what was not saved."""
    return parse(schema, data, detail=detail)


def _require_editor(actor: User, action: str) -> None:
    if not rules.can_edit(actor):
        record(action=action, actor=actor, outcome="denied")
        raise NotPermitted(_("Only the system administrator may change the law library settings."))


def enter_holiday_year(*, actor: User, data: HolidayYearIn | dict) -> HolidayYear:
    """Enter (or correct) one year's State Council holiday notice (rule TL-1)."""
    _require_editor(actor, "rulebook.holidays")
    data = _read(HolidayYearIn, data, _("The notice has errors; nothing was saved."))
    year, title, number = data.year, data.notice_title, data.notice_number or ""
    published_on, source, entries = data.published_on, data.source, data.entries()
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


def add_criminal_threshold(*, actor: User, data: ThresholdIn | dict) -> CriminalThreshold:
    """A province's 数额较大 figures from a date on (rule CR-4); earlier figures stay for history."""
    _require_editor(actor, "rulebook.threshold")
    data = _read(ThresholdIn, data, _("The figures have errors; nothing was saved."))
    province, effective_from, source = data.province, data.effective_from, data.source
    individual, collective, note = data.individual, data.collective, data.note or ""
    c = Collector()
    if CriminalThreshold.objects.filter(province=province, effective_from=effective_from).exists():
        c.add("effective_from", "exists", _("Figures from this date are already entered."))
    if not c.errors:
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


def add_average_wage(*, actor: User, data: AverageWageIn | dict) -> AverageWage:
    """A province's published average wage for a statistical year (rules JA-4, JA-5)."""
    _require_editor(actor, "rulebook.wage")
    data = _read(AverageWageIn, data, _("The figure has errors; nothing was saved."))
    province, wage_year, series = data.province, data.wage_year, data.series
    annual, published_on, source = data.annual, data.published_on, data.source
    c = Collector()
    if AverageWage.objects.filter(province=province, wage_year=wage_year, series=series).exists():
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


def add_campaign_window(*, actor: User, data: CampaignIn | dict) -> CampaignWindow:
    """rule EW-2: a winter campaign as announced; it may not overlap another one."""
    _require_editor(actor, "rulebook.campaign")
    headline = _("The campaign has errors; nothing was saved.")
    data = _read(CampaignIn, data, headline)
    c = Collector()
    if CampaignWindow.objects.filter(
        starts_on__lte=data.ends_on, ends_on__gte=data.starts_on
    ).exists():
        c.add("starts_on", "overlap", _("Another campaign already covers some of these days."))
    c.raise_if_errors(headline)
    with transaction.atomic():
        window = CampaignWindow.objects.create(
            starts_on=data.starts_on, ends_on=data.ends_on, source=data.source, entered_by=actor
        )
        record(
            action="rulebook.campaign",
            actor=actor,
            obj=window,
            detail={
                "starts_on": data.starts_on.isoformat(),
                "ends_on": data.ends_on.isoformat(),
                "source": data.source,
            },
        )
    return window


def set_risk_rules(*, actor: User, data: RiskRulesIn | dict) -> RuleSetting:
    """rule EW-3: the risk score's weights and thresholds; the change names what it was before.
    Cases are scored with them from their next change (and the employer profile at once)."""
    _require_editor(actor, "rulebook.risk")
    data = _read(RiskRulesIn, data, _("The settings have errors; nothing was saved."))
    values = data.values()
    with transaction.atomic():
        before = loaders.risk_settings()
        row, _created = RuleSetting.objects.update_or_create(
            key=loaders.RISK_RULES_KEY,
            defaults={
                "value": json.dumps(values, sort_keys=True),
                "source": data.source,
                "changed_by": actor,
                "changed_at": timezone.now(),
            },
        )
        record(
            action="rulebook.risk",
            actor=actor,
            obj=row,
            detail={"before": before, "after": values, "source": data.source},
        )
    return row


def set_assistance_series(*, actor: User, series: str, source: str) -> RuleSetting:
    """Which wage series the assistance cap uses (JA-5: the choice is shown on every result)."""
    _require_editor(actor, "rulebook.setting")
    data = parse(SeriesIn, {"series": series, "source": source})
    series, source = data.series, data.source
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


def set_province_cap(*, actor: User, data: ProvinceCapIn | dict) -> RuleSetting | None:
    """A province's own lower cap on judicial assistance (rule JA-4: "provinces may set lower
    caps", e.g. Hunan ≤ ¥50,000). An empty amount removes it; the source is always required."""
    _require_editor(actor, "rulebook.setting")
    data = _read(ProvinceCapIn, data, _("The setting has errors; nothing was saved."))
    province, amount, source = data.province, data.amount, data.source
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
