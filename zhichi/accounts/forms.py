from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from zhichi.accounts import lockout
from zhichi.accounts.models import ApiToken, Organisation, Role, TokenState
from zhichi.audit.services import record
from zhichi.common.forms import StyledForm, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.retry_after = 0

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password") and self.request is not None:
            wait = lockout.seconds_to_wait(self.request, username)
            if wait:
                # refused before the password is looked at: a too-early attempt is no guess
                self.retry_after = wait
                record(
                    action="auth.login",
                    username=username[:150],
                    outcome="denied",
                    detail={"reason": "wait", "seconds": wait},
                )
                raise ValidationError(
                    ngettext(
                        "There were several failed sign-in attempts for this account. To "
                        "protect it, wait %(seconds)d second before trying again.",
                        "There were several failed sign-in attempts for this account. To "
                        "protect it, wait %(seconds)d seconds before trying again.",
                        wait,
                    )
                    % {"seconds": wait},
                    code="wait",
                )
        return super().clean()


class TokenForm(StyledForm):
    name = forms.CharField(
        label=pgettext_lazy("API token", "Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. the system that will use it."),
    )

    def payload(self) -> str:
        # the service judges the name; the form only carries it
        return self.data.get("name", "")


class TokenFilterForm(StyledForm):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *TokenState.choices]
    )


class UserFilterForm(StyledForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All")), *Role.choices]
    )
    q = forms.CharField(label=_("Name or user name"), required=False, max_length=150)
