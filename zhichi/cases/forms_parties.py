"""The form that corrects a party on the case page (issue 13 item 2). Like the disposal forms it
only shapes the page: ``payload()`` sends the service what differs from the record, in the API's
shape, and the service's field errors come back onto these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zhichi.cases.forms_disposal import DisposalForm, text_field
from zhichi.cases.models import PartyRole
from zhichi.parties.models import Group


class PartyCorrectionForm(DisposalForm):
    key = "correct"

    name = text_field(gettext_lazy("Name"), required=True, max_length=200)
    phone = text_field(gettext_lazy("New phone"), max_length=64)
    address = text_field(gettext_lazy("Address"), max_length=300)
    groups = forms.MultipleChoiceField(
        label=gettext_lazy("Groups"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The case is graded again when the groups change."),
    )
    id_number = text_field(
        gettext_lazy("New resident ID number"),
        max_length=64,
        help_text=gettext_lazy(
            "Leave empty to keep it. Only the department head may change an ID number."
        ),
    )
    reason = text_field(
        gettext_lazy("Reason for the correction"),
        required=True,
        rows=2,
        max_length=2000,
        help_text=gettext_lazy("Kept with the correction in the audit trail and on the timeline."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, role, identity: bool, **kwargs):
        """``role``: the CaseParty corrected; ``identity``: whether the viewer may change the ID
        number (the field is left out otherwise)."""
        party = role.party
        kwargs.setdefault(
            "initial",
            {
                "name": party.name,
                "address": party.address,
                "groups": list(role.groups or []),
                "version": role.case.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.role, self.party = role, party
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["phone"].help_text = (
            gettext_lazy("Leave empty to keep %(phone)s; the earlier phones stay listed.")
            % {"phone": party.phone_masked}
            if party.phone_masked
            else gettext_lazy("Leave empty if there is none.")
        )
        self.fields["id_number"].widget.attrs.update(autocomplete="off", spellcheck="false")
        if not identity or not party.is_person:
            del self.fields["id_number"]
        if role.role != PartyRole.CLAIMANT:
            del self.fields["groups"]

    def payload(self) -> dict:
        """The reason and each fact that differs from the record (the service corrects only
        those); an ID number is sent whenever one was posted, so a refusal is the service's."""
        out = {"reason": self.text("reason")}
        name = self.text("name")
        if name.strip() != self.party.name:
            out["name"] = name
        if self.text("phone").strip():
            out["phone"] = self.text("phone")
        address = self.text("address")
        if address.strip() and address.strip() != self.party.address:
            out["address"] = address
        if "groups" in self.fields:
            groups = list(self.raw("groups") or [])
            if sorted(groups) != sorted(self.role.groups or []):
                out["groups"] = groups
        id_number = self.data.get("id_number")
        if isinstance(id_number, str) and id_number.strip():
            out["id_number"] = id_number
        return out
