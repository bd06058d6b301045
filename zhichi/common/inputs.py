"""Reading an input through its schema: the one place where a pydantic refusal becomes the
project's field errors (code and message, in the reader's language), for the API's bodies and
for the services' own parsing of what a page gives (issue 14 item 1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.validation import printable

S = TypeVar("S", bound=BaseModel)

STOCK_REQUIRED = "This field is required."
LOCATION_WORDS = {"body", "payload", "query", "path", "data", "form"}


def field_path(loc, *, sections: bool = True) -> str:
    """The input field an error is about: drop pydantic's union tags (``str``, ``int``,
    ``function-after[...]``), which name types, not fields, and with ``sections`` the request
    sections and parameter names the API's errors start with (``body.payload.…``). Only the
    leading ones: a field may itself be called ``form`` or ``data``."""
    parts = []
    skip = 2 if sections else 0  # the section (body, query…) and the parameter's name
    for p in loc:
        if skip and isinstance(p, str) and p in LOCATION_WORDS:
            skip -= 1
            continue
        skip = 0
        if isinstance(p, int):
            parts.append(str(p))
        elif p in {"str", "int", "float", "bool", "none"} or "[" in p:
            continue
        else:
            parts.append(p)
    return ".".join(parts) or "body"


# pydantic's refusals in the project's codes (those the services' checks give for the same
# mistake, so a client reads one code whichever layer refused) and in the reader's language:
# the one place where a pydantic error type becomes a code and a message. A type not named here
# keeps pydantic's name (``missing``, ``list_type``…) with a message of ours where there is one.
def _shown(value) -> str:
    return printable(value if isinstance(value, str) else repr(value))[:50]


def _length(error: dict) -> int:
    value = error.get("input")
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def _amount_bound(ctx: dict, key: str) -> bool:
    return isinstance(ctx.get(key), Decimal)


PYDANTIC_ERRORS = {
    "missing": lambda e, c: ("missing", _("This field is required.")),
    # a schema's own wording ("Enter an amount.", "Choose the applicant.") is kept; pydantic's
    # and the shared helpers' stock text is ours, translated
    "required": lambda e, c: (
        "required",
        e["msg"]
        if e.get("msg") not in (None, "", STOCK_REQUIRED)
        else _("This field is required."),
    ),
    "string_type": lambda e, c: ("type", _("Enter text.")),
    "string_too_long": lambda e, c: (
        "max_length",
        _("Keep this under %(n)d characters (it has %(got)d).")
        % {"n": c.get("max_length") or 0, "got": _length(e)},
    ),
    "int_type": lambda e, c: ("integer", _("Enter a whole number.")),
    "int_parsing": lambda e, c: ("integer", _("Enter a whole number.")),
    "int_parsing_size": lambda e, c: ("integer", _("Enter a whole number.")),
    "int_from_float": lambda e, c: ("integer", _("Enter a whole number.")),
    "float_type": lambda e, c: ("float_type", _("Enter a number.")),
    "float_parsing": lambda e, c: ("float_parsing", _("Enter a number.")),
    "decimal_type": lambda e, c: ("money", _("Enter an amount in yuan, e.g. 12000.00.")),
    "decimal_parsing": lambda e, c: ("money", _("Enter an amount in yuan, e.g. 12000.00.")),
    "finite_number": lambda e, c: ("money", _("Enter an amount in yuan, e.g. 12000.00.")),
    "decimal_max_places": lambda e, c: ("precision", _("Use at most two decimal places (fen).")),
    "decimal_max_digits": lambda e, c: ("too_large", _("This amount is too large.")),
    "decimal_whole_digits": lambda e, c: ("too_large", _("This amount is too large.")),
    "greater_than_equal": lambda e, c: (
        ("negative", _("An amount cannot be negative."))
        if _amount_bound(c, "ge")
        else ("range", _("Enter %(n)s or more.") % {"n": c.get("ge")})
    ),
    "less_than_equal": lambda e, c: (
        ("too_large", _("This amount is too large."))
        if _amount_bound(c, "le")
        else ("range", _("Enter %(n)s or less.") % {"n": c.get("le")})
    ),
    "bool_type": lambda e, c: ("type", _("Answer yes or no.")),
    "bool_parsing": lambda e, c: ("type", _("Answer yes or no.")),
    "date_type": lambda e, c: ("date", _("Enter a date as YYYY-MM-DD.")),
    "date_parsing": lambda e, c: ("date", _("Enter a date as YYYY-MM-DD.")),
    "date_from_datetime_parsing": lambda e, c: ("date", _("Enter a date as YYYY-MM-DD.")),
    "date_from_datetime_inexact": lambda e, c: ("date", _("Enter a date as YYYY-MM-DD.")),
    "literal_error": lambda e, c: (
        "choice",
        _("“%(value)s” is not one of the choices.") % {"value": _shown(e.get("input"))},
    ),
    "enum": lambda e, c: (
        "choice",
        _("“%(value)s” is not one of the choices.") % {"value": _shown(e.get("input"))},
    ),
    "list_type": lambda e, c: ("list_type", _("Give a list.")),
    "too_long": lambda e, c: (
        "too_many",
        _("At most %(n)d entries.") % {"n": c.get("max_length") or 0},
    ),
    "dict_type": lambda e, c: ("dict_type", _("Give an object.")),
    "model_type": lambda e, c: ("model_type", _("Give an object.")),
    "model_attributes_type": lambda e, c: ("model_attributes_type", _("Give an object.")),
    "json_invalid": lambda e, c: ("json_invalid", _("The body is not valid JSON.")),
}


def pydantic_error(error: dict) -> tuple[str, str]:
    """``(code, message)`` for one pydantic error."""
    kind = str(error.get("type") or "invalid")
    describe = PYDANTIC_ERRORS.get(kind)
    if describe is not None:
        code, message = describe(error, error.get("ctx") or {})
        return code, str(message)
    return kind, str(error.get("msg") or _("Invalid value."))


def field_errors(errors, *, sections: bool = True) -> list[FieldError]:
    """pydantic's errors as field errors: one per field, however many union members failed.
    ``sections``: the locations start with the request's section (the API), see field_path."""
    found: list[FieldError] = []
    seen: set[str] = set()
    for e in errors:
        field = field_path(e.get("loc", ()), sections=sections)
        if field in seen:
            continue
        seen.add(field)
        code, message = pydantic_error(e)
        found.append(FieldError(field, code, message))
    return found


def parse(schema: type[S], data: Any, *, detail: str = "") -> S:
    """``data`` read through ``schema``: an instance of it is taken as it is (the API parsed
    the body already); anything else (a page's form values, a test's dict) is validated, and a
    refusal is an InvalidInput with the same field errors the API gives, headed by ``detail``
    (what was not done: "The lead has errors; nothing was saved.") when one is given."""
    if isinstance(data, schema):
        return data
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise InvalidInput(field_errors(exc.errors(), sections=False), detail=detail) from None
