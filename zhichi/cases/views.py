"""Case pages: workbench, list with filters and search, the case page, stage moves, unmask."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.audit.services import record
from zhichi.cases import rules, services
from zhichi.cases.filters import filter_case_list
from zhichi.cases.forms import CaseFilterForm, StageForm
from zhichi.cases.models import (
    Case,
)
from zhichi.cases.page import (
    case_context,
)
from zhichi.cases.partner_view import is_partner
from zhichi.cases.presenters import case_list_rows
from zhichi.common.errors import InvalidInput
from zhichi.common.forms import apply_service_errors
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.core import stages

PAGE_SIZE = 25


@login_required
@require_GET
def case_list(request):
    user = request.user
    # flags are the procuratorate's own grading (C8): partner staff neither see nor filter them
    filters = CaseFilterForm(request.GET or None, flags=not is_partner(user))
    qs = Case.objects.visible_to(user)
    status = 200
    if filters.is_bound and filters.is_valid():
        d = filters.cleaned_data
        try:
            qs = filter_case_list(
                qs,
                viewer=user,
                stage=d["stage"],
                level=d["level"],
                category=d["category"],
                q=d["q"],
                flag=d.get("flag"),
                mine=d["mine"],
            )
        except InvalidInput as exc:
            filters.show_service_errors(exc)
    if filters.errors:
        # a filter that cannot be applied shows no list rather than one it does not describe
        qs, status = qs.none(), 422
    qs = qs.select_related("officer").listed().order_by("-opened_on", "-id")
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "cases/case_list.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "rows": case_list_rows(user, page),
            "filters": filters,
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request, pk: int):
    case = rules.get_case_for(request.user, pk, Case.objects.for_display())
    return render(request, "cases/case_detail.html", case_context(request, case))


@login_required
@require_POST
def case_move_stage(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    # who may move it is decided before the form is judged (403 whatever was sent)
    services.ensure_may_move_stage(case_id=case.pk, actor=request.user)
    form = StageForm(request.POST, targets=stages.allowed_targets(case.stage))

    def again(exc: InvalidInput | None = None):
        if exc is not None:
            apply_service_errors(exc, {"": form})
        case.refresh_from_db()
        context = case_context(request, case, stage_form=form)
        return render(request, "cases/case_detail.html", context, status=422)

    if not form.is_valid():
        return again()
    d = form.cleaned_data
    return run_step(
        request,
        call=lambda: services.move_stage(
            case_id=case.pk,
            to=d["to"],
            reason=d["reason"],
            version=d["version"],
            actor=request.user,
        ),
        back=case.get_absolute_url(),
        failed=again,
        done=_("Stage changed."),
        moved_on_goes_back=False,
    )


@login_required
@require_POST
def case_unmask(request, pk: int):
    """Show the full identifiers once, for roles that may; every unmask is in the audit trail."""
    case = rules.get_case_for(request.user, pk, Case.objects.for_display())
    if not rules.can_unmask(request.user, case):
        record(action="case.unmask", actor=request.user, obj=case, outcome="denied")
        raise PermissionDenied
    record(action="case.unmask", actor=request.user, obj=case, detail={"via": "page"})
    return render(request, "cases/case_detail.html", case_context(request, case, unmasked=True))
