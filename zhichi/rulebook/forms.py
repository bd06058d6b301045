"""Forms of the calculators page and the law library settings page.

The forms only shape the page; the calculators and services check the values (one place)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.common.forms import DateInput, StyledForm
from zhichi.core.calendar import PERIODS
from zhichi.rulebook.models import WageSeries
from zhichi.rulebook.provinces import PROVINCES
from zhichi.rulebook.words import period_choice

EVASION_CHOICES = [
    ("transferred_assets", _("Transferred or hid assets")),
    ("absconded", _("Absconded or hid")),
    ("destroyed_records", _("Hid or destroyed wage records")),
    ("refused_summons", _("Ignored a summons from labour inspection")),
]


def province_choices():
    return [(code, f"{code} {name}") for code, name in PROVINCES]


class DeadlineForm(StyledForm):
    error_aliases = {"days": "count", "months": "count", "years": "count", "working_days": "count"}
    kind = forms.ChoiceField(label=_("Period"))
    start = forms.CharField(label=_("Start day (not counted)"), widget=DateInput())
    unit = forms.ChoiceField(
        label=_("Custom period unit"),
        required=False,
        choices=[
            ("days", _("days")),
            ("months", _("months")),
            ("years", _("years")),
            ("working_days", _("working days")),
        ],
    )
    count = forms.CharField(
        label=_("Custom period length"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Only for a custom period, or to shorten a statutory one (e.g. a TL-9 reply)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the periods by name and length in the reader's language (rulebook.words)
        self.fields["kind"].choices = [("custom", _("Custom period"))] + [
            (key, period_choice(key))
            for key, p in sorted(PERIODS.items(), key=lambda kv: kv[1].rule)
        ]

    def payload(self) -> dict:
        d = self.cleaned_data
        out = {"kind": d.get("kind") or "custom", "start": d.get("start") or ""}
        if d.get("count"):
            out[d.get("unit") or "days"] = d["count"]
        return out


class CriminalLeadForm(StyledForm):
    error_aliases = {
        "payment_order.issued_on": "order_issued_on",
        "payment_order.deadline": "order_deadline",
    }
    province = forms.ChoiceField(label=_("Province"), choices=province_choices)
    as_of = forms.CharField(label=_("As of"), required=False, widget=DateInput())
    workers = forms.CharField(
        label=_("Workers: one line each, amount and months unpaid"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "12000 4\n8000 3"}),
        help_text=_("e.g. “12000 4” for 12,000 yuan over 4 months. Up to 10,000 lines."),
    )
    order_issued_on = forms.CharField(
        label=_("Order to pay issued on"), required=False, widget=DateInput()
    )
    order_deadline = forms.CharField(label=_("Order deadline"), required=False, widget=DateInput())
    paid_after_order = forms.BooleanField(label=_("Paid in full after the order"), required=False)
    evasion = forms.MultipleChoiceField(
        label=_("Evasion"),
        choices=EVASION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def payload(self) -> dict:
        d = self.cleaned_data
        workers = []
        for line in (d.get("workers") or "").splitlines():
            parts = line.replace(",", " ").replace("，", " ").split()
            if not parts:
                continue
            workers.append({"amount": parts[0], "months": parts[1] if len(parts) > 1 else None})
        out = {
            "province": d.get("province"),
            "as_of": d.get("as_of") or None,
            "workers": workers,
            "paid_after_order": bool(d.get("paid_after_order")),
            "evasion": list(d.get("evasion") or []),
        }
        if d.get("order_issued_on") or d.get("order_deadline"):
            out["payment_order"] = {
                "issued_on": d.get("order_issued_on") or None,
                "deadline": d.get("order_deadline") or None,
            }
        return out


class AssistanceCapForm(StyledForm):
    province = forms.ChoiceField(label=_("Province"), choices=province_choices, initial="53")
    wage_year = forms.CharField(
        label=_("Statistical year of the average wage"),
        help_text=_("The year before the decision (rule JA-4)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    series = forms.ChoiceField(
        label=_("Wage series"),
        required=False,
        choices=[("", _("The configured default")), *WageSeries.choices],
    )

    def payload(self) -> dict:
        d = self.cleaned_data
        return {
            "province": d.get("province"),
            "wage_year": d.get("wage_year"),
            "series": d.get("series") or None,
        }


class WageClaimForm(StyledForm):
    monthly_wage = forms.CharField(
        label=_("Monthly wage (yuan)"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    months_unpaid = forms.CharField(
        label=_("Months unpaid"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    amount_paid = forms.CharField(
        label=_("Already paid (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    service_start = forms.CharField(label=_("Service started"), required=False, widget=DateInput())
    service_end = forms.CharField(label=_("Service ended"), required=False, widget=DateInput())
    written_contract = forms.BooleanField(
        label=_("A written labour contract was signed"), required=False
    )
    local_avg_monthly_wage = forms.CharField(
        label=_("City's average monthly wage last year (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("For the 3× cap on economic compensation (rule LA-5)."),
    )
    order_deadline_passed = forms.BooleanField(
        label=_("Labour administration's order deadline has passed"), required=False
    )

    def payload(self) -> dict:
        d = self.cleaned_data
        return {
            "monthly_wage": d.get("monthly_wage"),
            "months_unpaid": d.get("months_unpaid") or None,
            "amount_paid": d.get("amount_paid") or None,
            "service_start": d.get("service_start") or None,
            "service_end": d.get("service_end") or None,
            "written_contract": bool(d.get("written_contract")),
            "local_avg_monthly_wage": d.get("local_avg_monthly_wage") or None,
            "order_deadline_passed": bool(d.get("order_deadline_passed")),
        }


class CapitalForm(StyledForm):
    amount = forms.CharField(
        label=_("Amount (yuan)"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def payload(self) -> dict:
        return {"amount": self.cleaned_data.get("amount")}


class HolidayYearForm(StyledForm):
    year = forms.CharField(label=_("Year"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    notice_title = forms.CharField(
        label=_("Notice title"),
        max_length=10000,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    notice_number = forms.CharField(label=_("Document number"), required=False, max_length=10000)
    published_on = forms.CharField(label=_("Published on"), required=False, widget=DateInput())
    source = forms.CharField(
        label=_("Source"),
        max_length=10000,
        help_text=_("Where the notice was read: the gov.cn address or the document."),
    )
    days = forms.CharField(
        label=_("Days off and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_(
            "One line each: “2027-02-05..2027-02-13 春节” for days off, "
            "“2027-02-14 上班 春节” for a make-up working day."
        ),
    )


class ThresholdForm(StyledForm):
    province = forms.ChoiceField(label=_("Province"), choices=province_choices, initial="53")
    individual = forms.CharField(
        label=_("One worker, 3+ months (yuan)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Within the national range listed above (rule CR-4)."),
    )
    collective = forms.CharField(
        label=_("Ten or more workers, cumulative (yuan)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Within the national range listed above (rule CR-4)."),
    )
    effective_from = forms.CharField(
        label=_("Effective from"),
        widget=DateInput(),
        help_text=_("The date the provincial document takes effect, as it states."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=10000,
        help_text=_("The provincial document that fixes the figures."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=10000)


class AverageWageForm(StyledForm):
    province = forms.ChoiceField(label=_("Province"), choices=province_choices, initial="53")
    wage_year = forms.CharField(label=_("Statistical year"))
    series = forms.ChoiceField(label=_("Series"), choices=WageSeries.choices)
    annual = forms.CharField(label=_("Annual average (yuan)"))
    published_on = forms.CharField(label=_("Published on"), widget=DateInput())
    source = forms.CharField(label=_("Source"), max_length=10000)


class CampaignForm(StyledForm):
    starts_on = forms.CharField(label=_("First day"), widget=DateInput())
    ends_on = forms.CharField(label=_("Last day (the Spring Festival)"), widget=DateInput())
    source = forms.CharField(label=_("Announcement"), max_length=10000)


class RiskRulesForm(StyledForm):
    weight = forms.CharField(label=_("Points for each risk factor"))
    heavy_weight = forms.CharField(label=_("Points for a grave factor"))
    alert_score = forms.CharField(label=_("Alert from this score"))
    workers_many = forms.CharField(label=_("Many workers: from"))
    workers_mass = forms.CharField(label=_("A mass dispute: from (workers)"))
    months_long = forms.CharField(label=_("Long arrears: from (months)"))
    source = forms.CharField(label=_("Basis (the local plan)"), max_length=10000)


class SeriesForm(StyledForm):
    series = forms.ChoiceField(
        label=_("Series used for the assistance cap"), choices=WageSeries.choices
    )
    source = forms.CharField(label=_("Basis for the choice"), max_length=10000)


class ProvinceCapForm(StyledForm):
    province = forms.ChoiceField(label=_("Province"), choices=province_choices, initial="53")
    amount = forms.CharField(
        label=_("Province cap (yuan)"),
        required=False,
        help_text=_("Leave empty to remove the province's own cap."),
    )
    source = forms.CharField(label=_("Provincial rule"), max_length=10000)
