"""Forms of the suggestion pages. They shape the page only: each posts the API's field names and
the service validates; the service's field errors come back onto these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Organisation
from zhichi.common.forms import DateInput, StyledForm
from zhichi.supervision.models import (
    Adoption,
    EscalationTarget,
    ServiceMethod,
    SuggestionStatus,
)

CHOOSE = [("", gettext_lazy("Choose…"))]


class ServiceErrorsMixin:
    """The form posts the API's field names; ``payload()`` is what the service reads."""

    def payload(self) -> dict:
        return {name: self.data.get(self.add_prefix(name), "") for name in self.fields}


class SuggestionForm(ServiceErrorsMixin, StyledForm):
    to_org_name = forms.CharField(
        label=gettext_lazy("Recipient"),
        max_length=200,
        help_text=gettext_lazy("The agency the suggestion is addressed to, by its full name."),
    )
    to_org = forms.ChoiceField(
        label=gettext_lazy("Recipient on the platform"),
        required=False,
        help_text=gettext_lazy("Only if the recipient works on this platform; most do not."),
    )
    issue = forms.CharField(
        label=gettext_lazy("Problem found"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        help_text=gettext_lazy(
            "Where the matter came from, the facts found and the violation or risk."
        ),
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Recommendations"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        help_text=gettext_lazy("What the recipient should do, point by point."),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    served_on = forms.CharField(
        label=gettext_lazy("Planned date of service"),
        required=False,
        widget=DateInput(),
        max_length=40,
        help_text=gettext_lazy(
            "Optional: shows a provisional reply date (two months after receipt)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = CHOOSE + [
            (o.code, o.name) for o in Organisation.objects.filter(is_active=True).order_by("code")
        ]


class ServeForm(ServiceErrorsMixin, StyledForm):
    served_on = forms.CharField(label=gettext_lazy("Served on"), widget=DateInput(), max_length=40)
    method = forms.ChoiceField(
        label=gettext_lazy("Method of service"), choices=CHOOSE + ServiceMethod.choices
    )
    received_on = forms.CharField(
        label=gettext_lazy("Received on"),
        required=False,
        widget=DateInput(),
        max_length=40,
        help_text=gettext_lazy("The day the recipient received it; leave empty if the same day."),
    )
    reply_due_on = forms.CharField(
        label=gettext_lazy("Shorter reply date (urgent matters)"),
        required=False,
        widget=DateInput(),
        max_length=40,
        help_text=gettext_lazy(
            "Leave empty for the statutory two months after receipt (rule TL-9)."
        ),
    )


class ReplyForm(ServiceErrorsMixin, StyledForm):
    replied_on = forms.CharField(
        label=gettext_lazy("Replied on"), widget=DateInput(), max_length=40
    )
    adoption = forms.ChoiceField(
        label=gettext_lazy("Recommendations adopted?"), choices=CHOOSE + Adoption.choices
    )
    text = forms.CharField(
        label=gettext_lazy("What the reply says"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )


class EscalateForm(ServiceErrorsMixin, StyledForm):
    escalated_on = forms.CharField(
        label=gettext_lazy("Escalated on"), widget=DateInput(), max_length=40
    )
    to = forms.ChoiceField(
        label=gettext_lazy("Escalated to"), choices=CHOOSE + EscalationTarget.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the recipient did not comply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class CloseForm(ServiceErrorsMixin, StyledForm):
    note = forms.CharField(
        label=gettext_lazy("Closing note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class WithdrawForm(ServiceErrorsMixin, StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("Why it is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class RegisterFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *SuggestionStatus.choices],
    )
    overdue = forms.ChoiceField(
        label=gettext_lazy("Reply"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("1", gettext_lazy("Overdue")),
            ("0", gettext_lazy("Not overdue")),
        ],
    )
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Number, recipient or case number."),
    )
