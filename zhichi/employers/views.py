"""Pages: joint actions (list, detail, the form) and employers (search, profile).

Views only shape pages: the joint action is recorded by the service (``InvalidInput`` → the form
again with its errors, 422; ``NotPermitted`` → 403); objects outside the viewer's scope are 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhichi.cases.partner_view import is_partner
from zhichi.common.errors import InvalidInput
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.employers import rules, services
from zhichi.employers.forms import EmployerSearchForm, JointActionFilterForm, JointActionForm
from zhichi.employers.models import JointAction
from zhichi.employers.presenters import risk_badge, views_for, with_details
from zhichi.employers.profile import LIMIT, CaseMoney, employer_profile, search_employers
from zhichi.employers.references import code_for

PAGE_SIZE = 25


# --- joint actions ------------------------------------------------------------------------------
@login_required
@require_GET
def joint_action_list(request):
    filters = JointActionFilterForm(request.GET or None)
    qs = JointAction.objects.visible_to(request.user)
    if filters.is_bound and filters.is_valid():
        d = filters.cleaned_data
        qs = rules.filter_joint_actions(
            qs, date_from=d["date_from"], date_to=d["date_to"], employer=d["employer"]
        )
    elif filters.is_bound:
        qs = qs.none()
    page = paginate(request, with_details(qs).order_by("-on", "-id"), PAGE_SIZE)
    return render(
        request,
        "employers/joint_action_list.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "rows": views_for(request.user, list(page)),
            "filters": filters,
            "can_record": rules.can_record_joint_action(request.user),
        },
    )


@login_required
@require_GET
def joint_action_detail(request, pk: int):
    action = rules.get_joint_action_for(request.user, pk, with_details(JointAction.objects))
    (view,) = views_for(request.user, [action])
    return render(request, "employers/joint_action_detail.html", {"view": view, "action": action})


@login_required
def joint_action_create(request):
    user = request.user
    if not rules.can_record_joint_action(user):
        raise PermissionDenied
    if request.method != "POST":
        code = request.GET.get("employer", "")[:40]
        form = JointActionForm(
            actor=user,
            employer_code=code,
            initial={"on": timezone.localdate().isoformat(), "employer": code},
        )
        return _render_form(request, form)
    form = JointActionForm(request.POST, actor=user, employer_code=request.POST.get("employer"))
    if "find" in request.POST:  # list the employer's cases; nothing is judged or saved yet
        form.silence()
        return _render_form(request, form)
    return run_step(
        request,
        call=lambda: services.record_joint_action(actor=user, data=form.payload()),
        back=request.path,
        form=form,
        failed=lambda exc: _render_form(request, form, detail=exc.detail, status=422),
        done=_("Joint action recorded."),
        to=lambda action: action.get_absolute_url(),
        moved_on_goes_back=False,
    )


def _render_form(request, form, *, detail: str = "", status: int = 200):
    return render(
        request,
        "employers/joint_action_form.html",
        {"form": form, "detail": detail, "has_cases": bool(form.fields["case_ids"].choices)},
        status=status,
    )


# --- employers ----------------------------------------------------------------------------------
@login_required
@require_GET
def employer_search(request):
    form = EmployerSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "employers/employer_search.html",
        {"form": form, "q": q, "results": search_employers(request.user, q), "limit": LIMIT},
    )


@login_required
@require_GET
def employer_detail(request, credit_code: str):
    credit_code = code_for(credit_code)  # a 92… employer's page goes by its party id (ID-3)
    try:
        profile = employer_profile(request.user, credit_code)
    except InvalidInput as exc:
        # a malformed code: the search page, saying what is wrong with it
        form = EmployerSearchForm({"q": credit_code[:100]})
        form.is_valid()
        form.add_error("q", exc.errors[0].message)
        context = {"form": form, "q": "", "results": [], "limit": LIMIT}
        return render(request, "employers/employer_search.html", context, status=422)
    # the assessment is internal, like the case's (C8)
    risk = None if is_partner(request.user) else risk_badge(profile.risk.level)
    context = {
        "profile": profile,
        "case_rows": [(c, CaseMoney.of(c)) for c in profile.cases.rows],
        "risk": risk,
        "can_record": rules.can_record_joint_action(request.user),
    }
    return render(request, "employers/employer_profile.html", context)
