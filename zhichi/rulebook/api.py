"""The law library over the API (API.md § Rules)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhichi.common.api import ErrorOut, ValidationErrorOut
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.parties.validation import check, message_for
from zhichi.rulebook import calculators
from zhichi.rulebook.schemas import (
    AssistanceCapIn,
    CapitalIn,
    CriminalLeadIn,
    DeadlineIn,
    ValidateIn,
    WageClaimIn,
)

router = Router()


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


class CapitalOut(Schema):
    amount: str
    text: str
    rule: str


ERRORS = {401: ErrorOut, 422: ValidationErrorOut}


@router.post(
    "/deadline", response={200: DeadlineOut, **ERRORS}, summary="A deadline (rules TL-1…TL-9)"
)
def deadline(request, payload: DeadlineIn):
    return calculators.deadline(payload)


@router.post(
    "/criminal-lead",
    response={200: CriminalLeadOut, **ERRORS},
    summary="Criminal-lead evaluator (CR-1…CR-8)",
)
def criminal_lead(request, payload: CriminalLeadIn):
    return calculators.criminal_lead(payload)


@router.post(
    "/assistance-cap",
    response={200: AssistanceCapOut, **ERRORS},
    summary="Judicial assistance cap (JA-4, JA-5)",
)
def assistance_cap(request, payload: AssistanceCapIn):
    return calculators.assistance_cap(payload)


@router.post(
    "/wage-claim", response={200: WageClaimOut, **ERRORS}, summary="Wage claim (LA-1…LA-5)"
)
def wage_claim(request, payload: WageClaimIn):
    return calculators.wage_claim(payload)


@router.post(
    "/rmb-capital",
    response={200: CapitalOut, **ERRORS},
    summary="Amount in capital numerals (DOC-2)",
)
def rmb_capital(request, payload: CapitalIn):
    return calculators.rmb_capital(payload)
