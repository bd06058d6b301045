"""Forms of the assistance and legal aid pages. They shape the page only: each turns what was
typed into the API's shape (``payload()``); the service validates and its field errors come back
onto these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zhichi.assistance.models import (
    ApplicationForm,
    AssistanceStatus,
    Exclusion,
    LegalAidOutcome,
    NoticeMethod,
    PaymentMethod,
    Proposal,
    Situation,
)
from zhichi.cases.forms_disposal import CHOOSE, DisposalForm, date_field, money_input, text_field
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.forms import StyledForm


class ApplicationRecordForm(DisposalForm):
    key = "application"

    applicant_party_id = forms.ChoiceField(label=gettext_lazy("Applicant"))
    form = forms.ChoiceField(
        label=gettext_lazy("Form of application"),
        choices=ApplicationForm.choices,
        initial=ApplicationForm.WRITTEN,
        help_text=gettext_lazy("An oral application is written down and signed by the applicant."),
    )
    received_on = date_field(
        gettext_lazy("Received on"),
        past=True,
        help_text=gettext_lazy(
            "The decision is due 10 working days later (rule JA-6). Empty: today."
        ),
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("Situation (rule JA-2)"),
        choices=CHOOSE + Situation.choices,
        help_text=gettext_lazy(
            "Wage arrears is not listed as such: use art. 7(6) or 7(7) and describe the hardship "
            "the case caused."
        ),
    )
    hardship = text_field(
        gettext_lazy("Hardship"),
        required=True,
        rows=4,
        help_text=gettext_lazy(
            "What the person and the family live on, debts, medical costs, dependants."
        ),
    )
    hardship_caused_by_case = forms.BooleanField(
        label=gettext_lazy("The hardship was caused by the case"), required=False, initial=True
    )
    requested_amount = forms.CharField(
        label=gettext_lazy("Amount requested (yuan)"), max_length=40, widget=money_input()
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("Urgent: aid first, paperwork after (e.g. treatment that cannot wait)"),
        required=False,
    )
    urgent_reason = text_field(gettext_lazy("Why it cannot wait"), rows=2, max_length=4000)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            claimants = case.parties.filter(role="claimant").select_related("party")
            self.fields["applicant_party_id"].choices = CHOOSE + [
                (str(cp.party_id), cp.party.name) for cp in claimants
            ]

    def payload(self) -> dict:
        party = self.text("applicant_party_id").strip()
        return {
            "applicant_party_id": int(party) if party.isdigit() else (party or None),
            "form": self.text("form"),
            "received_on": self.text("received_on").strip() or None,
            "basis": self.text("basis"),
            "hardship": self.text("hardship"),
            "hardship_caused_by_case": bool(self.raw("hardship_caused_by_case")),
            "requested_amount": self.text("requested_amount").strip(),
            "urgent": bool(self.raw("urgent")),
            "urgent_reason": self.text("urgent_reason"),
        }


class OpinionForm(DisposalForm):
    """The verification and review opinion: each JA-3 exclusion answered, then the proposal."""

    key = "opinion"

    verification = text_field(
        gettext_lazy("What was verified"),
        required=True,
        rows=3,
        help_text=gettext_lazy(
            "Income, family, medical bills, compensation received, who was asked."
        ),
    )
    proposal = forms.ChoiceField(label=gettext_lazy("Proposal"), choices=CHOOSE + Proposal.choices)
    proposed_amount = forms.CharField(
        label=gettext_lazy("Proposed amount (yuan)"),
        max_length=40,
        required=False,
        widget=money_input(),
        help_text=gettext_lazy(
            "Above the cap needs special approval and the amount a court would award."
        ),
    )
    court_award_limit = forms.CharField(
        label=gettext_lazy("Amount a court would award (yuan)"),
        max_length=40,
        required=False,
        widget=money_input(),
        help_text=gettext_lazy("Only when the proposal is above the cap (rule JA-4)."),
    )
    opinion = text_field(gettext_lazy("Review opinion"), required=True, rows=4)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # one yes/no question per exclusion (rule JA-3): nothing pre-selected, so each is answered
        for value, label in Exclusion.choices:
            self.fields[f"exclusion_{value}"] = forms.ChoiceField(
                label=label,
                choices=[("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))],
                widget=forms.RadioSelect,
                required=True,
            )
            self.fields[f"exclusion_{value}"].widget.attrs["class"] = "form-check-input"

    @property
    def exclusion_fields(self):
        return [self[f"exclusion_{value}"] for value in Exclusion.values]

    @property
    def other_fields(self):
        return [
            self[name]
            for name in ("verification", "proposal", "proposed_amount", "court_award_limit")
        ]

    def payload(self) -> dict:
        exclusions = {}
        for value in Exclusion.values:
            answer = self.text(f"exclusion_{value}")
            if answer in ("yes", "no"):
                exclusions[value] = answer == "yes"
        return {
            "exclusions": exclusions,
            "verification": self.text("verification"),
            "proposal": self.text("proposal"),
            "proposed_amount": self.text("proposed_amount").strip() or None,
            "court_award_limit": self.text("court_award_limit").strip() or None,
            "opinion": self.text("opinion"),
        }

    def show_service_errors(self, exc):
        # "exclusions.serious_fault" is shown on the exclusion_serious_fault radio group
        errors = [
            FieldError(e.field.replace("exclusions.", "exclusion_"), e.code, e.message)
            if e.field.startswith("exclusions.")
            else e
            for e in exc.errors
        ]
        super().show_service_errors(InvalidInput(errors, detail=exc.detail))


class FundsForm(DisposalForm):
    key = "funds"
    arrived_on = date_field(
        gettext_lazy("Funds arrived on"),
        required=True,
        past=True,
        help_text=gettext_lazy("The applicant must be told within 2 working days (rule JA-6)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"arrived_on": self.text("arrived_on").strip()}


class NoticeForm(DisposalForm):
    key = "notice"
    notified_on = date_field(gettext_lazy("Applicant told on"), required=True, past=True)
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=CHOOSE + NoticeMethod.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"notified_on": self.text("notified_on").strip(), "method": self.text("method")}


class PaymentForm(DisposalForm):
    key = "payment"
    paid_on = date_field(gettext_lazy("Paid on"), required=True, past=True)
    amount = forms.CharField(
        label=gettext_lazy("Amount paid (yuan)"), max_length=40, widget=money_input()
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Paid by"), choices=CHOOSE + PaymentMethod.choices
    )
    reference = text_field(gettext_lazy("Receipt or transfer number"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {
            "paid_on": self.text("paid_on").strip(),
            "amount": self.text("amount").strip(),
            "method": self.text("method"),
            "reference": self.text("reference"),
        }


class FollowUpForm(DisposalForm):
    key = "follow_up"
    on = date_field(gettext_lazy("Followed up on"), required=True, past=True)
    note = text_field(
        gettext_lazy("How the person is now"),
        required=True,
        rows=3,
        help_text=gettext_lazy(
            "Was the money used as intended; is more help needed (social assistance)?"
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"on": self.text("on").strip(), "note": self.text("note")}


class WithdrawForm(DisposalForm):
    key = "withdraw"
    reason = text_field(gettext_lazy("Why the applicant withdraws"), required=True, rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def payload(self) -> dict:
        return {"reason": self.text("reason")}


class LawyerForm(DisposalForm):
    key = "lawyer"
    lawyer_name = text_field(gettext_lazy("Lawyer"), required=True, max_length=100)
    law_firm = text_field(gettext_lazy("Law firm"), required=True, max_length=200)
    lawyer_phone = text_field(gettext_lazy("Lawyer's phone"), max_length=20)
    assigned_on = date_field(gettext_lazy("Assigned on"), required=True, past=True)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "lawyer_name": instance.lawyer_name,
                    "law_firm": instance.law_firm,
                    "lawyer_phone": instance.lawyer_phone,
                    "assigned_on": instance.assigned_on.isoformat(),
                },
            )
        super().__init__(*args, **kwargs)

    def payload(self) -> dict:
        return {
            "lawyer_name": self.text("lawyer_name"),
            "law_firm": self.text("law_firm"),
            "lawyer_phone": self.text("lawyer_phone").strip(),
            "assigned_on": self.text("assigned_on").strip(),
        }


class OutcomeForm(DisposalForm):
    key = "outcome"
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=CHOOSE + LegalAidOutcome.choices
    )
    outcome_on = date_field(gettext_lazy("As of"), required=True, past=True)
    note = text_field(gettext_lazy("Note"), rows=2, max_length=8000)

    def payload(self) -> dict:
        return {
            "outcome": self.text("outcome"),
            "outcome_on": self.text("outcome_on").strip(),
            "note": self.text("note"),
        }


class RegisterFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *AssistanceStatus.choices],
    )
    q = forms.CharField(
        label=gettext_lazy("Case number or applicant"), required=False, max_length=100
    )
