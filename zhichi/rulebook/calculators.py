"""The law library's calculators: read a plain payload, load the dated figures, call zhichi.core.

The rules API and the calculators page both call these, so input checking and output shape are
the same through either door. Invalid input raises InvalidInput with field paths (422).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse
from zhichi.common.words import message
from zhichi.core import assistance, calendar, criminal, money, wages
from zhichi.rulebook import loaders
from zhichi.rulebook.models import WageSeries
from zhichi.rulebook.schemas import (
    AssistanceCapIn,
    CapitalIn,
    CriminalLeadIn,
    DeadlineIn,
    WageClaimIn,
)
from zhichi.rulebook.words import PERIOD_BASES, period_words, threshold_rows, verdict_words


def not_computed() -> str:
    """What every calculator answers when its input has errors."""
    return _("The request is not valid; nothing was computed.")


def _read(schema, data):
    """``data`` through ``schema``; a refusal says that nothing was computed."""
    return parse(schema, data, detail=not_computed())


def deadline_kinds() -> list[tuple[str, calendar.StatutoryPeriod]]:
    return sorted(calendar.PERIODS.items())


def deadline(data: dict) -> dict:
    """rules TL-1 … TL-9, JA-6: a named statutory period, or a custom number of units."""
    data = _read(DeadlineIn, data)
    kind, start, given = data.kind or "custom", data.start, data.units()
    cal = loaders.holiday_calendar()
    try:
        if given:
            period = calendar.PERIODS.get(kind)
            result = calendar.compute_custom(
                start,
                cal,
                **given,
                rule=period.rule if period else "TL-1",
                basis=period.basis if period else "",
            )
        else:
            result = calendar.compute(kind, start, cal)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput([FieldError("start", "range", str(exc))]) from None
    return deadline_out(result, kind=kind)


def deadline_out(result: calendar.Deadline, *, kind: str) -> dict:
    """The answer in the reader's language: the period's length and its legal basis are made
    from codes (rulebook.words), never shown as the calendar's own words."""
    period = period_words(result.unit, result.count)
    return {
        "kind": kind,
        "start": result.start.isoformat(),
        "period": period,
        "unit": result.unit,
        "count": result.count,
        "counted": _("%(period)s counted from %(start)s, the start day not counted: %(end)s")
        % {"period": period, "start": result.start.isoformat(), "end": result.unrolled.isoformat()},
        "due": result.due.isoformat(),
        "unrolled": result.unrolled.isoformat(),
        "rolled_from": result.rolled_from.isoformat() if result.rolled_from else None,
        "rule": result.rule,
        "basis": PERIOD_BASES.words(message(kind)) if kind in PERIOD_BASES else "",
        "calendar_complete": result.calendar_complete,
        "missing_years": list(result.missing_years),
    }


def criminal_lead(data: dict) -> dict:
    """rules CR-1 … CR-8 with the province's figures in force on ``as_of``."""
    data = _read(CriminalLeadIn, data)
    province, paid, evasion = data.province, data.paid_after_order, data.evasion
    as_of = data.as_of or timezone.localdate()
    workers = [criminal.Worker(amount=w.amount, months=w.months or 0) for w in data.workers]
    given = data.payment_order
    order = None
    if given is not None and (given.issued_on or given.deadline or given.authority):
        order = criminal.PaymentOrder(
            issued_on=given.issued_on, deadline=given.deadline, authority=given.authority or ""
        )
    try:
        national = loaders.national_range(as_of)
    except loaders.MissingConfiguration as exc:
        raise InvalidInput(
            [
                FieldError(
                    "as_of",
                    "missing_configuration",
                    _("Not configured: %(what)s") % {"what": exc.missing},
                )
            ]
        ) from None
    try:
        verdict = criminal.evaluate(
            workers=workers,
            as_of=as_of,
            thresholds=loaders.criminal_thresholds(province, as_of),
            national=national,
            payment_order=order,
            paid_after_order=paid,
            evasion=evasion,
            province=province,
        )
    except criminal.LeadInputError as exc:
        raise InvalidInput([FieldError(exc.field, "invalid", exc.message)]) from None
    except ValueError as exc:
        raise InvalidInput([FieldError("as_of", "invalid", str(exc))]) from None
    out = verdict_words(verdict)  # reasons and next step in the reader's language
    out["province"] = province
    out["as_of"] = as_of.isoformat()
    out["figures"] = threshold_rows(out["threshold"])  # the page's rows of the figures used
    return out


def assistance_cap(data: dict) -> dict:
    """rules JA-4, JA-5: the cap from the province's average wage of the statistical year."""
    data = _read(AssistanceCapIn, data)
    province, wage_year = data.province, data.wage_year
    default_series = loaders.setting("assistance_wage_series", WageSeries.ON_POST)
    series = data.series or default_series
    months = int(loaders.setting("assistance_months", "36"))
    try:
        figure = assistance.find_figure(loaders.wage_figures(province), province, wage_year, series)
    except assistance.MissingFigure:
        message = _(
            "No average wage is entered for province %(province)s, year %(year)s, "
            "series %(series)s: enter it on the law library page."
        ) % {"province": province, "year": wage_year, "series": WageSeries(series).label}
        raise InvalidInput(
            [FieldError("wage_year", "missing_figure", message)], detail=message
        ) from None
    result = assistance.cap(figure, months=months)
    return {
        "province": province,
        "wage_year": result.wage_year,
        "monthly_wage": f"{result.monthly_wage:.2f}",
        "months": result.months,
        "cap": f"{result.cap:.2f}",
        "series": result.series,
        "series_label": str(WageSeries(result.series).label),
        "series_is_default": result.series == default_series,
        "source": result.source,
        "published_on": result.published_on.isoformat(),
        "rule": result.rule,
        "cap_in_words": money.rmb_capital(result.cap),
    }


def wage_claim(data: dict) -> dict:
    """rules LA-1 … LA-5: an itemised claim, each item with its rule id."""
    data = _read(WageClaimIn, data)
    try:
        result = wages.claim(
            monthly_wage=data.monthly_wage,
            months_unpaid=data.months_unpaid or 0,
            amount_paid=data.amount_paid or Decimal("0.00"),
            service_start=data.service_start,
            service_end=data.service_end,
            written_contract=data.written_contract,
            local_avg_monthly_wage=data.local_avg_monthly_wage,
            order_deadline_passed=data.order_deadline_passed,
        )
    except wages.WageInputError as exc:
        raise InvalidInput([FieldError(exc.field, "invalid", exc.message)]) from None
    return {
        "items": [
            {
                "kind": item.kind,
                "amount": f"{item.amount:.2f}",
                "amount_max": f"{item.amount_max:.2f}" if item.amount_max is not None else None,
                "rule": item.rule,
                "note": item.note,
            }
            for item in result.items
        ],
        "total": f"{result.total:.2f}",
        "total_max": f"{result.total_max:.2f}",
    }


def rmb_capital(data: dict) -> dict:
    """rule DOC-2."""
    amount = _read(CapitalIn, data).amount
    try:
        text = money.rmb_capital(amount)
    except ValueError as exc:
        raise InvalidInput([FieldError("amount", "range", str(exc))]) from None
    return {"amount": f"{amount:.2f}", "text": text, "rule": "DOC-2"}


def today() -> date:
    return timezone.localdate()
