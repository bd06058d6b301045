"""The types the API's input schemas are declared with, so that the OpenAPI document says what
is valid (a date, an amount with its bounds, one of the model's choices, text up to the model
field's length) and the schema layer refuses the rest at the field.

A refusal here is a pydantic error whose type the API's ValidationError handler (zhichi/api.py)
turns into the project's code and message (``date``, ``money``, ``choice``, ``max_length``…), the
codes the services' own checks give. A blank value ("" or null) is no value, as for the
services' Collector: refused as ``required`` where the field is required, None otherwise.
The services read their input through these schemas too (``common.inputs.parse``), so the
pages and the API validate through the one declaration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from zhichi.common.validation import DATE_RE, MONEY_RE

DATE_SCHEMA = {"type": "string", "format": "date", "examples": ["2026-11-20"]}


def model_max(model, field: str) -> int:
    """The ``max_length`` of ``model.field``: an API text input is bounded as the column is."""
    length = model._meta.get_field(field).max_length
    if length is None:
        raise ValueError(f"{model.__name__}.{field} has no max_length")
    return length


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required(value: Any) -> Any:
    if _blank(value):
        raise PydanticCustomError("required", "This field is required.")
    return value


def _optional(check):
    def blank_is_none(value: Any) -> Any:
        return None if _blank(value) else check(value)

    return blank_is_none


def _required_then(check):
    def present(value: Any) -> Any:
        return check(_required(value))

    return present


def _day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` (API.md): not 20260205, 2026-W06-4, a timestamp or a datetime."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not DATE_RE.fullmatch(value.strip()):
        raise PydanticCustomError("date_parsing", "Enter a date as YYYY-MM-DD.")
    return value.strip()


def _money(value: Any) -> Any:
    """A plain decimal: text like "12000.00" (commas allowed) or a whole number; never a JSON
    float (binary fractions are not money), a boolean, 1e3 or NaN."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise PydanticCustomError("decimal_type", "Enter an amount in yuan, e.g. 12000.00.")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not MONEY_RE.fullmatch(text):
            raise PydanticCustomError("decimal_parsing", "Enter an amount in yuan, e.g. 12000.00.")
        return text
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Enter a whole number.")
    return value


def _as_is(value: Any) -> Any:
    return value


def money(*, max_digits: int = 14, required: bool = True):
    """An amount in yuan with at most two decimals, from 0 to what a model's
    ``DecimalField(max_digits=…, decimal_places=2)`` holds (14 digits: 999 999 999 999.99)."""
    whole_digits = max_digits - 2
    largest = Decimal(10**whole_digits) - Decimal("0.01")
    amount = Annotated[
        Decimal,
        Field(max_digits=max_digits, decimal_places=2, ge=Decimal(0), le=largest),
        WithJsonSchema(_money_schema(whole_digits, largest)),
    ]
    if required:
        return Annotated[amount, BeforeValidator(_required_then(_money))]
    return Annotated[amount | None, BeforeValidator(_optional(_money))]


def _money_schema(whole_digits: int, largest: Decimal) -> dict:
    return {
        "anyOf": [
            {
                "type": "string",
                "pattern": rf"^\d{{1,{whole_digits}}}(\.\d{{1,2}})?$",
                "maxLength": whole_digits + 3,
            },
            {"type": "integer", "minimum": 0, "maximum": int(largest)},
        ],
        "description": "an amount in yuan: a string with at most two decimals (API.md), or whole "
        f"yuan as a JSON integer; from 0 to {largest}",
        "examples": ["12000.00"],
    }


# the models' usual money field: DecimalField(max_digits=14, decimal_places=2)
Money = money()
OptionalMoney = money(required=False)

Day = Annotated[date, WithJsonSchema(DATE_SCHEMA), BeforeValidator(_required_then(_day))]
OptionalDay = Annotated[
    Annotated[date, WithJsonSchema(DATE_SCHEMA)] | None, BeforeValidator(_optional(_day))
]


def whole(*, minimum: int | None = None, maximum: int | None = None, required: bool = False):
    """A whole number within bounds (a boolean is no number); blank is None unless required."""
    number = Annotated[int, Field(ge=minimum, le=maximum)]
    if required:
        return Annotated[number, BeforeValidator(_required_then(_whole))]
    return Annotated[number | None, BeforeValidator(_optional(_whole))]


def values_of(choices) -> tuple[str, ...]:
    """The stored values of a TextChoices class (or the keys of a mapping, or values)."""
    if isinstance(choices, type):
        return tuple(choices.values)
    return tuple(choices)


def one_of(choices):
    """One of ``choices`` (a TextChoices class or values): the OpenAPI lists them in ``enum``."""
    return Literal[values_of(choices)]  # type: ignore[valid-type]


def choice(choices, *, required: bool = True):
    """One of ``choices``; a blank value is ``required`` when required, None otherwise."""
    literal = one_of(choices)
    if required:
        return Annotated[literal, BeforeValidator(_required_then(_as_is))]
    return Annotated[literal | None, BeforeValidator(_optional(_as_is))]


def text(
    model=None, field: str | None = None, *, max_length: int | None = None, required: bool = False
):
    """Text no longer than ``model.field`` (or ``max_length``); ``required``: not blank either
    (null, "" or only spaces is ``required``)."""
    if max_length is None:
        max_length = model_max(model, field)
    if required:
        return Annotated[
            str,
            Field(min_length=1, max_length=max_length, pattern=r"\S"),
            BeforeValidator(_required),
        ]
    return Annotated[str, Field(max_length=max_length)]


# an identifier as typed (a resident ID, a credit code, a phone): spaces, hyphens and full-width
# characters are dropped before rules ID-1 and ID-2 check it
IDENTIFIER = 32


class StrippedIn(Schema):
    """An input whose text is read without the spaces around it, as it is kept."""

    model_config = ConfigDict(str_strip_whitespace=True)


class ObjectIn(Schema):
    """A nested input object (an order to pay, a claimant, an instalment): only a JSON object is
    one. ninja's Schema reads anything by attribute, so without this a string or a number would
    pass as an object with every field left out."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        given = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(given, (Mapping, Schema)):
            raise PydanticCustomError("model_type", "Give an object.")
        return value


def kept(extra: dict | None = None):
    """The schema of a field that may be left out, which keeps the stored value (PATCH): no
    default is shown, since none is applied."""

    def shape(schema: dict) -> None:
        schema.pop("default", None)
        schema.update(extra or {})

    return shape


# --- outputs: a record's values as the API writes them -------------------------------------------
# An output schema reads its values straight from the record (ninja resolves attributes, dotted
# aliases and ``resolve_*``); these types put a value into the API's words as it is read, so the
# schema still says "string" and the answer is the text the API has always given.
def _isoformat(value: Any) -> Any:
    """A date as ``YYYY-MM-DD``, a time as ISO 8601 with its offset (``datetime.isoformat``:
    pydantic would write a UTC time with ``Z``, which is not what the API has always answered)."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _amount(value: Any) -> Any:
    """An amount in yuan as text with two decimals (API.md: ``"12000.00"``)."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return f"{value:.2f}"
    return value


IsoText = Annotated[str, BeforeValidator(_isoformat)]
OptionalIsoText = Annotated[str | None, BeforeValidator(_isoformat)]
AmountText = Annotated[str, BeforeValidator(_amount)]
OptionalAmountText = Annotated[str | None, BeforeValidator(_amount)]


# --- refusals between fields, and the field types every app reads alike ----------------------
def refusal(schema, field: str, code: str, message, value: Any = None) -> ValidationError:
    """A rule between fields refused at the field it is about (a model validator's own error
    has no field): raise it from the validator. ``message`` is in the reader's language. From a
    field validator, ``field`` is the path inside that field ("" for the field itself)."""
    return refusals(schema, [(field, code, message, value)])


def refusals(schema, found: list[tuple[str, str, Any, Any]]) -> ValidationError:
    """Several refusals at once, each ``(field, code, message, value)`` as for ``refusal``."""
    name = schema if isinstance(schema, str) else schema.__name__
    return ValidationError.from_exception_data(
        name,
        [
            InitErrorDetails(
                type=PydanticCustomError(code, str(message)),
                loc=tuple(int(p) if p.isdigit() else p for p in field.split(".") if p),
                input=value,
            )
            for field, code, message, value in found
        ],
    )


def required_as(message):
    """A blank value is ``required``, said as ``message`` (a lazy translation) rather than the
    stock "This field is required.": the words the pages have always shown for that field."""

    def present(value: Any) -> Any:
        if _blank(value):
            raise PydanticCustomError("required", str(message))
        return value

    return BeforeValidator(present)


CHOOSE_ONE = gettext_lazy("Choose one.")


def required_choice(choices, message=CHOOSE_ONE):
    """One of ``choices``, and a blank one is ``required`` in ``message``'s words."""
    return Annotated[choice(choices), required_as(message)]


def since_1900(value: date | None) -> date | None:
    if value is not None and value.year < 1900:
        raise PydanticCustomError("date_range", _("Enter a date after 1900."))
    return value


def not_future(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise PydanticCustomError("future", _("This date cannot be in the future."))
    return value


def not_past(value: date | None) -> date | None:
    if value is not None and value < timezone.localdate():
        raise PydanticCustomError("past", _("This date cannot be in the past."))
    return value


def above_zero(value: Decimal | None) -> Decimal | None:
    if value is not None and value <= 0:
        raise PydanticCustomError("positive", _("Enter an amount above zero."))
    return value


def to_fen(value: Decimal | None) -> Decimal | None:
    """An amount kept with its two decimals, as it is stored ("30000" is 30000.00)."""
    return None if value is None else value.quantize(Decimal("0.01"))


# a date as the records hold one: YYYY-MM-DD, from 1900 on; a past one has come (not after today),
# a future one has not gone by (today or later: what is planned when it is made)
Date = Annotated[Day, AfterValidator(since_1900)]
OptionalDate = Annotated[OptionalDay, AfterValidator(since_1900)]
PastDate = Annotated[Date, AfterValidator(not_future)]
OptionalPastDate = Annotated[OptionalDate, AfterValidator(not_future)]
FutureDate = Annotated[Date, AfterValidator(not_past)]
# an amount as the models' usual money field keeps it, to the fen; a positive one above zero
Amount = Annotated[Money, AfterValidator(to_fen)]
OptionalAmount = Annotated[OptionalMoney, AfterValidator(to_fen)]
PositiveAmount = Annotated[Amount, AfterValidator(above_zero)]
