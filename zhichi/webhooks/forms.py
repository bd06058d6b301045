"""The subscription form: it shapes the page only; the service validates (its field errors come
back onto these fields)."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from zhichi.common.errors import InvalidInput
from zhichi.common.forms import StyledForm
from zhichi.webhooks.models import subscribable_choices
from zhichi.webhooks.services import URL_MAX_LENGTH


class SubscriptionForm(StyledForm):
    url = forms.CharField(
        label=_("Receiving URL"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Your system's address that accepts a POST, e.g. https://example.org/zhichi."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=subscribable_choices,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=200,
        help_text=_("Which system receives these events, and who looks after it."),
    )

    def payload(self) -> dict:
        return {
            "url": self.data.get("url", ""),
            "events": self.data.getlist("events") if hasattr(self.data, "getlist") else [],
            "description": self.data.get("description", ""),
        }

    def show_service_errors(self, exc: InvalidInput) -> None:
        """Forget the form's own judgement and show the service's errors at their fields;
        "events.2" belongs to the events field, and what no field shows goes on top."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for err in exc.errors:
            name = err.field.split(".")[0]
            target = name if name in self.fields else None
            if target is None or err.message not in self._errors.get(target, []):
                self.add_error(target, err.message)
        for name in self._errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
