"""Forms of the disposal pages (C4–C6). They only shape the page: each turns what was typed into
the API shape (``payload()``) and the service validates it; the service's field errors come back
onto these fields (``show_service_errors``). Several forms share one page, so each has its own
``auto_id`` while the posted names stay the API's names."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.cases.ledger import allocate
from zhichi.cases.models import (
    CourtEventKind,
    Evasion,
    LabourRelationship,
    MediationOutcome,
    Outcome,
    RiskSignal,
    SessionKind,
    VisitMethod,
    VisitTarget,
)
from zhichi.cases.schemas import TotalIn
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.forms import DateInput, StyledForm
from zhichi.common.inputs import parse

DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
CHOOSE = [("", gettext_lazy("Choose…"))]
SUPPORT_CHOICES = [
    ("support", gettext_lazy("Support the suit")),
    ("not_support", gettext_lazy("Do not support the suit")),
]
LEVEL_CHOICES = [
    ("1", gettext_lazy("1 routine")),
    ("2", gettext_lazy("2 standard")),
    ("3", gettext_lazy("3 major")),
]


def money_input():
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def date_field(label, *, required=False, past=False, upcoming=False, help_text=""):
    widget = DateInput()
    # the form sets max (a past date) or min (an upcoming one) to today when it is built (not
    # when the server started)
    if past:
        widget.attrs["data-past"] = "1"
    if upcoming:
        widget.attrs["data-upcoming"] = "1"
    return forms.CharField(
        label=label, required=required, widget=widget, max_length=40, help_text=help_text
    )


def text_field(label, *, required=False, rows=None, max_length=10000, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        max_length=max_length,
        help_text=help_text,
        strip=False,
    )


class DisposalForm(StyledForm):
    """A small event form: ``key`` names it on the case page (ids ``id_<key>_<field>``)."""

    key = "event"
    # textarea fields read line by line into a list: field name → the list's name in the API
    line_fields: tuple[str, ...] = ()

    def __init__(self, *args, key: str | None = None, **kwargs):
        self.key = key or self.key
        kwargs.setdefault("auto_id", f"id_{self.key}_%s")
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        for field in self.fields.values():
            if field.widget.attrs.get("data-past"):
                field.widget.attrs["max"] = today
            if field.widget.attrs.get("data-upcoming"):
                field.widget.attrs["min"] = today

    def raw(self, name: str):
        """What was posted for ``name``, as the widget reads it (no judgement)."""
        return self[name].data

    def text(self, name: str) -> str:
        value = self.raw(name)
        return value if isinstance(value, str) else ""

    def version(self) -> int | None:
        value = self.text("version").strip() if "version" in self.fields else ""
        return int(value) if value.isdigit() else None

    def show_service_errors(self, exc: InvalidInput) -> None:
        """The service's errors at their fields; an error on an item of a line list
        ("instalments.1.due") goes to the textarea, naming the line."""
        errors = []
        for err in exc.errors:
            head, _dot, rest = err.field.partition(".")
            index = rest.partition(".")[0]
            if head in self.line_fields and index.isdigit():
                message = _("Line %(n)s: %(message)s") % {
                    "n": int(index) + 1,
                    "message": err.message,
                }
                errors.append(FieldError(head, err.code, message))
            else:
                errors.append(err)
        super().show_service_errors(InvalidInput(errors, detail=exc.detail))


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def parse_instalments(value: str) -> list[dict]:
    """ "2026-12-31 5000" per line → [{"due": "2026-12-31", "amount": "5000"}]."""
    out = []
    for line in _lines(value):
        parts = line.split()
        amount = " ".join(parts[1:]).lstrip("¥￥").strip()
        out.append({"due": parts[0], "amount": amount})
    return out


def parse_served(value: str) -> list[dict]:
    """ "王建国 2026-11-12" per line → [{"person": "王建国", "served_on": "2026-11-12"}]."""
    out = []
    for line in _lines(value):
        parts = line.rsplit(None, 1)
        if len(parts) == 2:
            person, day = parts
        elif DATE_RE.fullmatch(parts[0]):
            person, day = "", parts[0]
        else:
            person, day = parts[0], ""
        out.append({"person": person.strip(), "served_on": day.strip()})
    return out


class ClaimantAmounts:
    """Each claimant's amount of an agreement or a decision (C6), one field per claimant on a
    case with several (``share_<party id>``), sent to the service as ``share_key``
    ([{claimant_party_id, amount}]). The page never splits a total on its own: ``with_split``
    fills in a split in proportion to the claims for the officer to check and send."""

    share_key = ""  # the service's list: "awards" or "shares"
    total_field = ""  # the form field with the total
    share_label = ""  # "… %(name)s …"

    def add_claimant_fields(self, claimants) -> None:
        self.share_names: dict[str, int] = {}
        self.share_errors: list[str] = []
        self.share_note = ""
        self._sent: list[int] = []
        if len(claimants) < 2:
            return  # one claimant: the whole amount is theirs
        for cp in claimants:
            name = f"share_{cp.party_id}"
            self.fields[name] = forms.CharField(
                label=self.share_label % {"name": cp.party.name},
                required=False,
                max_length=40,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control"}
                ),
            )
            self.share_names[name] = cp.party_id

    @property
    def share_fields(self) -> list:
        return [self[name] for name in self.share_names]

    def shares(self) -> list[dict]:
        """The amounts typed, in the claimants' order; none typed: [] (the service refuses a
        total without them on a case with several claimants)."""
        out = []
        self._sent = []
        for name, party_id in self.share_names.items():
            amount = self.text(name).strip().lstrip("¥￥").strip()
            if amount:
                out.append({"claimant_party_id": party_id, "amount": amount})
                self._sent.append(party_id)
        return out

    def total(self) -> tuple[Decimal | None, list[FieldError]]:
        """The total as typed, read as the service reads money (``schemas.TotalIn``)."""
        try:
            value = parse(TotalIn, {"amount": self.text(self.total_field).strip()}).amount
        except InvalidInput as exc:
            return None, [FieldError(self.total_field, e.code, e.message) for e in exc.errors]
        if value is None:
            return None, [FieldError(self.total_field, "required", _("Enter an amount."))]
        return value, []

    def with_proportional_split(self, total: Decimal, note: str = ""):
        """The same form with the total split in proportion to the claims (``ledger.allocate``)
        filled in, for the officer to check."""
        return self.with_split(allocate(total, self._claimants), note=note)

    def with_split(self, split: dict[int, Decimal], note: str = ""):
        """The same form with ``split`` filled in, for the officer to check: keyed by the case's
        claimant rows (CaseParty ids, as ``ledger.allocate`` gives it), whose fields are named by
        their person (``share_<party id>``)."""
        by_party = {cp.party_id: split.get(cp.pk, Decimal("0")) for cp in self._claimants}
        data = self.data.copy()
        for name, party_id in self.share_names.items():
            data[name] = f"{by_party.get(party_id, Decimal('0')):.2f}"
        form = type(self)(data, claimants=self._claimants, key=self.key)
        form.share_note = note
        return form

    def show_service_errors(self, exc: InvalidInput) -> None:
        """An error on one claimant's amount ("awards.1.amount") goes to that claimant's field;
        one about them all ("awards") beside the claimants' fields and at the top."""
        errors = []
        for err in exc.errors:
            head, _dot, rest = err.field.partition(".")
            if head != self.share_key or not self.share_names:
                errors.append(err)
                continue
            index = rest.partition(".")[0]
            if index.isdigit() and int(index) < len(self._sent):
                errors.append(FieldError(f"share_{self._sent[int(index)]}", err.code, err.message))
            else:
                self.share_errors.append(err.message)
                errors.append(err)
        super().show_service_errors(InvalidInput(errors, detail=exc.detail))


class MediationForm(ClaimantAmounts, DisposalForm):
    key = "mediation"
    line_fields = ("instalments",)
    share_key = "shares"
    total_field = "agreed_amount"
    share_label = gettext_lazy("Agreed for %(name)s (yuan)")

    held_on = date_field(gettext_lazy("Held on"), required=True, past=True)
    mediator_org = text_field(
        gettext_lazy("Mediator"),
        required=True,
        max_length=1000,
        help_text=gettext_lazy(
            "The people's mediation committee or the organisation that mediated."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Session"), choices=SessionKind.choices, initial=SessionKind.MEDIATION
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=CHOOSE + MediationOutcome.choices
    )
    agreed_amount = forms.CharField(
        label=gettext_lazy("Agreed amount (yuan)"),
        required=False,
        max_length=40,
        widget=money_input(),
        help_text=gettext_lazy(
            "Only for an agreement. With several claimants, enter each one's amount below."
        ),
    )
    instalments = text_field(
        gettext_lazy("Instalments"),
        rows=3,
        help_text=gettext_lazy(
            "One line per instalment: the day it falls due and the amount, e.g. “2026-12-31 5000”. "
            "They must add up to the agreed amount. Leave empty for a single payment."
        ),
    )
    note = text_field(gettext_lazy("Note"), rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, claimants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._claimants = list(claimants)
        self.add_claimant_fields(self._claimants)

    def payload(self) -> dict:
        return {
            "held_on": self.text("held_on").strip(),
            "mediator_org": self.text("mediator_org"),
            "kind": self.text("kind") or "mediation",
            "outcome": self.text("outcome"),
            "agreed_amount": self.text("agreed_amount").strip() or None,
            "instalments": parse_instalments(self.text("instalments")),
            "shares": self.shares(),
            "note": self.text("note"),
        }


class TimeInput(forms.TimeInput):
    """The browser's own time picker: it sends HH:MM, as the API takes it."""

    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MediationAppointmentForm(DisposalForm):
    """Schedule a mediation session (``schemas.MediationAppointmentIn``)."""

    key = "appointment"

    on = date_field(gettext_lazy("Date"), required=True, upcoming=True)
    at_time = forms.CharField(
        label=gettext_lazy("Time"), required=False, max_length=20, widget=TimeInput()
    )
    place = text_field(
        gettext_lazy("Place"),
        required=True,
        max_length=1000,
        help_text=gettext_lazy(
            "Where the parties should come. The person who applied sees it as written here."
        ),
    )
    mediator_org = text_field(
        gettext_lazy("Mediator"),
        required=True,
        max_length=1000,
        help_text=gettext_lazy("The people's mediation committee or the organisation mediating."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Session"), choices=SessionKind.choices, initial=SessionKind.MEDIATION
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {
            "on": self.text("on").strip(),
            "at_time": self.text("at_time").strip() or None,
            "place": self.text("place"),
            "mediator_org": self.text("mediator_org"),
            "kind": self.text("kind") or SessionKind.MEDIATION,
        }


class AppointmentCancelForm(DisposalForm):
    """Cancel one scheduled session with a reason; key ``cancel<appointment id>``."""

    key = "cancel"

    reason = text_field(
        gettext_lazy("Why is this session cancelled?"),
        required=True,
        rows=2,
        max_length=2000,
        help_text=gettext_lazy(
            "Kept for the staff. The person who applied is told only that it is cancelled and "
            "that a new date will follow."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"reason": self.text("reason")}


class SupportDecisionForm(DisposalForm):
    key = "support"

    decision = forms.ChoiceField(
        label=gettext_lazy("Proposal"),
        choices=CHOOSE + SUPPORT_CHOICES,
        help_text=gettext_lazy("The department head approves or rejects the proposal."),
    )
    reasons = text_field(gettext_lazy("Reasons"), required=True, rows=4)

    def payload(self) -> dict:
        return {"decision": self.text("decision"), "reasons": self.text("reasons")}


class CourtEventForm(ClaimantAmounts, DisposalForm):
    key = "court"
    line_fields = ("served",)
    share_key = "awards"
    total_field = "amount_awarded"
    share_label = gettext_lazy("Awarded to %(name)s (yuan)")

    kind = forms.ChoiceField(label=gettext_lazy("Event"), choices=CHOOSE + CourtEventKind.choices)
    on = date_field(gettext_lazy("Date"), required=True, past=True)
    court = text_field(gettext_lazy("Court or commission"), max_length=1000)
    served_on = date_field(
        gettext_lazy("Served on (all parties)"),
        past=True,
        help_text=gettext_lazy(
            "When everyone was served on the same day; otherwise list them below."
        ),
    )
    served = text_field(
        gettext_lazy("Served, person by person"),
        rows=3,
        help_text=gettext_lazy(
            "One line per person: the name and the day served, e.g. “王建国 2026-11-12”. "
            "Each starts its own appeal period (rule TL-4)."
        ),
    )
    amount_awarded = forms.CharField(
        label=gettext_lazy("Amount awarded (yuan)"),
        required=False,
        max_length=40,
        widget=money_input(),
        help_text=gettext_lazy(
            "A judgment, ruling or award only. With several claimants, enter each one's amount "
            "of a judgment or ruling below, as the decision states it."
        ),
    )
    performance_due = date_field(gettext_lazy("Performance due"))
    note = text_field(gettext_lazy("Note"), rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, claimants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._claimants = list(claimants)
        self.add_claimant_fields(self._claimants)

    def payload(self) -> dict:
        return {
            "kind": self.text("kind"),
            "on": self.text("on").strip(),
            "court": self.text("court"),
            "served_on": self.text("served_on").strip() or None,
            "served": parse_served(self.text("served")),
            "amount_awarded": self.text("amount_awarded").strip() or None,
            "awards": self.shares(),
            "performance_due": self.text("performance_due").strip() or None,
            "note": self.text("note"),
        }


class PaymentForm(DisposalForm):
    key = "payment"

    claimant_party_id = forms.ChoiceField(label=gettext_lazy("Paid to"))
    paid_on = date_field(gettext_lazy("Paid on"), required=True, past=True)
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"), max_length=40, widget=money_input()
    )
    payer = text_field(gettext_lazy("Payer"), required=True, max_length=1000)
    method = text_field(
        gettext_lazy("How it was paid"),
        max_length=200,
        help_text=gettext_lazy("e.g. bank transfer, cash at the procuratorate, court account."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, claimants=(), over: bool = False, **kwargs):
        """``over``: the confirm step of an overpayment (C6), which asks for its reason."""
        super().__init__(*args, **kwargs)
        self.fields["claimant_party_id"].choices = CHOOSE + [
            (str(cp.party_id), cp.party.name) for cp in claimants
        ]
        self.over = over
        if over:
            self.fields["overpayment_reason"] = forms.CharField(
                label=gettext_lazy("Reason for the overpayment"),
                required=True,
                max_length=2000,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=gettext_lazy(
                    "The amount is more than this claimant is still owed. Record it only if "
                    "that much really was paid, and say why; the ledger shows it as overpaid."
                ),
            )

    def payload(self) -> dict:
        party = self.text("claimant_party_id").strip()
        data = {
            "claimant_party_id": int(party) if party.isdigit() else (party or None),
            "paid_on": self.text("paid_on").strip(),
            "amount": self.text("amount").strip(),
            "payer": self.text("payer"),
            "method": self.text("method"),
        }
        if self.over:
            data["overpayment_reason"] = self.text("overpayment_reason")
        return data


class ReversalForm(DisposalForm):
    """Reverse one wrongly recorded payment with a reason (C6); key ``reverse<payment id>``."""

    key = "reverse"

    reason = text_field(
        gettext_lazy("Why is this payment reversed?"),
        required=True,
        rows=2,
        max_length=2000,
        help_text=gettext_lazy(
            "The payment stays in the record, marked reversed, and leaves every total."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"reason": self.text("reason")}


class VisitPlanForm(DisposalForm):
    key = "plan_visit"

    planned_on = date_field(gettext_lazy("Planned for"), required=True)
    target = forms.ChoiceField(label=gettext_lazy("Visit to"), choices=CHOOSE + VisitTarget.choices)
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=CHOOSE + VisitMethod.choices)

    def payload(self) -> dict:
        return {
            "planned_on": self.text("planned_on").strip(),
            "target": self.text("target"),
            "method": self.text("method"),
        }


class VisitRecordForm(DisposalForm):
    key = "visit"

    done_on = date_field(gettext_lazy("Done on"), required=True, past=True)
    findings = text_field(gettext_lazy("Findings"), required=True, rows=3)
    remaining_problems = text_field(gettext_lazy("Remaining problems"), rows=2)
    paid_in_full = forms.BooleanField(
        label=gettext_lazy("The claimants are paid in full"), required=False
    )
    next_visit_on = date_field(
        gettext_lazy("Next visit on"),
        help_text=gettext_lazy(
            "Unless paid in full, the next visit is planned: by default in 90 days."
        ),
    )

    def payload(self) -> dict:
        return {
            "done_on": self.text("done_on").strip(),
            "findings": self.text("findings"),
            "remaining_problems": self.text("remaining_problems"),
            "paid_in_full": bool(self.raw("paid_in_full")),
            "next_visit_on": self.text("next_visit_on").strip() or None,
        }


class CloseForm(DisposalForm):
    key = "close"

    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=CHOOSE + Outcome.choices,
        help_text=gettext_lazy(
            "It must agree with the money ledger: recovered in full when nothing is "
            "outstanding, partly recovered when some money was recovered and some is "
            "outstanding, not recovered when nothing was recovered."
        ),
    )
    note = text_field(gettext_lazy("Closing note"), rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # set by the confirm step: the officer saw the outcome with the ledger's figures
    confirm = forms.CharField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"outcome": self.text("outcome"), "note": self.text("note")}

    @property
    def confirmed(self) -> bool:
        return self.text("confirm") == "1"


class LevelForm(DisposalForm):
    key = "level"

    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=CHOOSE + LEVEL_CHOICES)
    reason = text_field(
        gettext_lazy("Reason"),
        required=True,
        rows=2,
        help_text=gettext_lazy("The rules' own reasons stay visible next to yours."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def level_value(self):
        value = self.text("level").strip()
        return int(value) if value.isdigit() else value


class ReopenForm(DisposalForm):
    """A head reopens a closed case; their own closure needs a second person (four eyes)."""

    key = "reopen"

    reason = text_field(
        gettext_lazy("Reason for reopening"), required=True, rows=2, max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"reason": self.text("reason")}


class DecisionForm(DisposalForm):
    """Approve (reason optional) or reject (reason required) one approval."""

    key = "decide"

    reason = text_field(gettext_lazy("Reason"), rows=2, max_length=10000)

    def __init__(self, *args, approval_id: int, reject: bool = False, **kwargs):
        verb = "reject" if reject else "approve"
        super().__init__(*args, key=f"{verb}{approval_id}", **kwargs)
        field = self.fields["reason"]
        field.required = reject
        field.label = (
            gettext_lazy("Reason for rejecting") if reject else gettext_lazy("Comment (optional)")
        )


class FactsForm(DisposalForm):
    """What became known after acceptance (C7): the criminal-lead check runs again on save."""

    key = "facts"

    labour_relationship = forms.ChoiceField(
        label=gettext_lazy("Labour relationship"), choices=LabourRelationship.choices
    )
    has_iou = forms.BooleanField(
        label=gettext_lazy("Holds the employer's wage IOU"), required=False
    )
    consent_to_share = forms.BooleanField(
        label=gettext_lazy("Consents to sharing with partner agencies"),
        required=False,
        help_text=gettext_lazy("Withdrawing consent ends the shares that rest on it."),
    )
    payment_order_authority = text_field(gettext_lazy("Order to pay: issued by"), max_length=200)
    payment_order_issued_on = date_field(gettext_lazy("Order to pay: issued on"), past=True)
    payment_order_deadline = date_field(gettext_lazy("Order to pay: deadline"))
    evasion = forms.MultipleChoiceField(
        label=gettext_lazy("Evasion (rule CR-3)"),
        choices=Evasion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signals = forms.MultipleChoiceField(
        label=gettext_lazy("Risk signals (rules EW-1, EW-3)"),
        choices=RiskSignal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_case(cls, case):
        return cls(
            initial={
                "labour_relationship": case.labour_relationship,
                "has_iou": case.has_iou,
                "consent_to_share": case.consent_to_share,
                "payment_order_authority": case.payment_order_authority,
                "payment_order_issued_on": case.payment_order_issued_on.isoformat()
                if case.payment_order_issued_on
                else "",
                "payment_order_deadline": case.payment_order_deadline.isoformat()
                if case.payment_order_deadline
                else "",
                "evasion": list(case.evasion or []),
                "signals": list(case.signals or []),
                "version": case.version,
            }
        )

    def payload(self) -> dict:
        """Every fact, as the page shows them all: an empty field clears it, an unticked box
        says no (the service changes only the facts it is given)."""
        return {
            "labour_relationship": self.text("labour_relationship"),
            "has_iou": bool(self.raw("has_iou")),
            "consent_to_share": bool(self.raw("consent_to_share")),
            "payment_order": {
                "authority": self.text("payment_order_authority"),
                "issued_on": self.text("payment_order_issued_on"),
                "deadline": self.text("payment_order_deadline"),
            },
            "evasion": list(self.raw("evasion") or []),
            "signals": list(self.raw("signals") or []),
        }
