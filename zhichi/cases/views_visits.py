"""The case page's return visit steps: planning a visit and recording one done (TL-7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import VisitPlanForm, VisitRecordForm
from zhichi.cases.models import Visit
from zhichi.cases.page import submit
from zhichi.cases.services import disposal


@login_required
@require_POST
def plan_visit(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = VisitPlanForm(request.POST)
    return submit(
        request,
        case,
        key="plan_visit",
        form=form,
        call=lambda: disposal.plan_visit(case_id=case.pk, actor=request.user, data=form.payload()),
        anchor="visits",
        success=_("Return visit planned."),
    )


@login_required
@require_POST
def record_visit(request, pk: int, visit_id: int):
    case = rules.get_case_for(request.user, pk)
    visit = get_object_or_404(Visit, pk=visit_id, case_id=case.pk)
    form = VisitRecordForm(request.POST, key=f"visit{visit.pk}")
    return submit(
        request,
        case,
        key=f"visit:{visit.pk}",
        form=form,
        call=lambda: disposal.record_visit(
            visit_id=visit.pk, actor=request.user, data=form.payload()
        ),
        anchor="visits",
        success=_("Return visit recorded."),
    )
