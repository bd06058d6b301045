"""The law library over the API (API.md § Rules)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhichi.common.api import ErrorOut, ValidationErrorOut
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import (
    IDENTIFIER,
    Day,
    Money,
    ObjectIn,
    OptionalDay,
    OptionalMoney,
    as_data,
    choice,
    one_of,
    text,
    whole,
)
from zhichi.core import criminal
from zhichi.core.calendar import PERIODS
from zhichi.parties.validation import check, message_for
from zhichi.rulebook import calculators
from zhichi.rulebook.calculators import MAX_UNIT
from zhichi.rulebook.models import WageSeries
from zhichi.rulebook.schemas import PaymentOrderIn

router = Router()


class ValidateIn(Schema):
    id_number: text(max_length=IDENTIFIER) | None = None
    credit_code: text(max_length=IDENTIFIER) | None = None
    phone: text(max_length=IDENTIFIER) | None = None


class IssueOut(Schema):
    code: str
    message: str


class ValidateOut(Schema):
    kind: str
    valid: bool
    normalised: str
    errors: list[IssueOut]
    warnings: list[IssueOut]
    converted_from_15: bool = False


@router.post(
    "/validate",
    response={200: ValidateOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Validate an identifier (rules ID-1, ID-2, phone)",
)
def validate(request, payload: ValidateIn):
    given = {k: v for k, v in payload.dict().items() if v is not None}
    if len(given) != 1:
        raise InvalidInput(
            [
                FieldError(
                    "body",
                    "one_of",
                    _("Give exactly one of id_number, credit_code or phone."),
                )
            ]
        )
    kind, raw = next(iter(given.items()))
    result = check(kind, raw)
    return {
        "kind": kind,
        "valid": result.valid,
        "normalised": result.normalised if result.valid else "",
        "errors": [{"code": i.code, "message": message_for(kind, i.code)} for i in result.errors],
        "warnings": [
            {"code": i.code, "message": message_for(kind, i.code)} for i in result.warnings
        ],
        "converted_from_15": result.converted_from_15,
    }


# --- the law library's calculators (rules TL-, CR-, JA-, LA-, DOC-) -------------------------
PROVINCE = text(max_length=2)
DEADLINE_KINDS = ("custom", *sorted(PERIODS))


class DeadlineIn(Schema):
    kind: choice(DEADLINE_KINDS, required=False) = Field(
        "custom", description="a statutory period, or custom with one unit below"
    )
    start: Day
    days: whole(minimum=1, maximum=MAX_UNIT["days"]) = None
    months: whole(minimum=1, maximum=MAX_UNIT["months"]) = None
    years: whole(minimum=1, maximum=MAX_UNIT["years"]) = None
    working_days: whole(minimum=1, maximum=MAX_UNIT["working_days"]) = None


class DeadlineOut(Schema):
    kind: str
    start: str
    period: str
    due: str
    unrolled: str
    rolled_from: str | None
    rule: str
    basis: str
    calendar_complete: bool
    missing_years: list[int]


class WorkerIn(ObjectIn):
    amount: Money
    months: whole(minimum=0, maximum=600) = None


class CriminalLeadIn(Schema):
    province: PROVINCE = Field(..., description="GB/T 2260 two-digit code, e.g. 53")
    as_of: OptionalDay = Field(None, description="default today")
    workers: list[WorkerIn] = Field(..., max_length=10000)
    payment_order: PaymentOrderIn | None = None
    paid_after_order: bool = False
    evasion: list[one_of(criminal.EVASION_KINDS)] = Field(
        default_factory=list, description="how the employer evades paying (rule CR-3)"
    )


class ReasonOut(Schema):
    code: str
    rule: str
    text: str


class CriminalLeadOut(Schema):
    verdict: str = Field(
        ...,
        description="transfer | order_first | below_threshold | depends_on_province_config | not_applicable",
    )
    reasons: list[ReasonOut]
    threshold: dict[str, Any] | None
    next_step: str
    province: str
    as_of: str


class AssistanceCapIn(Schema):
    province: PROVINCE = Field(..., description="GB/T 2260 two-digit code, e.g. 53")
    wage_year: whole(minimum=1990, maximum=2100, required=True)
    series: choice(WageSeries, required=False) = Field(
        None, description="default: the one the law library is set to (on-post wages)"
    )


class AssistanceCapOut(Schema):
    province: str
    wage_year: int
    monthly_wage: str
    months: int
    cap: str
    series: str
    series_label: str
    series_is_default: bool
    source: str
    published_on: str
    rule: str
    cap_in_words: str


class WageClaimIn(Schema):
    monthly_wage: Money
    months_unpaid: whole(minimum=0, maximum=600) = None
    amount_paid: OptionalMoney = None
    service_start: OptionalDay = None
    service_end: OptionalDay = None
    written_contract: bool = True
    local_avg_monthly_wage: OptionalMoney = None
    order_deadline_passed: bool = False


class WageItemOut(Schema):
    kind: str
    amount: str
    amount_max: str | None
    rule: str
    note: str


class WageClaimOut(Schema):
    items: list[WageItemOut]
    total: str
    total_max: str


class CapitalIn(Schema):
    amount: Money


class CapitalOut(Schema):
    amount: str
    text: str
    rule: str


ERRORS = {401: ErrorOut, 422: ValidationErrorOut}


@router.post(
    "/deadline", response={200: DeadlineOut, **ERRORS}, summary="A deadline (rules TL-1…TL-9)"
)
def deadline(request, payload: DeadlineIn):
    return calculators.deadline(as_data(payload))


@router.post(
    "/criminal-lead",
    response={200: CriminalLeadOut, **ERRORS},
    summary="Criminal-lead evaluator (CR-1…CR-8)",
)
def criminal_lead(request, payload: CriminalLeadIn):
    return calculators.criminal_lead(as_data(payload))


@router.post(
    "/assistance-cap",
    response={200: AssistanceCapOut, **ERRORS},
    summary="Judicial assistance cap (JA-4, JA-5)",
)
def assistance_cap(request, payload: AssistanceCapIn):
    return calculators.assistance_cap(as_data(payload))


@router.post(
    "/wage-claim", response={200: WageClaimOut, **ERRORS}, summary="Wage claim (LA-1…LA-5)"
)
def wage_claim(request, payload: WageClaimIn):
    return calculators.wage_claim(as_data(payload))


@router.post(
    "/rmb-capital",
    response={200: CapitalOut, **ERRORS},
    summary="Amount in capital numerals (DOC-2)",
)
def rmb_capital(request, payload: CapitalIn):
    return calculators.rmb_capital(as_data(payload))
