"""A lead as the API takes it and as the services read it (issue 14 item 1): declared once. The
API validates a body with ``LeadIn``; ``validation.validate_lead`` reads what a page (or a test)
gives through the same schema (``zhichi.common.inputs.parse``), so a field's rule — its type,
length, choices, the identifiers' rules ID-1 and ID-2, the order to pay's dates, a claimant or a
respondent listed twice — is written here only. What needs the database (the referring
organisation by its code, a name on record under another name) is the services'."""

from __future__ import annotations

from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from zhichi.accounts.models import Organisation
from zhichi.cases.models import Category, LabourRelationship, Source
from zhichi.cases.schemas import (
    EVASION,
    SIGNALS,
    EvasionIn,
    LabourRelationshipIn,
    SignalsIn,
    checked_order,
    distinct,
    words,
)
from zhichi.common.schemas import (
    IDENTIFIER,
    ObjectIn,
    OptionalAmount,
    PastDate,
    choice,
    one_of,
    refusals,
    required_as,
    required_choice,
    whole,
)
from zhichi.intake.models import Redirect
from zhichi.parties.models import Group, Party, PartyKind, VulnerabilityBasis
from zhichi.parties.validation import normalised
from zhichi.rulebook.schemas import PaymentOrderIn

MAX_CLAIMANTS = 500
MAX_RESPONDENTS = 20
MAX_MONTHS = 600


class NameChoice(models.TextChoices):
    """Which name is right when a typed ID number is on record under another name (issue 13
    item 2): never decided silently, always by the person filing the lead."""

    RECORD = "record", gettext_lazy("The name on record is right")
    TYPED = "typed", gettext_lazy("The typed name is right: correct the record")


# issue 13 item 2: a typed name is never replaced by the name on record silently
NAME_CHOICE = (
    "Needed only when the ID number is on record under another name: without it the lead is "
    "refused (422, code `name_conflict` at `claimants.N.name` or `respondents.N.name`). `record`: "
    "the name on record is right and the lead uses it; `typed`: the name typed is right and the "
    "record is corrected to it (with `name_reason`; audited and noted on the person's cases)"
)
NAME_REASON = "why the name on record is wrong; required with `name_choice: typed`"
NAME_ON_RECORD = (
    "the name on record you were shown in the `name_conflict` message; when given and the record "
    "now holds another name, the lead is refused again (`name_conflict`)"
)


# --- the field types of a lead ------------------------------------------------------------------
def _none_is(default):
    """null (or "") is the field's default, as a page leaves an empty field out."""

    def given(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default() if callable(default) else default
        return value

    return BeforeValidator(given)


def _optional_words(model=None, field: str | None = None, *, max_length: int | None = None):
    """Text that may be left out: kept stripped, "" when null or not given."""
    return Annotated[words(model, field, max_length=max_length), _none_is("")]


def _identifier(kind: str):
    """An identifier as typed (rule ID-1, ID-2 or the phone's format), kept normalised; blank
    is no identifier ("")."""

    def given(value: str) -> str:
        return normalised(kind, value) if value else ""

    return Annotated[
        Annotated[str, Field(max_length=IDENTIFIER), AfterValidator(given)],
        BeforeValidator(_text_or_blank),
    ]


def _text_or_blank(value: Any) -> Any:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PydanticCustomError("type", str(_("Enter text.")))
    return value.strip()


def _choices(choices):
    """Several of ``choices``, each once; none when left out."""
    return Annotated[list[one_of(choices)], AfterValidator(distinct), _none_is(list)]


def _months(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_MONTHS:
        raise PydanticCustomError(
            "range",
            str(_("Enter a number from %(min)d to %(max)d.") % {"min": 0, "max": MAX_MONTHS}),
        )
    return value


# months unpaid: a whole number from 0 to 600, refused in the words the lead form always used
Months = Annotated[
    whole(), AfterValidator(_months), Field(json_schema_extra={"minimum": 0, "maximum": 600})
]

Answer = Annotated[bool, Field(strict=True), _none_is(False)]  # yes or no; left out is no


class PersonNameIn(ObjectIn):
    """What the filer said about a name conflict: their choice, the reason for correcting the
    record, and the name on record they were shown (so a choice made against one record never
    applies to another)."""

    name_choice: choice(NameChoice, required=False) = Field(None, description=NAME_CHOICE)
    name_reason: _optional_words(max_length=2000) = Field("", description=NAME_REASON)
    name_on_record: _optional_words(Party, "name") = Field("", description=NAME_ON_RECORD)


class ClaimantIn(PersonNameIn):
    name: words(Party, "name", required=True)
    id_number: _identifier("id_number") = Field("", description="rule ID-1")
    phone: _identifier("phone") = ""
    address: _optional_words(Party, "address") = ""
    groups: _choices(Group) = Field(default_factory=list)
    vulnerability_basis: _choices(VulnerabilityBasis) = Field(default_factory=list)
    amount_claimed: OptionalAmount = None
    months_unpaid: Months = None


class RespondentIn(PersonNameIn):
    kind: Annotated[choice(PartyKind), _none_is(PartyKind.ORGANISATION.value)] = (
        PartyKind.ORGANISATION.value
    )
    name: words(Party, "name", required=True)
    credit_code: _identifier("credit_code") = Field("", description="an organisation's (rule ID-2)")
    id_number: _identifier("id_number") = Field("", description="a person's (rule ID-1)")
    address: _optional_words(Party, "address") = ""

    @field_validator("credit_code", "id_number", mode="wrap")
    @classmethod
    def _of_its_kind(cls, value: Any, handler, info: ValidationInfo) -> str:
        """An organisation has a credit code, a person an ID number: the other is not read."""
        kind = info.data.get("kind", PartyKind.ORGANISATION)
        mine = "credit_code" if kind == PartyKind.ORGANISATION else "id_number"
        if info.field_name != mine:
            return ""
        return handler(value)


def _claimants_given(value: Any) -> Any:
    if value is None or value == "" or value == []:
        raise PydanticCustomError("required", str(_("Add at least one claimant.")))
    return value


class LeadIn(Schema):
    source: required_choice(Source)
    received_on: Annotated[PastDate, required_as(gettext_lazy("Enter a date."))] = Field(
        ..., description="not in the future"
    )
    category: required_choice(Category)
    summary: words(max_length=5000, required=True)
    claimants: Annotated[
        list[ClaimantIn], Field(max_length=MAX_CLAIMANTS), BeforeValidator(_claimants_given)
    ]
    respondents: Annotated[list[RespondentIn], _none_is(list)] = Field(
        default_factory=list, max_length=MAX_RESPONDENTS
    )
    voluntary: Answer = False
    consent_to_share: Answer = False
    labour_relationship: Annotated[
        LabourRelationshipIn, _none_is(LabourRelationship.UNKNOWN.value)
    ] = LabourRelationship.UNKNOWN.value
    has_iou: Answer = False
    payment_order: Annotated[PaymentOrderIn | None, AfterValidator(checked_order)] = Field(
        None, description="the labour administration's order to pay"
    )
    evasion: Annotated[EvasionIn, AfterValidator(distinct), _none_is(list)] = Field(
        default_factory=list, description=EVASION
    )
    signals: Annotated[SignalsIn, AfterValidator(distinct), _none_is(list)] = Field(
        default_factory=list, description=SIGNALS
    )
    referring_org: _optional_words(Organisation, "code") = Field(
        "",
        description="the referring agency's code. A partner may give only its own (its leads "
        "are always its referrals); naming an agency does not share the lead with it: the agency "
        "sees it only when its own staff filed it or with consent_to_share",
    )
    to_org: _optional_words(Organisation, "code") = Field(
        "", description="the receiving procuratorate's code (partners)"
    )

    @field_validator("claimants")
    @classmethod
    def _each_person_once(cls, claimants: list[ClaimantIn]) -> list[ClaimantIn]:
        seen: dict[str, int] = {}
        found = []
        for i, c in enumerate(claimants):
            if not c.id_number:
                continue
            if c.id_number in seen:
                found.append(
                    (
                        f"{i}.id_number",
                        "duplicate",
                        _("The same ID number is already claimant %(n)d.")
                        % {"n": seen[c.id_number] + 1},
                        c.id_number,
                    )
                )
            seen.setdefault(c.id_number, i)
        if found:
            raise refusals("claimants", found)
        return claimants

    @field_validator("respondents")
    @classmethod
    def _each_respondent_once(cls, respondents: list[RespondentIn]) -> list[RespondentIn]:
        seen: set[str] = set()
        found = []
        for i, r in enumerate(respondents):
            key = r.credit_code or r.id_number
            if key and key in seen:
                field = "credit_code" if r.credit_code else "id_number"
                found.append(
                    (f"{i}.{field}", "duplicate", _("This respondent is already listed."), key)
                )
            elif key:
                seen.add(key)
        if found:
            raise refusals("respondents", found)
        return respondents

    # the order to pay as the lead's facts keep it (``cases.models.FACT_FIELDS``)
    @property
    def payment_order_authority(self) -> str:
        return (self.payment_order.authority or "") if self.payment_order else ""

    @property
    def payment_order_issued_on(self):
        return self.payment_order.issued_on if self.payment_order else None

    @property
    def payment_order_deadline(self):
        return self.payment_order.deadline if self.payment_order else None


class DeclineIn(Schema):
    """Declining a lead: the reason, and where the person is sent instead (C1)."""

    reason: words(max_length=2000, required=True)
    redirect: choice(Redirect)
