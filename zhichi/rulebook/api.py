"""The law library over the API (API.md § Rules)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhichi.common.api import ErrorOut, ValidationErrorOut
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.parties.validation import check, message_for
from zhichi.rulebook import calculators

router = Router()


class ValidateIn(Schema):
    id_number: str | None = None
    credit_code: str | None = None
    phone: str | None = None


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
DATE = {"type": "string", "format": "date", "examples": ["2026-11-20"]}
MONEY = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["12000.00"]}
INT = {"type": "integer", "minimum": 1}


class DeadlineIn(Schema):
    kind: str = Field(
        "custom",
        description="a statutory period (appeal_judgment, appeal_ruling, enforcement_application, "
        "judicial_confirmation, suggestion_reply, assistance_decision, assistance_notification, "
        "arbitration_limitation, arbitration_acceptance, arbitration_award, sue_after_award, "
        "civil_limitation, labour_inspection_limit, prosecution_limitation, "
        "prosecution_limitation_serious) or custom",
    )
    start: Any = Field(..., json_schema_extra=DATE)
    days: Any = Field(None, json_schema_extra=INT)
    months: Any = Field(None, json_schema_extra=INT)
    years: Any = Field(None, json_schema_extra=INT)
    working_days: Any = Field(None, json_schema_extra=INT)


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


class WorkerIn(Schema):
    amount: Any = Field(..., json_schema_extra=MONEY)
    months: Any = Field(None, json_schema_extra={"type": "integer", "minimum": 0})


class CriminalLeadIn(Schema):
    province: str = Field(..., description="GB/T 2260 two-digit code, e.g. 53")
    as_of: Any = Field(None, json_schema_extra=DATE)
    workers: list[WorkerIn]
    payment_order: dict[str, Any] | None = Field(
        None,
        json_schema_extra={
            "properties": {"issued_on": DATE, "deadline": DATE, "authority": {"type": "string"}}
        },
    )
    paid_after_order: bool = False
    evasion: list[str] = Field(
        default_factory=list,
        description="transferred_assets | absconded | destroyed_records | refused_summons",
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
    province: str
    wage_year: Any = Field(..., json_schema_extra={"type": "integer"})
    series: str | None = Field(
        None, description="urban_non_private_on_post (default) | urban_non_private_employed"
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
    monthly_wage: Any = Field(..., json_schema_extra=MONEY)
    months_unpaid: Any = Field(None, json_schema_extra={"type": "integer", "minimum": 0})
    amount_paid: Any = Field(None, json_schema_extra=MONEY)
    service_start: Any = Field(None, json_schema_extra=DATE)
    service_end: Any = Field(None, json_schema_extra=DATE)
    written_contract: bool = True
    local_avg_monthly_wage: Any = Field(None, json_schema_extra=MONEY)
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
    amount: Any = Field(..., json_schema_extra=MONEY)


class CapitalOut(Schema):
    amount: str
    text: str
    rule: str


ERRORS = {401: ErrorOut, 422: ValidationErrorOut}


@router.post(
    "/deadline", response={200: DeadlineOut, **ERRORS}, summary="A deadline (rules TL-1…TL-9)"
)
def deadline(request, payload: DeadlineIn):
    return calculators.deadline(payload.dict())


@router.post(
    "/criminal-lead",
    response={200: CriminalLeadOut, **ERRORS},
    summary="Criminal-lead evaluator (CR-1…CR-8)",
)
def criminal_lead(request, payload: CriminalLeadIn):
    return calculators.criminal_lead(payload.dict())


@router.post(
    "/assistance-cap",
    response={200: AssistanceCapOut, **ERRORS},
    summary="Judicial assistance cap (JA-4, JA-5)",
)
def assistance_cap(request, payload: AssistanceCapIn):
    return calculators.assistance_cap(payload.dict())


@router.post(
    "/wage-claim", response={200: WageClaimOut, **ERRORS}, summary="Wage claim (LA-1…LA-5)"
)
def wage_claim(request, payload: WageClaimIn):
    return calculators.wage_claim(payload.dict())


@router.post(
    "/rmb-capital",
    response={200: CapitalOut, **ERRORS},
    summary="Amount in capital numerals (DOC-2)",
)
def rmb_capital(request, payload: CapitalIn):
    return calculators.rmb_capital(payload.dict())
