"""The law library over the API (API.md § Rules)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema

from zhichi.api_support import ErrorOut, ValidationErrorOut
from zhichi.errors import FieldError, InvalidInput
from zhichi.parties.validation import check, message_for

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
