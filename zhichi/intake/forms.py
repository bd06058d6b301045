"""The lead form: one main form and two formsets (claimants, respondents)."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation
from zhichi.cases.models import Category, Evasion, LabourRelationship, RiskSignal, Source
from zhichi.common.forms import DateInput, StyledForm, StyledFormSet
from zhichi.intake.models import LeadStatus, Redirect
from zhichi.intake.schemas import NameChoice
from zhichi.parties.models import Group, PartyKind, VulnerabilityBasis


class LeadForm(StyledForm):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    summary = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who owes what to whom, since when, and what the person asks for."),
    )
    labour_relationship = forms.ChoiceField(
        label=_("Labour relationship"),
        choices=LabourRelationship.choices,
        initial=LabourRelationship.UNKNOWN,
        help_text=_(
            "An employee goes to labour arbitration first, unless they hold a wage IOU (rule SP-6)."
        ),
    )
    has_iou = forms.BooleanField(
        label=_("Holds the employer's wage IOU (工资欠条)"), required=False
    )
    voluntary = forms.BooleanField(
        label=_("The person applies voluntarily and wants to sue"),
        required=False,
        help_text=_("Support, not replace: the person stays the plaintiff (rule SP-5)."),
    )
    consent_to_share = forms.BooleanField(
        label=_("The person consents to sharing this lead with partner agencies"), required=False
    )
    payment_order_authority = forms.CharField(
        label=_("Order to pay issued by"), required=False, max_length=10000
    )
    payment_order_issued_on = forms.DateField(
        label=_("Order issued on"), required=False, widget=DateInput()
    )
    payment_order_deadline = forms.DateField(
        label=_("Order deadline"), required=False, widget=DateInput()
    )
    evasion = forms.MultipleChoiceField(
        label=_("Evasion by the employer"),
        choices=Evasion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signals = forms.MultipleChoiceField(
        label=_("Risk signals (rules EW-1, EW-3)"),
        choices=RiskSignal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referring_org = forms.ModelChoiceField(
        label=_("Referred by"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
        empty_label=_("Not referred"),
        help_text=_(
            "Recording who referred the lead does not share it with them: the agency sees the "
            "lead and its case only if the person consents to sharing."
        ),
    )

    def __init__(self, *args, partner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if partner:
            del self.fields["referring_org"]
            self.fields["source"].choices = [(Source.AGENCY, Source.AGENCY.label)]

    def as_payload(self) -> dict:
        d = self.cleaned_data
        payload = {
            "source": d.get("source") or "",
            "received_on": d["received_on"].isoformat() if d.get("received_on") else "",
            "category": d.get("category") or "",
            "summary": d.get("summary") or "",
            "labour_relationship": d.get("labour_relationship") or "",
            "has_iou": bool(d.get("has_iou")),
            "voluntary": bool(d.get("voluntary")),
            "consent_to_share": bool(d.get("consent_to_share")),
            "evasion": list(d.get("evasion") or []),
            "signals": list(d.get("signals") or []),
            "referring_org": d["referring_org"].code if d.get("referring_org") else None,
        }
        order = {
            "authority": d.get("payment_order_authority") or "",
            "issued_on": d["payment_order_issued_on"].isoformat()
            if d.get("payment_order_issued_on")
            else None,
            "deadline": d["payment_order_deadline"].isoformat()
            if d.get("payment_order_deadline")
            else None,
        }
        if any(order.values()):
            payload["payment_order"] = order
        return payload


class NameChoiceMixin(forms.Form):
    """The confirm step of a name that differs from the name on record for its ID number (issue
    13 item 2): shown only then (``name_conflict``, set by the view); which name is right."""

    name_choice = forms.ChoiceField(
        label=_("Which name is right?"),
        choices=NameChoice.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    name_reason = forms.CharField(
        label=_("Why the name on record is wrong"),
        required=False,
        max_length=10000,
        help_text=_("Needed to correct the record, e.g. “checked against the ID card”."),
    )
    name_on_record = forms.CharField(required=False, max_length=10000, widget=forms.HiddenInput)

    name_conflict = None

    def show_name_conflict(self, conflict) -> None:
        """Ask which name is right, naming both where the filer may see the name on record."""
        self.name_conflict = conflict
        if conflict.shown:
            self.fields["name_choice"].choices = [
                (
                    NameChoice.RECORD,
                    _("%(name)s — the name on record is right") % {"name": conflict.recorded},
                ),
                (
                    NameChoice.TYPED,
                    _("%(name)s — the name typed is right: correct the record")
                    % {"name": conflict.typed},
                ),
            ]

    def name_payload(self) -> dict:
        d = self.cleaned_data
        return {
            "name_choice": d.get("name_choice") or "",
            "name_reason": d.get("name_reason") or "",
            "name_on_record": d.get("name_on_record") or "",
        }


class ClaimantForm(NameChoiceMixin, StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=10000)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=10000)
    amount_claimed = forms.CharField(
        label=_("Amount claimed (yuan)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    months_unpaid = forms.CharField(
        label=_("Months unpaid"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    groups = forms.MultipleChoiceField(
        label=_("Groups"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vulnerability_basis = forms.MultipleChoiceField(
        label=_("Why the person cannot sue alone"),
        choices=VulnerabilityBasis.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Assessed case by case, not assumed from the group (rule SP-3)."),
    )

    def as_payload(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d.get("name", ""),
            "id_number": d.get("id_number", ""),
            "phone": d.get("phone", ""),
            "address": d.get("address", ""),
            "amount_claimed": d.get("amount_claimed", ""),
            "months_unpaid": d.get("months_unpaid", ""),
            "groups": list(d.get("groups") or []),
            "vulnerability_basis": list(d.get("vulnerability_basis") or []),
            **self.name_payload(),
        }


class RespondentForm(NameChoiceMixin, StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.ORGANISATION
    )
    name = forms.CharField(
        label=_("Name of the company or person"), required=False, max_length=10000
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=64,
        help_text=_("For an organisation: 18 characters (rule ID-2)."),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        required=False,
        max_length=64,
        help_text=_("For a person, e.g. a contractor (包工头)."),
    )

    def has_changed(self) -> bool:
        # the kind select always carries a value; a row counts only once something is typed
        return any(self.data.get(self.add_prefix(f)) for f in ("name", "credit_code", "id_number"))

    def as_payload(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d.get("kind") or PartyKind.ORGANISATION,
            "name": d.get("name", ""),
            "credit_code": d.get("credit_code", ""),
            "id_number": d.get("id_number", ""),
            **self.name_payload(),
        }


ClaimantFormSet = formset_factory(
    ClaimantForm, formset=StyledFormSet, extra=0, can_delete=True, max_num=500, absolute_max=500
)
RespondentFormSet = formset_factory(
    RespondentForm, formset=StyledFormSet, extra=0, can_delete=True, max_num=20, absolute_max=20
)


class DeclineForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    redirect = forms.ChoiceField(
        label=_("Point the person to"),
        choices=Redirect.choices,
        help_text=_(
            "Where the person can go instead: legal aid, arbitration, labour inspection..."
        ),
    )


class LeadFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["status"].choices = anything + list(LeadStatus.choices)
        self.fields["source"].choices = anything + list(Source.choices)
        self.fields["category"].choices = anything + list(Category.choices)
