"""The inputs of judicial assistance and legal aid referrals, declared once: the API validates
its bodies with them and the services read a page's form values (or a caller's dict) through
them (``zhichi.common.inputs.parse``).

A field's own rules live here (its type, length, choices, an amount above zero, a date not in
the future) and so do the rules between fields of one input (the reason of an urgent
application, the amount of a grant, the bank transfer's number). What needs the record or the
database (the applicant a claimant of the case, dates after the case opened or after the funds
arrived, the amount against what was asked or granted, the cap) stays the services' checks."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field
from pydantic import (
    AfterValidator,
    BeforeValidator,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from zhichi.assistance.models import (
    ApplicationForm,
    AssistanceApplication,
    Exclusion,
    LegalAidOutcome,
    LegalAidReferral,
    NoticeMethod,
    PaymentMethod,
    Proposal,
    Situation,
)
from zhichi.common.schemas import (
    OptionalPastDate,
    PastDate,
    StrippedIn,
    above_zero,
    choice,
    money,
    one_of,
    required_as,
    required_choice,
    text,
    to_fen,
    whole,
)
from zhichi.core.identifiers import validate_phone

AMOUNT = 12  # the applications' money fields: DecimalField(max_digits=12, decimal_places=2)
# the words the pages have always shown for a blank date and a blank amount
ENTER_A_DATE = gettext_lazy("Enter a date.")
ENTER_AN_AMOUNT = gettext_lazy("Enter an amount.")
PastDay = Annotated[PastDate, required_as(ENTER_A_DATE)]
Amount = Annotated[
    money(max_digits=AMOUNT),
    AfterValidator(above_zero),
    AfterValidator(to_fen),
    required_as(ENTER_AN_AMOUNT),
]
OptionalAmount = Annotated[money(max_digits=AMOUNT, required=False), AfterValidator(to_fen)]


def _exclusions(value: Any) -> Any:
    """Each exclusion of rule JA-3 answered yes or no, and nothing else: every missing answer
    and every unknown key is refused at its own path (``exclusions.serious_fault``)."""
    if not isinstance(value, dict):
        raise PydanticCustomError("required", str(_("Answer each of the exclusions (rule JA-3).")))
    errors = [
        InitErrorDetails(
            type=PydanticCustomError("required", str(_("Answer yes or no."))),
            loc=(key,),
            input=value.get(key),
        )
        for key in Exclusion.values
        if not isinstance(value.get(key), bool)
    ]
    errors += [
        InitErrorDetails(
            type=PydanticCustomError("unknown", str(_("Not one of the exclusions of rule JA-3."))),
            loc=(str(key),),
            input=value[key],
        )
        for key in value
        if key not in Exclusion.values
    ]
    if errors:
        raise ValidationError.from_exception_data("exclusions", errors)
    return value


# --- judicial assistance -------------------------------------------------------------------------
class ApplicationIn(StrippedIn):
    applicant_party_id: Annotated[
        whole(minimum=1, maximum=2**31 - 1, required=True),
        required_as(gettext_lazy("Choose the applicant.")),
    ] = Field(..., description="a claimant of the case")
    requested_amount: Amount = Field(..., description="above zero")
    hardship: text(max_length=10000, required=True)
    basis: required_choice(Situation) = Field(..., description="the situation of rule JA-2")
    form: choice(ApplicationForm, required=False) = Field(
        ApplicationForm.WRITTEN.value, description="written, or oral and recorded"
    )
    received_on: OptionalPastDate = Field(None, description="default today; not in the future")
    hardship_caused_by_case: StrictBool = True
    urgent: StrictBool = Field(
        False, description="aid first, paperwork after: the urgent approval chain"
    )
    urgent_reason: text(max_length=4000) = Field(
        "", description="required when urgent", validate_default=True
    )

    @field_validator("form")
    @classmethod
    def _written_by_default(cls, value: str | None) -> str:
        return value or ApplicationForm.WRITTEN.value

    @field_validator("hardship_caused_by_case")
    @classmethod
    def _caused(cls, value: bool, info: ValidationInfo) -> bool:
        # rule JA-2: wage-arrears hardship goes under 6 or 7 and must be caused by the case
        if not value and info.data.get("basis") in (Situation.CIVIL_TORT, Situation.OTHER):
            raise PydanticCustomError(
                "not_caused",
                str(_("Aid under this situation needs hardship the case caused (rule JA-2).")),
            )
        return value

    @field_validator("urgent_reason")
    @classmethod
    def _why_urgent(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("urgent") and not value:
            raise PydanticCustomError(
                "required",
                str(_("Say why aid cannot wait (e.g. treatment that cannot be paid for).")),
            )
        return value


class OpinionIn(StrippedIn):
    exclusions: Annotated[dict[one_of(Exclusion), StrictBool], BeforeValidator(_exclusions)] = (
        Field(..., description="each exclusion of rule JA-3 answered true (applies) or false")
    )
    verification: text(max_length=10000, required=True)
    proposal: required_choice(Proposal)
    proposed_amount: OptionalAmount = Field(
        None,
        description="required for a grant, above zero; not above the amount applied for",
        validate_default=True,
    )
    court_award_limit: OptionalAmount = Field(
        None, description="required above the cap (rule JA-4)"
    )
    opinion: text(max_length=10000, required=True)
    version: int | None = None

    @field_validator("proposed_amount")
    @classmethod
    def _a_grant_has_an_amount(cls, value, info: ValidationInfo):
        if info.data.get("proposal") != Proposal.GRANT:
            return value
        if value is None:
            raise PydanticCustomError("required", str(_("Enter the amount you propose.")))
        return above_zero(value)


class FundsIn(StrippedIn):
    arrived_on: PastDay = Field(..., description="not in the future")
    version: int | None = None


class NoticeIn(StrippedIn):
    notified_on: PastDay = Field(..., description="not in the future")
    method: required_choice(NoticeMethod)
    version: int | None = None


class AssistancePaymentIn(StrippedIn):
    paid_on: PastDay = Field(..., description="not in the future")
    amount: Amount = Field(..., description="above zero; not above the amount granted")
    method: required_choice(PaymentMethod)
    reference: text(AssistanceApplication, "payment_reference") = Field(
        "", description="required for a bank transfer", validate_default=True
    )
    version: int | None = None

    @field_validator("reference")
    @classmethod
    def _bank_transfer_number(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("method") == PaymentMethod.BANK and not value:
            raise PydanticCustomError("required", str(_("Enter the bank transfer number.")))
        return value


class FollowUpIn(StrippedIn):
    on: PastDay = Field(..., description="not in the future")
    note: text(max_length=8000, required=True)
    version: int | None = None


class AssistanceWithdrawIn(StrippedIn):
    reason: text(max_length=4000, required=True)
    version: int | None = None


# --- legal aid referrals -------------------------------------------------------------------------
class LawyerIn(StrippedIn):
    lawyer_name: text(LegalAidReferral, "lawyer_name", required=True)
    law_firm: text(LegalAidReferral, "law_firm", required=True)
    lawyer_phone: text(LegalAidReferral, "lawyer_phone") = Field(
        "", description="a mobile or landline number, kept in its normal form"
    )
    assigned_on: PastDay = Field(..., description="not in the future")

    @field_validator("lawyer_phone")
    @classmethod
    def _a_phone(cls, value: str) -> str:
        if not value:
            return value
        check = validate_phone(value)
        if not check.valid:
            raise PydanticCustomError("invalid", str(_("Enter a valid mobile or landline number.")))
        return check.normalised


class OutcomeIn(StrippedIn):
    outcome: required_choice(LegalAidOutcome)
    outcome_on: PastDay = Field(..., description="not in the future")
    note: text(max_length=8000) = ""
