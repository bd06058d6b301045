"""A joint action's input and the employer's credit code, declared once: the API validates its
bodies with them and the services read a page's form values (or a caller's dict) through them
(``zhichi.common.inputs.parse``).

What needs the database (the cases the actor may see and work on, the organisations by code,
the employer named in a case or lead, what each claimant is still owed, consent to share) stays
the service's checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from pydantic import BeforeValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from zhichi.accounts.models import Organisation
from zhichi.cases.schemas import words
from zhichi.common.schemas import (
    IDENTIFIER,
    ObjectIn,
    OptionalAmount,
    PastDate,
    PositiveAmount,
    refusal,
    refusals,
    required_as,
)
from zhichi.parties import validation as party_validation

MAX_CASES = 200
MAX_ORGANISATIONS = 50
MAX_PAYMENTS = 2000


# --- the employer's unified social credit code (rule ID-2) ------------------------------------
def credit_code(value: Any) -> str:
    """The normalised credit code, or its refusal in the words of rule ID-2's messages."""
    if value is None or value == "":
        raise PydanticCustomError(
            "required", party_validation.message_for("credit_code", "required")
        )
    if not isinstance(value, str):
        raise PydanticCustomError("type", str(_("Enter text.")))
    return party_validation.normalised("credit_code", value)


CreditCode = Annotated[str, Field(max_length=IDENTIFIER), BeforeValidator(credit_code)]


class CreditCodeIn(Schema):
    """An employer looked up by its credit code (the profile: 422 at ``credit_code``)."""

    credit_code: CreditCode


def valid_credit_code(raw: Any) -> str:
    """``raw`` normalised when it is a valid credit code, else "" (a search term may be a name)."""
    try:
        return credit_code(raw)
    except PydanticCustomError:
        return ""


# --- a joint action -----------------------------------------------------------------------------
def _organisation_code(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("type", str(_("Give an organisation's code.")))
    return value.strip()


OrganisationCode = Annotated[
    str,
    Field(max_length=Organisation._meta.get_field("code").max_length),
    BeforeValidator(_organisation_code),
]


def _case_ids(value: Any) -> Any:
    """Each listed case once, each a whole number (its digits as text, from a page, too)."""
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)):
        return value  # refused as no list by the type
    found: list[tuple[str, str, Any, Any]] = []
    seen: set[int] = set()
    out: list[int] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int):
            found.append((str(i), "type", _("Give a case id (a whole number)."), item))
        elif item in seen:
            found.append((str(i), "duplicate", _("This case is already listed."), item))
        else:
            seen.add(item)
            out.append(item)
    if found:
        raise refusals("JointActionIn", found)
    return out


def _payments(value: Any) -> Any:
    return None if value == "" else value


class PaymentPartIn(ObjectIn):
    case_id: int
    claimant_party_id: int
    amount: Annotated[PositiveAmount, required_as(gettext_lazy("Enter an amount."))]


class JointActionIn(Schema):
    on: Annotated[PastDate, required_as(gettext_lazy("Enter a date."))] = Field(
        ..., description="not in the future"
    )
    employer: CreditCode = Field(
        ...,
        description="the employer's unified social credit code",
        examples=["91530102MA6K2P3Q0X"],
    )
    result: words(max_length=10000, required=True)
    amount_paid_on_site: OptionalAmount = Field(
        Decimal("0.00"), description="money paid on the spot; recorded as payments on the cases"
    )
    organisations: list[OrganisationCode] = Field(
        default_factory=list,
        max_length=MAX_ORGANISATIONS,
        description="codes of the organisations that took part (besides the organiser)",
    )
    case_ids: Annotated[list[int], BeforeValidator(_case_ids)] = Field(
        default_factory=list,
        max_length=MAX_CASES,
        description="the cases against this employer (each one you may work on)",
    )
    payments: Annotated[list[PaymentPartIn] | None, BeforeValidator(_payments)] = Field(
        None,
        max_length=MAX_PAYMENTS,
        description="how the amount is split over claimants; default: in proportion to what "
        "each is still owed (largest remainder, to the fen)",
    )
    legal_basis: words(max_length=2000) | None = Field(
        None, description="the legal basis for sharing cases whose claimants have not consented"
    )

    @field_validator("organisations", mode="before")
    @classmethod
    def _no_organisations(cls, value: Any) -> Any:
        return [] if value is None or value == "" else value

    @model_validator(mode="after")
    def _parts_add_up(self):
        total = self.amount_paid_on_site or Decimal("0.00")
        if self.payments and sum((p.amount for p in self.payments), Decimal("0.00")) != total:
            raise refusal(
                JointActionIn,
                "payments",
                "sum",
                _("The payments must add up to the amount paid on site."),
            )
        return self
