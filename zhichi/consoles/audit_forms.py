"""The auditor's filters of the audit trail: the list page, its exports and nothing else read them
(a filter means the same on the page and in the file)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from zhichi.audit.models import AuditEntry, Outcome
from zhichi.common.forms import StyledForm


def _max_length(field: str) -> int:
    return AuditEntry._meta.get_field(field).max_length


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker (minutes; the page's time zone)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TrailFilterForm(StyledForm):
    user = forms.CharField(label=_("User name"), required=False, max_length=_max_length("username"))
    action = forms.CharField(
        label=_("Action begins with"),
        required=False,
        max_length=_max_length("action"),
        # the list shows no help text: the example is the placeholder, and the label says prefix
        widget=forms.TextInput(attrs={"placeholder": "case."}),
    )
    date_from = forms.DateTimeField(label=_("From"), required=False, widget=DateTimeInput())
    date_to = forms.DateTimeField(label=_("To"), required=False, widget=DateTimeInput())
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any")), *Outcome.choices]
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=_max_length("object_type"),
        widget=forms.TextInput(attrs={"list": "audit-object-types", "placeholder": "cases.case"}),
    )
    object_id = forms.CharField(
        label=_("Object id"), required=False, max_length=_max_length("object_id")
    )
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)

    def clean(self):
        data = super().clean()
        since, until = data.get("date_from"), data.get("date_to")
        if since and until and since > until:
            self.add_error("date_to", _("“To” is before “From”: no entry could match."))
        return data


def object_types() -> list[str]:
    """The names of the records the trail can name (e.g. ``cases.case``), offered as suggestions
    for the object type filter; read from the code, never from the trail."""
    return sorted(model._meta.label_lower for model in apps.get_models())
