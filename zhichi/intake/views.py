"""Lead pages: list, form (with claimant rows), detail with duplicates, accept and decline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.accounts.models import Role
from zhichi.cases.models import Case
from zhichi.common.errors import InvalidInput
from zhichi.common.forms import apply_service_errors
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.intake import rules, services
from zhichi.intake.forms import (
    ClaimantFormSet,
    DeclineForm,
    LeadFilterForm,
    LeadForm,
    RespondentFormSet,
)
from zhichi.intake.models import Lead, with_claimant_counts
from zhichi.intake.page import for_page, lead_page
from zhichi.intake.validation import validate_lead

PAGE_SIZE = 25


@login_required
@require_GET
def lead_list(request):
    qs = Lead.objects.visible_to(request.user)
    filters = LeadFilterForm(request.GET or None)
    if filters.is_bound and filters.is_valid():
        qs = qs.list_filter(**filters.cleaned_data)
    qs = qs.select_related("case", "referring_org").order_by("-created_at", "-id")
    page = paginate(request, qs, PAGE_SIZE)
    page.object_list = with_claimant_counts(page.object_list)
    case_ids = [lead.case_id for lead in page if lead.case_id]
    visible_case_ids = set(
        Case.objects.visible_to(request.user).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    return render(
        request,
        "intake/lead_list.html",
        {
            "visible_case_ids": visible_case_ids,
            "page_obj": page,
            "paginator": page.paginator,
            "filters": filters,
            "can_create": rules.can_create_lead(request.user),
        },
    )


def _kept(formset) -> list:
    return [
        f
        for f in formset.forms
        if f.has_changed() and not (formset.can_delete and formset._should_delete_form(f))
    ]


@login_required
def lead_create(request):
    if not rules.can_create_lead(request.user):
        if request.method == "POST":
            # a refused filing is audited as the API's is (rule R7); opening the form is not
            services.ensure_may_file_lead(actor=request.user)
        raise PermissionDenied
    partner = request.user.role == Role.PARTNER
    if request.method != "POST":
        form = LeadForm(
            partner=partner, initial={"received_on": timezone.localdate(), "source": "walk_in"}
        )
        claimants = ClaimantFormSet(prefix="claimants", initial=[{}])
        respondents = RespondentFormSet(prefix="respondents", initial=[{}])
        return _render_form(request, form, claimants, respondents)

    data = request.POST.copy()
    for prefix in ("claimants", "respondents"):
        if f"add_{prefix}" in data:  # no-JS fallback for "add a row"
            key = f"{prefix}-TOTAL_FORMS"
            data[key] = str(int(data.get(key) or 0) + 1)
    form = LeadForm(data, partner=partner)
    claimants = ClaimantFormSet(data, prefix="claimants")
    respondents = RespondentFormSet(data, prefix="respondents")
    if "add_claimants" in data or "add_respondents" in data:
        for f in [form, *claimants.forms, *respondents.forms]:
            f.silence()  # only a row was added: nothing is judged yet
        return _render_form(request, form, claimants, respondents)

    shapes_ok = form.is_valid() & claimants.is_valid() & respondents.is_valid()
    if shapes_ok:
        kept_claimants, kept_respondents = _kept(claimants), _kept(respondents)
        payload = form.as_payload()
        payload["claimants"] = [f.as_payload() for f in kept_claimants]
        payload["respondents"] = [f.as_payload() for f in kept_respondents]
        checked = {}

        def call():
            checked["input"] = validate_lead(payload)
            return services.create_lead(actor=request.user, data=checked["input"])

        def failed(exc: InvalidInput):
            targets = {"": form}
            targets.update({f"claimants.{i}": f for i, f in enumerate(kept_claimants)})
            targets.update({f"respondents.{i}": f for i, f in enumerate(kept_respondents)})
            apply_service_errors(exc, targets)
            if "input" in checked:
                # the confirm step: ask which name is right where a typed one differs from the
                # name on record (issue 13 item 2), keeping an answer already given
                for conflict in services.name_conflicts(actor=request.user, data=checked["input"]):
                    targets[conflict.path].show_name_conflict(conflict)
            return _render_form(request, form, claimants, respondents, status=422)

        return run_step(
            request,
            call=call,
            back=request.path,
            failed=failed,
            done=lambda lead: _("Lead filed. Receipt code %(code)s.") % {"code": lead.receipt_code},
            to=lambda lead: lead.get_absolute_url(),
            moved_on_goes_back=False,
        )
    return _render_form(request, form, claimants, respondents, status=422)


def _render_form(request, form, claimants, respondents, status=200):
    return render(
        request,
        "intake/lead_form.html",
        {
            "form": form,
            "claimants": claimants,
            "respondents": respondents,
            "formsets": [claimants, respondents],
        },
        status=status,
    )


@login_required
@require_GET
def claimant_row(request):
    """htmx: one more claimant row, and the formset's new total (out of band)."""
    if not rules.can_create_lead(request.user):
        raise PermissionDenied
    try:
        index = max(0, min(int(request.GET.get("claimants-TOTAL_FORMS", "0")), 499))
    except ValueError:
        index = 0
    formset = ClaimantFormSet(prefix="claimants")
    form = formset.form(
        prefix=formset.add_prefix(index),
        auto_id=formset.auto_id,
        empty_permitted=True,
        use_required_attribute=False,
    )
    formset.add_fields(form, index)
    return render(
        request, "intake/_claimant_row.html", {"cform": form, "index": index, "total": index + 1}
    )


@login_required
@require_GET
def lead_detail(request, pk: int):
    return lead_page(request, rules.get_lead_for(request.user, pk, for_page()), loaded=True)


@login_required
@require_POST
def lead_accept(request, pk: int):
    lead = rules.get_lead_for(request.user, pk)
    return run_step(
        request,
        call=lambda: services.accept_lead(lead_id=lead.pk, actor=request.user),
        back=lead.get_absolute_url(),
        done=lambda case: _("Lead accepted as case %(number)s.") % {"number": case.number},
        to=lambda case: case.get_absolute_url(),
    )


@login_required
@require_POST
def lead_decline(request, pk: int):
    lead = rules.get_lead_for(request.user, pk)
    form = DeclineForm(request.POST)
    data = {"reason": request.POST.get("reason", ""), "redirect": request.POST.get("redirect", "")}
    # the service checks permission first, then the input
    return run_step(
        request,
        call=lambda: services.decline_lead(lead_id=lead.pk, actor=request.user, data=data),
        back=lead.get_absolute_url(),
        form=form,
        failed=lambda _exc: lead_page(request, lead, decline_form=form, status=422),
        done=_("Lead declined."),
        moved_on_goes_back=False,
    )
