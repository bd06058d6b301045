"""The system administrator's forms: they shape the console's pages only. The services of
``zhichi.accounts.organisations`` judge what is typed, and their field errors come back onto
these fields (``show_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department, Organisation, OrgKind
from zhichi.common.forms import StyledForm
from zhichi.rulebook.provinces import PROVINCES

ACTIVE_CHOICES = [("", _("All")), ("1", _("Active")), ("0", _("Inactive"))]


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class _Payload:
    """What the form carries to the service: the values as typed, and nothing of a disabled
    field (the service then keeps what is stored)."""

    def payload(self) -> dict:
        return {
            name: self.data.get(name, "")
            for name, field in self.fields.items()
            if not field.disabled
        }


class OrganisationFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *OrgKind.choices]
    )
    active = forms.ChoiceField(label=_("State"), required=False, choices=ACTIVE_CHOICES)
    q = forms.CharField(label=_("Code or name"), required=False, max_length=100)


class OrganisationForm(_Payload, StyledForm):
    """A new organisation, or an organisation's values. ``fixed``: the fields shown but not sent
    (an organisation in use keeps its code and kind)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=_max(Organisation, "code"),
        help_text=_(
            "Letters, digits, “-” and “_”, e.g. WHPROC. Other systems name the organisation by "
            "it, so it is fixed once the organisation is in use."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name"), max_length=_max(Organisation, "name"))
    short_name = forms.CharField(
        label=_("Short name"),
        required=False,
        max_length=_max(Organisation, "short_name"),
        help_text=_("Used in case and document numbers, e.g. 五华检."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *OrgKind.choices],
        help_text=_("Decides what its users see; fixed once the organisation is in use."),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        choices=[(code, f"{code} {name}") for code, name in PROVINCES],
        initial="53",
    )
    district = forms.CharField(
        label=_("District code"),
        required=False,
        max_length=_max(Organisation, "district"),
        help_text=_(
            "Six digits (GB/T 2260), e.g. 530102. A partner agency's leads go to the "
            "procuratorate of its district."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    case_number_pattern = forms.CharField(
        label=_("Case number pattern"),
        required=False,
        max_length=_max(Organisation, "case_number_pattern"),
        help_text=_(
            "Placeholders: {short}, {year}, {seq}, {seq:04d}. Empty: the system default. Numbers "
            "already given keep their text."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, fixed: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in fixed:
            self.fields[name].disabled = True


class DepartmentForm(_Payload, StyledForm):
    """A new department, or a department's values (``fixed``: as for an organisation)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=_max(Department, "code"),
        help_text=_(
            "Letters, digits, “-” and “_”, unique in the organisation, e.g. civil (new leads "
            "land in the department coded civil). Fixed once the department is in use."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name"), max_length=_max(Department, "name"))

    def __init__(self, *args, fixed: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in fixed:
            self.fields[name].disabled = True
