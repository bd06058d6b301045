"""The import pages' forms: the upload, and the columns to confirm."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation, OrgKind, Role
from zhichi.common.forms import StyledForm
from zhichi.imports import columns

ACCEPT = ".xlsx,.xls,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(StyledForm):
    file = forms.FileField(
        label=_("Wage-arrears list"),
        help_text=_(
            "An Excel workbook (.xlsx or .xls) or a CSV file (UTF-8 or GB18030). The header row "
            "is found by itself, below any title rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    referring_org = forms.ChoiceField(label=_("Handed over by"), required=False)
    to_org = forms.ChoiceField(label=_("Send the leads to"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        active = Organisation.objects.filter(is_active=True).order_by("name")
        if user.role == Role.PARTNER:
            del self.fields["referring_org"]
            self.fields["to_org"].choices = [("", _("The procuratorate of my district"))] + [
                (o.code, o.name) for o in active.filter(kind=OrgKind.PROCURATORATE)
            ]
        else:
            del self.fields["to_org"]
            self.fields["referring_org"].choices = [("", _("— none —"))] + [
                (o.code, o.name) for o in active.exclude(kind=OrgKind.PROCURATORATE)
            ]
            self.fields["referring_org"].help_text = _(
                "The agency that gave you the list, such as the labour bureau: its leads are "
                "recorded as its referrals."
            )


def column_choices(headers: list[str]) -> list[tuple[str, str]]:
    letters = [_letter(i) for i in range(len(headers))]
    return [("", _("— not in the list —"))] + [
        (str(i), f"{letters[i]}: {h}" if h else letters[i]) for i, h in enumerate(headers)
    ]


def _letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class MappingForm(StyledForm):
    """One choice per field: the column that holds it (``mapping_<field>``)."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = column_choices(headers)
        for field in columns.FIELDS:
            self.fields[f"mapping_{field.code}"] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=False,
                initial=str(mapping[field.code]) if field.code in mapping else "",
            )
        self.required_fields = [f"mapping_{code}" for code in columns.REQUIRED]

    def mapping(self) -> dict[str, str]:
        """The chosen columns as the service reads them (field code → index, "" for none)."""
        data = self.data if self.is_bound else {}
        return {field.code: data.get(f"mapping_{field.code}", "") for field in columns.FIELDS}
