"""The dashboard's filter: the period and, for the chief procurator and the registry, one
department; read through ``StatsIn`` (the API's query), which judges it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.common.forms import DateInput, StyledForm
from zhichi.stats.period import CUSTOM, MONTH, QUARTER, YEAR


class StatsFilterForm(StyledForm):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            (YEAR, _("Year")),
            (QUARTER, _("Quarter")),
            (MONTH, _("Month")),
            (CUSTOM, _("From … to …")),
        ],
    )
    on = forms.DateField(label=_("Holding the day"), required=False, widget=DateInput())
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    department = forms.ChoiceField(label=_("Department"), required=False)

    # StatsIn names the two ends as the API's query does
    error_aliases = {"from": "date_from", "to": "date_to"}

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        if departments:
            self.fields["department"].choices = [("", _("The whole procuratorate"))] + [
                (d.code, d.name) for d in departments
            ]
        else:
            del self.fields["department"]

    def query(self) -> dict:
        """What was asked, blank left out, for ``StatsIn``."""
        return {k: v for k, v in self.data.items() if k in self.fields and v not in ("", None)}
