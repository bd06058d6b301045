"""The subscription form: it shapes the page only; the service validates (its field errors come
back onto these fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
