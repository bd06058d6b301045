"""The calculators page (法律计算器) and the law library page (figures, sources, settings)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhichi.accounts.models import Organisation
from zhichi.common.errors import InvalidInput
from zhichi.common.steps import run_step
from zhichi.rulebook import calculators, loaders, rules, services
from zhichi.rulebook.forms import (
    AssistanceCapForm,
    AverageWageForm,
    CampaignForm,
    CapitalForm,
    CriminalLeadForm,
    DeadlineForm,
    HolidayYearForm,
    ProvinceCapForm,
    RiskRulesForm,
    SeriesForm,
    ThresholdForm,
    WageClaimForm,
)
from zhichi.rulebook.models import (
    AverageWage,
    CampaignWindow,
    CriminalThreshold,
    HolidayYear,
    RuleSetting,
)
from zhichi.rulebook.provinces import PROVINCE_NAMES
from zhichi.rulebook.schemas import RISK_RULE_NAMES

CALCULATORS = {
    "deadline": (DeadlineForm, calculators.deadline),
    "criminal": (CriminalLeadForm, calculators.criminal_lead),
    "cap": (AssistanceCapForm, calculators.assistance_cap),
    "wages": (WageClaimForm, calculators.wage_claim),
    "capital": (CapitalForm, calculators.rmb_capital),
}


# where a calculator's field errors go when the form shows the value under another name
def _province_default(user) -> str:
    org = getattr(user, "organisation", None)
    return getattr(org, "province", "") or "53"


@login_required
@require_http_methods(["GET", "POST"])
def calculators_page(request):
    if not rules.can_view(request.user):
        raise PermissionDenied
    province = _province_default(request.user)
    today = calculators.today().isoformat()
    forms = {
        "deadline": DeadlineForm(initial={"start": today}, auto_id="id_deadline_%s"),
        "criminal": CriminalLeadForm(
            initial={"province": province, "as_of": today}, auto_id="id_criminal_%s"
        ),
        # the latest published year for the province; the rule wants the year before the decision
        "cap": AssistanceCapForm(
            auto_id="id_cap_%s",
            initial={
                "province": province,
                "wage_year": AverageWage.objects.filter(province=province)
                .order_by("-wage_year")
                .values_list("wage_year", flat=True)
                .first()
                or calculators.today().year - 1,
            },
        ),
        "wages": WageClaimForm(initial={"written_contract": True}, auto_id="id_wages_%s"),
        "capital": CapitalForm(auto_id="id_capital_%s"),
    }
    results: dict[str, dict] = {}
    active = request.POST.get("calc") if request.method == "POST" else None
    status = 200
    if active in CALCULATORS:
        form_class, compute = CALCULATORS[active]
        form = form_class(request.POST, auto_id=f"id_{active}_%s")
        if form.is_valid():
            try:
                results[active] = compute(form.payload())
            except InvalidInput as exc:
                form.show_service_errors(exc)
                status = 422
        else:
            status = 422
        forms[active] = form
    context = {
        "calculators": [(name, forms[name], results.get(name)) for name in CALCULATORS],
        "active": active,
    }
    if request.htmx and active:
        return render(
            request,
            "rulebook/_calculator.html",
            {**context, "name": active, "form": forms[active], "result": results.get(active)},
            status=status,
        )
    return render(request, "rulebook/calculators.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def library_page(request):
    if not rules.can_view(request.user):
        raise PermissionDenied
    return render(request, "rulebook/library.html", _library_context(request))


@dataclass(frozen=True)
class ProvinceRow:
    """A province's figures (a threshold, an average wage) with the province's name."""

    record: object
    province_name: str


def _province_name(code: str, *, national: bool = False) -> str:
    if national and code == "00":
        return _("National range")
    return PROVINCE_NAMES.get(code, code)


def _risk_initial(today) -> dict:
    current = loaders.risk_rules(today, None)
    return {name: getattr(current, name) for name in RISK_RULE_NAMES}


def _library_context(request, **forms):
    thresholds = list(
        CriminalThreshold.objects.select_related("entered_by").order_by(
            "province", "-effective_from"
        )
    )
    # rule CR-4: the provinces this system serves whose figures are not in force today; their
    # cases between the national floor and ceiling wait for them
    today = calculators.today()
    in_force = {t.province for t in thresholds if t.effective_from <= today and t.province != "00"}
    served = Organisation.objects.exclude(province="").values_list("province", flat=True)
    # Translators: separator between items of a list, "、" in Chinese
    missing_provinces = _(", ").join(
        f"{code} {PROVINCE_NAMES.get(code, '')}".strip()
        for code in sorted(set(served))
        if code not in in_force
    )
    wages = list(AverageWage.objects.order_by("province", "-wage_year", "series"))
    editable = rules.can_edit(request.user)
    series = RuleSetting.objects.filter(key="assistance_wage_series").first()
    calendar = loaders.holiday_calendar()
    return {
        "years": HolidayYear.objects.annotate(n=Count("days")).order_by("-year"),
        "next_year": calculators.today().year + 1,
        "next_year_loaded": calendar.covers(calculators.today().year + 1),
        "thresholds": [
            ProvinceRow(t, _province_name(t.province, national=True)) for t in thresholds
        ],
        "missing_provinces": missing_provinces,
        "wages": [ProvinceRow(w, _province_name(w.province)) for w in wages],
        "series_setting": series,
        "can_edit": editable,
        "holiday_form": forms.get("holiday_form")
        or (HolidayYearForm(auto_id="id_holiday_%s") if editable else None),
        "threshold_form": forms.get("threshold_form")
        or (ThresholdForm(auto_id="id_threshold_%s") if editable else None),
        "wage_form": forms.get("wage_form")
        or (AverageWageForm(auto_id="id_wage_%s") if editable else None),
        "campaigns": CampaignWindow.objects.select_related("entered_by"),
        "risk_rules": loaders.risk_rules(today, None),
        "risk_setting": RuleSetting.objects.filter(key=loaders.RISK_RULES_KEY).first(),
        "risk_form": forms.get("risk_form")
        or (
            RiskRulesForm(auto_id="id_risk_%s", initial=_risk_initial(today)) if editable else None
        ),
        "campaign_form": forms.get("campaign_form")
        or (CampaignForm(auto_id="id_campaign_%s") if editable else None),
        "province_caps": [
            {
                "province": row.key.rsplit("_", 1)[-1],
                "name": PROVINCE_NAMES.get(row.key.rsplit("_", 1)[-1], ""),
                "row": row,
            }
            for row in RuleSetting.objects.filter(
                key__startswith="assistance_province_cap_"
            ).order_by("key")
        ],
        "province_cap_form": forms.get("province_cap_form")
        or (ProvinceCapForm(auto_id="id_province_cap_%s") if editable else None),
        "series_form": forms.get("series_form")
        or (
            SeriesForm(initial={"series": series.value if series else ""}, auto_id="id_series_%s")
            if editable
            else None
        ),
    }


EDITORS = {
    "holiday_form": (HolidayYearForm, services.enter_holiday_year, _("Holiday notice saved.")),
    "threshold_form": (
        ThresholdForm,
        services.add_criminal_threshold,
        _(
            "Thresholds saved. The open wage cases of that province are checked again with "
            "them from their effective date."
        ),
    ),
    "wage_form": (AverageWageForm, services.add_average_wage, _("Average wage saved.")),
    "risk_form": (
        RiskRulesForm,
        services.set_risk_rules,
        _("Risk settings saved: cases are scored with them from their next change."),
    ),
    "campaign_form": (
        CampaignForm,
        services.add_campaign_window,
        _("Campaign saved: open wage cases are scored with it from its first day."),
    ),
    "province_cap_form": (
        ProvinceCapForm,
        services.set_province_cap,
        _("Province cap saved."),
    ),
}


@login_required
@require_http_methods(["POST"])
def library_edit(request, what: str):
    key = f"{what}_form"
    if key not in EDITORS and what != "series":
        raise Http404
    if what == "series":
        form = SeriesForm(request.POST, auto_id="id_series_%s")
        shown = "series_form"

        def call():
            return services.set_assistance_series(
                actor=request.user,
                series=request.POST.get("series", ""),
                source=request.POST.get("source", ""),
            )

        done = _("Setting saved.")
    else:
        form_class, service, done = EDITORS[key]
        form = form_class(request.POST, auto_id=f"id_{what}_%s")
        shown = key

        def call():
            return service(actor=request.user, data=dict(request.POST.items()))

    def failed(_exc):
        context = _library_context(request, **{shown: form})
        context["open_form"] = shown
        return render(request, "rulebook/library.html", context, status=422)

    return run_step(
        request,
        call=call,
        back=reverse("rulebook:library"),
        form=form,
        failed=failed,
        done=done,
        moved_on_goes_back=False,
    )
