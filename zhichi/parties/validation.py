"""Django-side wrappers around the identifier rules: translated messages by error code."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic_core import PydanticCustomError

from zhichi.core import identifiers

MESSAGES = {
    "id_number": {
        "required": _("Enter the resident ID number."),
        "length": _("A resident ID number has 18 characters (old ones 15)."),
        "format": _("A resident ID number is 17 digits followed by a digit or X."),
        "region": _("The first digits are not a valid region code."),
        "birth_date": _("The birth date in this ID number is not a real date."),
        "future_birth": _("The birth date in this ID number is in the future."),
        "checksum": _("The check character does not match: please check the number (rule ID-1)."),
    },
    "credit_code": {
        "required": _("Enter the unified social credit code."),
        "length": _("A unified social credit code has 18 characters."),
        "charset": _("A credit code uses digits and capital letters except I, O, Z, S and V."),
        "checksum": _("The check character does not match: please check the code (rule ID-2)."),
        "org_code_checksum": _("The embedded organisation code fails its own check (a warning)."),
    },
    "phone": {
        "required": _("Enter a phone number."),
        "format": _("Enter a mainland mobile (11 digits) or a landline with its area code."),
    },
}


def _today() -> date:
    return timezone.localdate()


def check(kind: str, raw: str) -> identifiers.IdCheck:
    if kind == "id_number":
        return identifiers.validate_id_number(raw, today=_today())
    if kind == "credit_code":
        return identifiers.validate_credit_code(raw)
    if kind == "phone":
        return identifiers.validate_phone(raw)
    raise ValueError(kind)


def message_for(kind: str, code: str) -> str:
    return str(MESSAGES[kind].get(code, _("This value is not valid.")))


def clean_identifier(kind: str, raw: str) -> str:
    """Normalised value, or a ValidationError carrying the first rule's code and message."""
    result = check(kind, raw)
    if not result.valid:
        errors = [ValidationError(message_for(kind, i.code), code=i.code) for i in result.errors]
        raise ValidationError(errors[:1])
    return result.normalised


def normalised(kind: str, value: str) -> str:
    """``value`` as the rules keep it (ID-1, ID-2, the phone's format), or, for the input
    schemas, a refusal with the rule's code and words."""
    result = check(kind, value)
    if not result.valid:
        code = result.errors[0].code
        raise PydanticCustomError(code, message_for(kind, code))
    return result.normalised
