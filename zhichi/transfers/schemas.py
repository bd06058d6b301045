"""A transfer's inputs, declared once: the API validates its bodies with them and the services
read a page's form values (or a caller's dict) through them (``zhichi.common.inputs.parse``).

What needs the database (the receiver and its department, the evidence being the case's or the
lead's own, an open transfer to the same receiver) and the transfer's state stay the services'
checks."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, field_validator
from pydantic_core import PydanticCustomError

from zhichi.accounts.models import Department, Organisation
from zhichi.common.schemas import OptionalDay, StrippedIn, required_choice, text
from zhichi.transfers.models import FeedbackResult, TransferKind


def _ids(value: Any) -> Any:
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)):
        raise PydanticCustomError("type", str(_("Give a list of attachment ids.")))
    return list(value)


def _attachment_id(value: Any) -> Any:
    """An attachment's id: a whole number, or its digits as text (a page's checkbox)."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PydanticCustomError("type", str(_("Give an attachment id.")))
    return value


AttachmentId = Annotated[int, BeforeValidator(_attachment_id)]


class TransferIn(StrippedIn):
    to_org: text(Organisation, "code", required=True) = Field(
        ..., description="the receiving organisation's code, e.g. WHPROC"
    )
    to_department: text(Department, "code") | None = Field(
        None,
        description="the receiving department's code; required for a procuratorate; never the "
        "sender's own department (422 own_department)",
    )
    kind: required_choice(TransferKind)
    reason: text(max_length=4000, required=True)
    feedback_due_on: OptionalDay = Field(None, description="after today; default 30 days")
    legal_basis: text(max_length=1000) | None = Field(
        None,
        description="required when the person has not consented to sharing with another agency",
    )
    evidence: Annotated[list[AttachmentId], BeforeValidator(_ids)] = Field(
        default_factory=list,
        description="the evidence package: ids of the case's or lead's attachments you may see",
    )

    @field_validator("feedback_due_on")
    @classmethod
    def _after_today(cls, value):
        if value is not None and value <= timezone.localdate():
            raise PydanticCustomError("past", str(_("The answer date must be after today.")))
        return value


class RejectIn(StrippedIn):
    reason: text(max_length=4000, required=True)
    version: int | None = None


class FeedbackIn(StrippedIn):
    text: text(max_length=8000, required=True)
    result: required_choice(FeedbackResult)
    version: int | None = None


class StepIn(Schema):
    version: int | None = None


class TransferCloseIn(StrippedIn):
    note: text(max_length=4000) = ""
    version: int | None = None
