"""The law library's inputs, declared once: the API validates its bodies with them, and the
calculators and the services read a page's values (or a caller's dict) through them.

The order to pay is sent to the criminal-lead check (``POST /rules/criminal-lead``) and stored on
a lead and on a case's facts, so it is declared here once, below all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from zhichi.common.errors import FieldError
from zhichi.common.schemas import (
    IDENTIFIER,
    Amount,
    Date,
    ObjectIn,
    OptionalAmount,
    OptionalDate,
    OptionalDay,
    OptionalPastDate,
    PastDate,
    PositiveAmount,
    StrippedIn,
    choice,
    kept,
    one_of,
    refusal,
    text,
    whole,
)
from zhichi.core import criminal
from zhichi.core.calendar import PERIODS
from zhichi.core.criminal import AUTHORITY_MAX_LENGTH
from zhichi.core.identifiers import MAINLAND_PROVINCES as PROVINCE_CODES
from zhichi.rulebook.models import DayKind, WageSeries


class PaymentOrderIn(ObjectIn):
    """The labour administration's order to pay (责令支付, rule CR-5). On a case's facts each
    part sent changes ("" or null clears it) and a part left out keeps its value."""

    authority: text(max_length=AUTHORITY_MAX_LENGTH) | None = Field(None, json_schema_extra=kept())
    issued_on: OptionalDay = Field(None, description="not in the future", json_schema_extra=kept())
    deadline: OptionalDay = Field(
        None, description="not before issued_on", json_schema_extra=kept()
    )


# --- helpers for the inputs below (and the apps above the law library) --------------------------
def _known_province(value: str) -> str:
    if value not in PROVINCE_CODES:
        raise PydanticCustomError(
            "unknown", str(_("Enter a two-digit province code (GB/T 2260), e.g. 53."))
        )
    return value


# a province: its two-digit GB/T 2260 code
Province = Annotated[text(max_length=2, required=True), AfterValidator(_known_province)]
PROVINCE_DOC = "GB/T 2260 two-digit code, e.g. 53"


# --- the calculators (rules TL-, CR-, JA-, LA-, DOC-) -------------------------------------------
UNITS = ("days", "months", "years", "working_days")
MAX_UNIT = {"days": 36500, "months": 1200, "years": 100, "working_days": 10000}
# how far ahead a province figure may take effect (ThresholdIn)
MAX_DAYS_AHEAD = 366
DEADLINE_KINDS = ("custom", *sorted(PERIODS))


class DeadlineIn(StrippedIn):
    kind: choice(DEADLINE_KINDS, required=False) = Field(
        "custom", description="a statutory period, or custom with one unit below"
    )
    start: Date
    days: whole(minimum=1, maximum=MAX_UNIT["days"]) = None
    months: whole(minimum=1, maximum=MAX_UNIT["months"]) = None
    years: whole(minimum=1, maximum=MAX_UNIT["years"]) = None
    working_days: whole(minimum=1, maximum=MAX_UNIT["working_days"]) = None

    @model_validator(mode="after")
    def _one_unit(self) -> DeadlineIn:
        given = self.units()
        if len(given) > 1:
            raise refusal(
                DeadlineIn,
                "days",
                "one_unit",
                _("Give only one of days, months, years or working_days."),
            )
        if (self.kind or "custom") == "custom" and not given:
            raise refusal(
                DeadlineIn,
                "days",
                "required",
                _("Give the period: days, months, years or working_days."),
            )
        return self

    def units(self) -> dict[str, int]:
        """The period's units given (one at most)."""
        return {u: getattr(self, u) for u in UNITS if getattr(self, u) is not None}


class WorkerIn(ObjectIn):
    amount: Amount
    months: whole(minimum=0, maximum=600) = None


class CriminalLeadIn(StrippedIn):
    province: Province = Field(..., description=PROVINCE_DOC)
    as_of: OptionalDate = Field(None, description="default today")
    workers: list[WorkerIn] = Field(..., max_length=10000)
    payment_order: PaymentOrderIn | None = None
    paid_after_order: bool = False
    evasion: list[one_of(criminal.EVASION_KINDS)] = Field(
        default_factory=list, description="how the employer evades paying (rule CR-3)"
    )

    @field_validator("evasion")
    @classmethod
    def _once_each(cls, evasion: list[str]) -> list[str]:
        return list(dict.fromkeys(evasion))

    @model_validator(mode="after")
    def _order_dates(self) -> CriminalLeadIn:
        order = self.payment_order
        for field in ("issued_on", "deadline"):
            day = getattr(order, field, None)
            if day is not None and day.year < 1900:
                raise refusal(
                    CriminalLeadIn,
                    f"payment_order.{field}",
                    "date_range",
                    _("Enter a date after 1900."),
                    day.isoformat(),
                )
        issued, due = getattr(order, "issued_on", None), getattr(order, "deadline", None)
        if issued and due and due < issued:
            raise refusal(
                CriminalLeadIn,
                "payment_order.deadline",
                "before_issue",
                _("The deadline cannot be before the order was issued."),
                due.isoformat(),
            )
        return self


class AssistanceCapIn(StrippedIn):
    province: Province = Field(..., description=PROVINCE_DOC)
    wage_year: whole(minimum=1990, maximum=2100, required=True)
    series: choice(WageSeries, required=False) = Field(
        None, description="default: the one the law library is set to (on-post wages)"
    )


class WageClaimIn(StrippedIn):
    monthly_wage: Amount
    months_unpaid: whole(minimum=0, maximum=600) = None
    amount_paid: OptionalAmount = None
    service_start: OptionalDate = None
    service_end: OptionalDate = None
    written_contract: bool = True
    local_avg_monthly_wage: OptionalAmount = None
    order_deadline_passed: bool = False

    @field_validator("service_end")
    @classmethod
    def _not_before_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("service_start")
        if start and end and end < start:
            raise PydanticCustomError(
                "before_start", str(_("The service cannot end before it started."))
            )
        return end


class CapitalIn(StrippedIn):
    amount: Amount


class ValidateIn(Schema):
    id_number: text(max_length=IDENTIFIER) | None = None
    credit_code: text(max_length=IDENTIFIER) | None = None
    phone: text(max_length=IDENTIFIER) | None = None


# --- the law library page: dated figures entered by the administrator (C17) --------------------
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


Source = text(max_length=300, required=True)


class HolidayYearIn(StrippedIn):
    """One year's State Council holiday notice (rule TL-1)."""

    year: whole(minimum=2000, maximum=2100, required=True)
    notice_title: text(max_length=200, required=True)
    notice_number: text(max_length=100) | None = None
    published_on: OptionalPastDate = None
    source: Source
    days: str

    @field_validator("days", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise PydanticCustomError(
                "required", str(_("List the days off and the make-up working days."))
            )
        return value

    @field_validator("days")
    @classmethod
    def _days_of_the_year(cls, value: str, info: ValidationInfo) -> str:
        year = info.data.get("year")
        if year is None:
            return value  # the year is refused; its days cannot be read
        entries, errors = parse_days(value, year)
        if errors:
            # one error at the field (one per field): the first one's code, every line's message
            raise PydanticCustomError(errors[0].code, " ".join(str(e.message) for e in errors))
        if not any(e.kind == DayKind.HOLIDAY for e in entries):
            raise PydanticCustomError("no_holidays", str(_("A notice lists at least one day off.")))
        return value

    def entries(self) -> list[DayEntry]:
        return parse_days(self.days, self.year)[0]


class ThresholdIn(StrippedIn):
    """A province's 数额较大 figures from a date on (rule CR-4)."""

    province: Province
    individual: PositiveAmount
    collective: PositiveAmount
    effective_from: Date
    source: Source
    note: text(max_length=300) | None = None

    @field_validator("effective_from")
    @classmethod
    def _not_far_ahead(cls, value: date) -> date:
        # figures are entered when the provincial document is published; a date further ahead
        # is most likely a typing error, and would leave the cases unchecked until then
        latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
        if value > latest:
            raise PydanticCustomError(
                "too_late",
                str(
                    _("Enter an effective date no later than %(day)s (a year from today).")
                    % {"day": latest.isoformat()}
                ),
            )
        return value


class AverageWageIn(StrippedIn):
    """A province's published average wage for a statistical year (rules JA-4, JA-5)."""

    province: Province
    wage_year: whole(minimum=1990, maximum=2100, required=True)
    series: choice(WageSeries)
    annual: PositiveAmount
    published_on: PastDate
    source: Source


class CampaignIn(StrippedIn):
    """rule EW-2: a winter campaign's first and last day, as announced."""

    starts_on: Date
    ends_on: Date
    source: Source

    @model_validator(mode="after")
    def _a_winter(self):
        if self.ends_on <= self.starts_on:
            raise refusal(
                CampaignIn, "ends_on", "before_start", _("The last day comes before the first.")
            )
        if (self.ends_on - self.starts_on).days > 200:
            raise refusal(
                CampaignIn,
                "ends_on",
                "span",
                _("A winter campaign lasts a few months: check the two days."),
            )
        return self


class RiskRulesIn(StrippedIn):
    """rule EW-3: the risk score's weights and thresholds (a local design: all configurable)."""

    weight: whole(minimum=0, maximum=10, required=True) = Field(
        ..., description="points for each ordinary risk factor (1)"
    )
    heavy_weight: whole(minimum=0, maximum=20, required=True) = Field(
        ..., description="points for 30 or more workers, past petitions, self-harm threats (3)"
    )
    alert_score: whole(minimum=1, maximum=50, required=True) = Field(
        ..., description="the score from which the risk is high and the head is alerted (3)"
    )
    workers_many: whole(minimum=2, maximum=1000, required=True) = Field(
        ..., description="workers from which a dispute counts as many (10)"
    )
    workers_mass: whole(minimum=2, maximum=10000, required=True) = Field(
        ..., description="workers from which a dispute counts as a mass one (30)"
    )
    months_long: whole(minimum=1, maximum=60, required=True) = Field(
        ..., description="months unpaid from which arrears count as long (3)"
    )
    source: Source

    @model_validator(mode="after")
    def _mass_above_many(self):
        if self.workers_mass <= self.workers_many:
            raise refusal(
                RiskRulesIn,
                "workers_mass",
                "not_above",
                _("A mass dispute needs more workers than a dispute of many."),
            )
        return self

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RISK_RULE_NAMES}


RISK_RULE_NAMES = (
    "weight",
    "heavy_weight",
    "alert_score",
    "workers_many",
    "workers_mass",
    "months_long",
)


class SeriesIn(StrippedIn):
    """Which wage series the assistance cap uses (JA-5)."""

    series: choice(WageSeries)
    source: Source


class ProvinceCapIn(StrippedIn):
    """A province's own lower cap on judicial assistance (JA-4); no amount removes it."""

    province: Province
    amount: OptionalAmount = None
    source: Source

    @field_validator("amount")
    @classmethod
    def _above_zero_or_none(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value <= 0:
            raise PydanticCustomError(
                "positive",
                str(_("Enter an amount above zero, or leave it empty to remove.")),
            )
        return value
