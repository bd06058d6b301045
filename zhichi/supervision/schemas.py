"""A procuratorial suggestion's steps as they are given, declared once: the API validates its
bodies with these, and the services read a page's values (or a caller's dict) through them.

What needs the suggestion's own record (served before it was approved, a reply before the
receipt, an escalation before service), the recipient's organisation on the platform, or the
holiday calendar (the latest reply date, rule TL-9) is the services' check."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from zhichi.accounts.models import Organisation
from zhichi.common.schemas import (
    OptionalDate,
    OptionalPastDate,
    PastDate,
    StrippedIn,
    choice,
    refusal,
    text,
)
from zhichi.supervision.models import Adoption, EscalationTarget, ServiceMethod, Suggestion


class SuggestionIn(StrippedIn):
    to_org_name: text(Suggestion, "to_org_name") | None = Field(
        None,
        description="the recipient agency's name (required unless to_org names an agency on "
        "the platform)",
    )
    to_org: text(Organisation, "code") | None = Field(
        None, description="the recipient's organisation code, if any"
    )
    issue: text(max_length=8000, required=True) = Field(
        ..., description="the problem found (violation or risk) and its facts"
    )
    recommendations: text(max_length=8000, required=True) = Field(
        ..., description="the specific recommendations"
    )
    legal_basis: text(max_length=2000) | None = None
    served_on: OptionalDate = Field(
        None, description="planned date of service; gives a provisional reply_due"
    )

    @field_validator("served_on")
    @classmethod
    def _not_past(cls, value: date | None) -> date | None:
        if value is not None and value < timezone.localdate():
            raise PydanticCustomError(
                "past", str(_("A planned date of service cannot be in the past."))
            )
        return value

    @model_validator(mode="after")
    def _named(self) -> SuggestionIn:
        if not self.to_org_name and not self.to_org:
            raise refusal(
                SuggestionIn,
                "to_org_name",
                "required",
                _("Name the agency the suggestion goes to."),
            )
        return self


class ReviseIn(SuggestionIn):
    version: int | None = None


class ServeIn(StrippedIn):
    served_on: PastDate = Field(..., description="not in the future")
    method: choice(ServiceMethod)
    received_on: OptionalPastDate = Field(
        None, description="when the recipient received it (default: served_on)"
    )
    reply_due_on: OptionalDate = Field(
        None,
        description="a shorter reply date for an urgent matter (at most two months after receipt)",
    )
    version: int | None = None

    @field_validator("received_on")
    @classmethod
    def _not_before_service(cls, value: date | None, info: ValidationInfo) -> date | None:
        served_on = info.data.get("served_on")
        if value is not None and served_on is not None and value < served_on:
            raise PydanticCustomError(
                "before_service", str(_("It cannot be received before it was served."))
            )
        return value

    @field_validator("reply_due_on")
    @classmethod
    def _after_receipt(cls, value: date | None, info: ValidationInfo) -> date | None:
        if "received_on" not in info.data:
            return value  # the receipt is refused: nothing to compare with
        received_on = info.data["received_on"] or info.data.get("served_on")
        if value is not None and received_on is not None and value <= received_on:
            raise PydanticCustomError(
                "too_early", str(_("The reply date must be after the receipt."))
            )
        return value

    @property
    def received(self) -> date:
        """The day it was received: the day of service unless another is given."""
        return self.received_on or self.served_on


class ReplyIn(StrippedIn):
    replied_on: PastDate = Field(..., description="not in the future")
    text: text(max_length=8000, required=True)
    adoption: choice(Adoption)
    version: int | None = None


class EscalateIn(StrippedIn):
    escalated_on: PastDate = Field(..., description="not in the future")
    to: choice(EscalationTarget)
    reason: text(max_length=4000, required=True)
    version: int | None = None


class SuggestionCloseIn(StrippedIn):
    note: text(max_length=4000, required=True)
    version: int | None = None


class SuggestionWithdrawIn(StrippedIn):
    reason: text(max_length=4000, required=True)
    version: int | None = None
