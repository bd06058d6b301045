from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from zhichi.accounts import lockout
from zhichi.accounts.models import (
    GIVEN_ROLES,
    ApiToken,
    Department,
    Organisation,
    Role,
    TokenState,
)
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


# --- the user's own account: second factor and password (rule R6) -----------------------------
class CodeForm(StyledForm):
    code = forms.CharField(
        label=pgettext_lazy("one-time code", "Code"),
        max_length=20,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"), max_length=128, strip=False, widget=forms.PasswordInput
    )
    new_password1 = forms.CharField(
        label=_("New password"), max_length=128, strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("New password again"), max_length=128, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"


# --- the security administrator: accounts and the password policy (rule R5, R6) --------------
class UserForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.select_related("organisation").order_by(
            "organisation__code", "code"
        ),
        required=False,
    )
    role = forms.ChoiceField(label=_("Role"), choices=())
    phone = forms.CharField(label=_("Office phone"), max_length=32, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # the three administrator roles are given on the server, never here (rule R5)
        self.fields["role"].choices = [(r.value, r.label) for r in GIVEN_ROLES]
        if editing:
            del self.fields["username"]


class SessionFilterForm(StyledForm):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)


class PasswordPolicyForm(StyledForm):
    """The policy's numbers; the service checks them against rule R6's floors."""

    min_length = forms.IntegerField(label=_("Minimum length"))
    classes = forms.IntegerField(
        label=_("Kinds of character"),
        help_text=_("Of lower case, upper case, digits and symbols, how many a password mixes."),
    )
    max_age_days = forms.IntegerField(label=_("Expires after (days)"))
    history = forms.IntegerField(label=_("Earlier passwords refused"))
