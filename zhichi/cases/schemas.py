"""The inputs of a case as the API takes them and as the services read them (issue 14 item 1):
declared once. The API validates a body with these schemas; a service reads what a page (or a
test) gives it through the same schema (``zhichi.common.inputs.parse``), so a field's rule — its
type, length, choices, format and the rules between fields of one input — is written here only,
and the services keep the rules that need the database or the record's state.

The facts of a lead and of its case are declared once too, used by the lead (``POST /leads``)
and the case's facts (``POST /cases/{id}/facts``). The order to pay, which the criminal-lead
check (``POST /rules/criminal-lead``) takes too, is the law library's
(``rulebook.schemas.PaymentOrderIn``).
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from zhichi.cases.models import (
    CaseShare,
    CourtEvent,
    CourtEventKind,
    Evasion,
    LabourRelationship,
    Mediation,
    MediationAppointment,
    MediationOutcome,
    Outcome,
    Payment,
    RiskSignal,
    Service,
    SessionKind,
    Stage,
    VisitMethod,
    VisitTarget,
)
from zhichi.common.schemas import (
    IDENTIFIER,
    Amount,
    Date,
    FutureDate,
    ObjectIn,
    OptionalAmount,
    OptionalDate,
    OptionalPastDate,
    PastDate,
    PositiveAmount,
    choice,
    kept,
    one_of,
    refusal,
    refusals,
    text,
)
from zhichi.common.validation import text_problem
from zhichi.parties.models import Group, Party
from zhichi.parties.validation import message_for, normalised
from zhichi.rulebook.schemas import PaymentOrderIn

LabourRelationshipIn = choice(LabourRelationship, required=False)
EvasionIn = list[one_of(Evasion)]
EVASION = "how the employer evades paying (rule CR-3)"
SignalsIn = list[one_of(RiskSignal)]
SIGNALS = (
    "what raises the dispute's risk (rule EW-3): construction, project_closing, past_petitions, "
    "self_harm_threats; mass_incident: the arrears caused a mass or extreme incident (rule EW-1 "
    "(ii), with an unmet order to pay)"
)

REASON_MAX = 2000  # a reason given for a reopening, a correction, a reversal or an overpayment


# --- text as the services have always kept it --------------------------------------------------
def _clean(value: Any) -> Any:
    """Text is kept without its surrounding spaces, and never with a character no record may
    hold (``text_problem``); anything else is left for the type to refuse."""
    if not isinstance(value, str):
        return value
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError(problem[0], str(problem[1]))
    return value.strip()


def words(model=None, field: str | None = None, *, max_length: int | None = None, required=False):
    """``common.schemas.text`` read as the services read text: stripped, and refused with a
    control character or a broken one (the code and message of ``Collector.text``)."""
    return Annotated[
        text(model, field, max_length=max_length, required=required), BeforeValidator(_clean)
    ]


def _sent_text(max_length: int):
    """Text that may be left out (null: not sent), but when sent is not blank."""

    def present(value: Any) -> Any:
        value = _clean(value)
        if isinstance(value, str) and not value:
            raise PydanticCustomError("required", str(_("This field is required.")))
        return value

    return Annotated[Annotated[str, Field(max_length=max_length)] | None, BeforeValidator(present)]


def _identifier(kind: str):
    """A phone or a resident ID number as typed: checked by rules ID-1 (and the phone's format)
    and kept normalised; blank when sent is ``required``."""

    def given(value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("required", message_for(kind, "required"))
        return normalised(kind, value)

    return Annotated[
        Annotated[str, Field(max_length=IDENTIFIER), AfterValidator(given)] | None,
        BeforeValidator(_clean),
    ]


def distinct(values: list | None) -> list | None:
    if values is None:
        return None
    out: list = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _left_alone(extra: dict | None = None):
    """A fact left out (or null) is not corrected: no default is shown, since none is applied."""

    def shape(schema: dict) -> None:
        schema.pop("default", None)
        schema.update(extra or {})

    return shape


VERSION = "the case version you read (409 when stale)"


def _claimant(value: Any) -> Any:
    """A claimant's person, by id: anything but a whole number names no claimant of the case."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("unknown", str(_("Choose a claimant of this case.")))
    return value


ClaimantId = Annotated[int, BeforeValidator(_claimant)]


# --- a step taken back or undone, with its reason -----------------------------------------------
class ReasonIn(ObjectIn):
    """A reason (required) and the case's version: what reopening a case, reversing a payment and
    cancelling a mediation session each take. Each has its own name in the OpenAPI."""

    reason: words(max_length=REASON_MAX, required=True)
    version: int | None = Field(None, description=VERSION)


class ReopenIn(ReasonIn):
    """Reopening a closed case (services.reopening)."""


# --- correcting a party (services.parties) -----------------------------------------------------
CORRECTABLE = ("name", "phone", "address", "groups", "id_number")


class CorrectionIn(ObjectIn):
    """The reason, and the facts to correct: only those sent change."""

    reason: words(max_length=REASON_MAX, required=True) = Field(
        ..., description="why the record was wrong (kept as typed)"
    )
    name: _sent_text(Party._meta.get_field("name").max_length) = Field(
        None, json_schema_extra=_left_alone()
    )
    phone: _identifier("phone") = Field(
        None,
        description="becomes the current phone; the earlier ones stay in the person's contacts",
        json_schema_extra=_left_alone(),
    )
    address: _sent_text(Party._meta.get_field("address").max_length) = Field(
        None,
        description="becomes the current address; the earlier ones stay in the contacts",
        json_schema_extra=_left_alone(),
    )
    groups: Annotated[list[one_of(Group)] | None, AfterValidator(distinct)] = Field(
        None,
        description="a claimant's groups on this case (the case is graded again)",
        json_schema_extra=_left_alone(),
    )
    id_number: _identifier("id_number") = Field(
        None,
        description="the department head only (403 for anyone else); 422 `duplicate_identity` "
        "when another person on record has it",
        json_schema_extra=_left_alone(),
    )
    version: int | None = Field(None, description=VERSION)

    @model_validator(mode="after")
    def _something(self):
        if not self.corrected():
            raise refusal(
                CorrectionIn,
                "name",
                "nothing_to_correct",
                _(
                    "Give what is to be corrected: a name, a phone, an address, groups or an ID number."
                ),
            )
        return self

    def corrected(self) -> dict:
        """The facts sent, by name (a fact left out or null is not corrected)."""
        return {k: getattr(self, k) for k in CORRECTABLE if getattr(self, k) is not None}


# --- payments and their reversal (services.payments) -------------------------------------------
class PaymentIn(ObjectIn):
    claimant_party_id: ClaimantId
    paid_on: PastDate = Field(..., description="not in the future")
    amount: PositiveAmount
    payer: words(Payment, "payer", required=True)
    method: words(Payment, "method") | None = None
    overpayment_reason: words(max_length=REASON_MAX) | None = Field(
        None,
        description="why more is paid than the claimant is still owed: without it such a payment "
        "is refused (422 at amount, code above_outstanding); the ledger then shows it as overpaid",
    )
    version: int | None = None


class ReverseIn(ReasonIn):
    """Reversing a payment (services.payments)."""


# --- the case's facts, and ending a share (services.facts) -------------------------------------
def _before_issue() -> str:
    return str(_("The deadline cannot be before the order was issued."))


def checked_order(order: PaymentOrderIn | None) -> PaymentOrderIn | None:
    """The order to pay as a case keeps it (the law library's ``PaymentOrderIn``): the authority
    without surrounding spaces; not issued in the future, nor before 1900; the deadline not
    before the date of issue when both are sent (against the stored date the service checks)."""
    if order is None:
        return None

    def refused(part: str, code: str, message: str, value) -> ValidationError:
        return refusal(PaymentOrderIn, part, code, message, value)

    for part in ("issued_on", "deadline"):
        day = getattr(order, part)
        if day is not None and day.year < 1900:
            raise refused(part, "date_range", _("Enter a date after 1900."), day)
    if order.issued_on is not None and order.issued_on > timezone.localdate():
        raise refused(
            "issued_on", "future", _("This date cannot be in the future."), order.issued_on
        )
    if order.issued_on and order.deadline and order.deadline < order.issued_on:
        raise refused("deadline", "before_issue", _before_issue(), order.deadline)
    authority = _clean(order.authority)
    if authority != order.authority:
        order.authority = authority  # assigning keeps the parts sent (model_fields_set)
    return order


def _named(value: Any) -> Any:
    """A fact that is sent is given: null or "" does not clear a labour relationship."""
    if value is None:
        raise PydanticCustomError("required", str(_("Choose one.")))
    return value


Flag = Annotated[bool, Field(strict=True)]  # true or false, nothing else (null does not mean no)


class FactsChangeIn(ObjectIn):
    """Only the facts sent change; a fact left out keeps its value (PATCH semantics). The
    service reads a change with it; its version is the service's own argument."""

    labour_relationship: Annotated[LabourRelationshipIn, AfterValidator(_named)] = Field(
        None, json_schema_extra=kept()
    )
    has_iou: Flag = Field(None, json_schema_extra=kept())
    consent_to_share: Flag = Field(
        None,
        description="false withdraws the consent and ends the shares that rest on it (rule R3)",
        json_schema_extra=kept(),
    )
    payment_order: Annotated[PaymentOrderIn | None, AfterValidator(checked_order)] = Field(
        None, description="the order to pay (rule CR-5); null clears it", json_schema_extra=kept()
    )
    evasion: Annotated[EvasionIn, AfterValidator(distinct)] = Field(
        None, description=EVASION, json_schema_extra=kept()
    )
    signals: Annotated[SignalsIn, AfterValidator(distinct)] = Field(
        None, description=SIGNALS, json_schema_extra=kept()
    )
    version: int | None = Field(None, description=VERSION)

    def sent(self) -> set[str]:
        """The facts named (the version is no fact)."""
        return set(self.model_fields_set) - {"version"}


class FactsIn(FactsChangeIn):
    """The facts as the API takes them: the version is part of the body, and required."""

    version: int = Field(..., description=VERSION)


class RevokeIn(ObjectIn):
    reason: words(CaseShare, "end_reason", required=True)


# --- disposal (services.disposal): mediations, support decisions, court events, visits, closing --
NOTE = 5000  # a note on a mediation or a court event
LONG = 10000  # reasons, findings, a closing note
SUPPORT = "support"
NOT_SUPPORT = "not_support"


def _share_claimant(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("unknown", str(_("Not a claimant of this case.")))
    return value


class InstalmentIn(ObjectIn):
    due: Date
    amount: PositiveAmount


class ShareIn(ObjectIn):
    """One claimant's amount of an agreement or a decision (whether the person is a claimant of
    the case, and whether the amounts add up to the total, the service checks)."""

    claimant_party_id: Annotated[int, BeforeValidator(_share_claimant)]
    amount: Amount


class MediationIn(ObjectIn):
    held_on: PastDate
    mediator_org: words(Mediation, "mediator_org", required=True)
    outcome: choice(MediationOutcome)
    kind: choice(SessionKind, required=False) = SessionKind.MEDIATION.value
    agreed_amount: OptionalAmount = Field(None, validate_default=True)
    instalments: list[InstalmentIn] = Field(default_factory=list, max_length=120)
    shares: list[ShareIn] = Field(
        default_factory=list,
        description="each claimant's share of an agreement, adding up to agreed_amount (422 at "
        "shares otherwise; a claimant left out gets 0); without them on a case with several "
        "claimants the agreement is split in proportion to the claims, and the answer's shares "
        "show that split",
    )
    note: words(max_length=NOTE) | None = None
    version: int | None = Field(None, description=VERSION)

    # A rule between fields is checked on the later field, with the earlier ones that are valid
    # (``info.data``), so it is reported together with the other fields' errors.
    @field_validator("instalments", "shares", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None or value == "" else value

    @field_validator("agreed_amount")
    @classmethod
    def _agreed(cls, value: Decimal | None, info) -> Decimal | None:
        if value is None and info.data.get("outcome") == MediationOutcome.AGREEMENT:
            raise PydanticCustomError("required", str(_("Enter an amount.")))
        return value

    @field_validator("instalments")
    @classmethod
    def _instalments(cls, value: list[InstalmentIn], info) -> list[InstalmentIn]:
        held_on = info.data.get("held_on")
        found = [
            (f"{i}.due", "before", _("An instalment cannot fall due before the agreement."), i_.due)
            for i, i_ in enumerate(value)
            if held_on and i_.due < held_on
        ]
        amount = info.data.get("agreed_amount")
        if value and amount is not None and sum(i.amount for i in value) != amount:
            found.append(("", "sum", _("The instalments must add up to the agreed amount."), None))
        if found:
            raise refusals(MediationIn, found)
        return value

    @field_validator("shares")
    @classmethod
    def _shares(cls, value: list[ShareIn], info) -> list[ShareIn]:
        if value and info.data.get("agreed_amount") is None:
            raise PydanticCustomError(
                "not_applicable", str(_("Only an agreement has claimants' shares."))
            )
        return value

    @model_validator(mode="after")
    def _agreement(self):
        if self.outcome != MediationOutcome.AGREEMENT and (
            self.agreed_amount is not None or self.instalments
        ):
            raise refusal(
                MediationIn,
                "outcome",
                "no_agreement",
                _("Only an agreement has an agreed amount and instalments."),
                self.outcome,
            )
        return self


# a time of day as people write it on a notice: hours and minutes, 24-hour clock ("09:30", "9:30")
CLOCK_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
CLOCK_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$",
    "maxLength": 5,
    "description": "the time of day, 24-hour HH:MM",
    "examples": ["09:30"],
}


def _clock(value: Any) -> Any:
    """``HH:MM`` as the schema's pattern says (a browser's time field sends it so); blank is no
    time."""
    if value is None or isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("time", str(_("Enter a time as HH:MM, e.g. 09:30.")))
    if not value.strip():
        return None
    found = CLOCK_RE.fullmatch(value)
    if found is None:
        raise PydanticCustomError("time", str(_("Enter a time as HH:MM, e.g. 09:30.")))
    return time(int(found.group(1)), int(found.group(2)))


OptionalClock = Annotated[
    Annotated[time, WithJsonSchema(CLOCK_SCHEMA)] | None, BeforeValidator(_clock)
]


class MediationAppointmentIn(ObjectIn):
    """A mediation session planned for a date (today or later), so the person who applied can be
    told when and where to come; whether the case takes one, the service decides."""

    on: FutureDate
    at_time: OptionalClock = None
    place: words(MediationAppointment, "place", required=True)
    mediator_org: words(MediationAppointment, "mediator_org", required=True)
    kind: choice(SessionKind, required=False) = SessionKind.MEDIATION.value
    version: int | None = Field(None, description=VERSION)


class CancelAppointmentIn(ReasonIn):
    """Cancelling a scheduled mediation session (services.appointments)."""


class SupportDecisionIn(ObjectIn):
    decision: choice((SUPPORT, NOT_SUPPORT))
    reasons: words(max_length=LONG, required=True)


class ServedIn(ObjectIn):
    person: words(Service, "person", required=True)
    served_on: PastDate


AWARD_KINDS = (CourtEventKind.JUDGMENT, CourtEventKind.RULING)
AMOUNT_KINDS = (*AWARD_KINDS, CourtEventKind.ARBITRATION_AWARD)


class CourtEventIn(ObjectIn):
    kind: choice(CourtEventKind)
    on: PastDate
    court: words(CourtEvent, "court") | None = None
    served_on: OptionalPastDate = None
    served: list[ServedIn] = Field(
        default_factory=list,
        max_length=200,
        description="each person served and when (appeal periods, TL-4)",
    )
    amount_awarded: OptionalAmount = None
    awards: list[ShareIn] = Field(
        default_factory=list,
        description="a judgment's or ruling's amount for each claimant, adding up to "
        "amount_awarded (422 at awards otherwise; a claimant left out gets 0); without them on a "
        "case with several claimants the amount is split in proportion to the claims, and the "
        "answer's awards show that split",
    )
    performance_due: OptionalDate = None
    note: words(max_length=NOTE) | None = None
    version: int | None = Field(None, description=VERSION)

    @field_validator("served", "awards", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None or value == "" else value

    @field_validator("served_on")
    @classmethod
    def _served_after(cls, value: date | None, info) -> date | None:
        on = info.data.get("on")
        if value and on and value < on:
            raise PydanticCustomError("before", str(_("Service cannot come before the decision.")))
        return value

    @field_validator("amount_awarded")
    @classmethod
    def _amount_of_a_decision(cls, value: Decimal | None, info) -> Decimal | None:
        if value is not None and info.data.get("kind") not in AMOUNT_KINDS:
            raise PydanticCustomError(
                "not_applicable", str(_("Only a judgment, ruling or award has an amount."))
            )
        return value

    @field_validator("awards")
    @classmethod
    def _awarded(cls, value: list[ShareIn], info) -> list[ShareIn]:
        if value and (
            info.data.get("amount_awarded") is None or info.data.get("kind") not in AWARD_KINDS
        ):
            raise PydanticCustomError(
                "not_applicable",
                str(
                    _("Only a judgment or a ruling with an amount awards each claimant an amount.")
                ),
            )
        return value


class VisitIn(ObjectIn):
    planned_on: Date
    target: choice(VisitTarget)
    method: choice(VisitMethod)


def _no_is_false(value: Any) -> Any:
    return False if value is None else value


class VisitRecordIn(ObjectIn):
    done_on: PastDate
    findings: words(max_length=LONG, required=True)
    paid_in_full: Annotated[Flag, BeforeValidator(_no_is_false)] = False
    next_visit_on: OptionalDate = None
    remaining_problems: words(max_length=LONG) | None = None

    @field_validator("next_visit_on")
    @classmethod
    def _next_after_this(cls, value: date | None, info) -> date | None:
        done_on = info.data.get("done_on")
        if value and done_on and value <= done_on:
            raise PydanticCustomError("before", str(_("The next visit must come after this one.")))
        return value


class CloseIn(ObjectIn):
    outcome: choice(Outcome)
    note: words(max_length=LONG) | None = None
    version: int | None = None


class TotalIn(ObjectIn):
    """A total typed on a page, read as every amount is (the page asks for it when blank)."""

    amount: OptionalAmount = None


# --- the level, a stage, an approval's decision (their services take the values as arguments) --
LEVELS = (1, 2, 3)


class LevelIn(ObjectIn):
    level: one_of(LEVELS)
    reason: text(max_length=5000, required=True)
    version: int = Field(..., description=VERSION)


class StageIn(ObjectIn):
    to: choice(Stage)
    reason: text(max_length=2000, required=True)
    version: int


class DecideIn(ObjectIn):
    reason: text(max_length=5000) = ""
