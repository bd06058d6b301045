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
from zhichi.common.validation import Collector
from zhichi.common.words import message
from zhichi.core import assistance, calendar, criminal, money, wages
from zhichi.rulebook import loaders
from zhichi.rulebook.models import WageSeries
from zhichi.rulebook.services import PROVINCE_CODES
from zhichi.rulebook.words import PERIOD_BASES, period_words, threshold_rows, verdict_words

UNITS = ("days", "months", "years", "working_days")
MAX_UNIT = {"days": 36500, "months": 1200, "years": 100, "working_days": 10000}
EVASION = tuple(criminal.EVASION_KINDS.items())  # rule CR-3: the evaluator's own list


def not_computed() -> str:
    """What every calculator answers when its input has errors."""
    return _("The request is not valid; nothing was computed.")


def _province(c: Collector, data: dict) -> str:
    province = c.text(data, "province", "province", required=True, max_length=2)
    if province and province not in PROVINCE_CODES:
        c.add("province", "unknown", _("Enter a two-digit province code (GB/T 2260), e.g. 53."))
    return province


def deadline_kinds() -> list[tuple[str, calendar.StatutoryPeriod]]:
    return sorted(calendar.PERIODS.items())


def deadline(data: dict) -> dict:
    """rules TL-1 … TL-9, JA-6: a named statutory period, or a custom number of units."""
    c = Collector()
    kind = c.text(data, "kind", "kind", max_length=60) or "custom"
    if kind != "custom" and kind not in calendar.PERIODS:
        c.add("kind", "choice", _("Unknown period; use “custom” or one of the listed kinds."))
    start = c.day(data, "start", "start", required=True)
    given = {}
    for unit in UNITS:
        value = c.whole(data, unit, unit, minimum=1, maximum=MAX_UNIT[unit])
        if value is not None:
            given[unit] = value
    if len(given) > 1:
        c.add("days", "one_unit", _("Give only one of days, months, years or working_days."))
    if kind == "custom" and not given and not any(e.field in UNITS for e in c.errors):
        c.add("days", "required", _("Give the period: days, months, years or working_days."))
    c.raise_if_errors(not_computed())
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
    c = Collector()
    province = _province(c, data)
    as_of = c.day(data, "as_of", "as_of") or timezone.localdate()
    workers = []
    for i, raw in enumerate(c.items(data, "workers", "workers", maximum=10000)):
        if not isinstance(raw, dict):
            c.add(f"workers.{i}", "type", _("Each worker must be an object."))
            continue
        amount = c.money(raw, "amount", f"workers.{i}.amount", required=True)
        months = c.whole(raw, "months", f"workers.{i}.months", minimum=0, maximum=600)
        if amount is not None:
            workers.append(criminal.Worker(amount=amount, months=months or 0))
    order = None
    raw_order = data.get("payment_order")
    if raw_order not in (None, {}):
        if not isinstance(raw_order, dict):
            c.add("payment_order", "type", _("The order to pay must be an object."))
        else:
            issued = c.day(raw_order, "issued_on", "payment_order.issued_on")
            due = c.day(raw_order, "deadline", "payment_order.deadline")
            if issued and due and due < issued:
                c.add(
                    "payment_order.deadline",
                    "before_issue",
                    _("The deadline cannot be before the order was issued."),
                )
            authority = c.text(raw_order, "authority", "payment_order.authority", max_length=200)
            order = criminal.PaymentOrder(issued_on=issued, deadline=due, authority=authority)
    paid = c.boolean(data, "paid_after_order", "paid_after_order")
    evasion = c.choices(data, "evasion", "evasion", EVASION)
    c.raise_if_errors(not_computed())
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
    c = Collector()
    province = _province(c, data)
    wage_year = c.whole(data, "wage_year", "wage_year", minimum=1990, maximum=2100)
    if wage_year is None and not any(e.field == "wage_year" for e in c.errors):
        c.add("wage_year", "required", _("Enter the statistical year of the average wage."))
    default_series = loaders.setting("assistance_wage_series", WageSeries.ON_POST)
    series = c.choice(data, "series", "series", WageSeries.choices, default=default_series)
    c.raise_if_errors(not_computed())
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
    c = Collector()
    monthly = c.money(data, "monthly_wage", "monthly_wage", required=True)
    months_unpaid = c.whole(data, "months_unpaid", "months_unpaid", minimum=0, maximum=600)
    paid = c.money(data, "amount_paid", "amount_paid") or Decimal("0.00")
    start = c.day(data, "service_start", "service_start")
    end = c.day(data, "service_end", "service_end")
    written = c.boolean(data, "written_contract", "written_contract", default=True)
    local_avg = c.money(data, "local_avg_monthly_wage", "local_avg_monthly_wage")
    deadline_passed = c.boolean(data, "order_deadline_passed", "order_deadline_passed")
    if start and end and end < start:
        c.add("service_end", "before_start", _("The service cannot end before it started."))
    c.raise_if_errors(not_computed())
    try:
        result = wages.claim(
            monthly_wage=monthly,
            months_unpaid=months_unpaid or 0,
            amount_paid=paid,
            service_start=start,
            service_end=end,
            written_contract=written,
            local_avg_monthly_wage=local_avg,
            order_deadline_passed=deadline_passed,
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
    c = Collector()
    amount = c.money(data, "amount", "amount", required=True)
    c.raise_if_errors(not_computed())
    try:
        text = money.rmb_capital(amount)
    except ValueError as exc:
        raise InvalidInput([FieldError("amount", "range", str(exc))]) from None
    return {"amount": f"{amount:.2f}", "text": text, "rule": "DOC-2"}


def today() -> date:
    return timezone.localdate()
