"""The case page's mediation step: recording a mediation or reconciliation session, with each
claimant's share of an agreement and its instalments (C5, C6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import MediationForm
from zhichi.cases.page import claimants_of, submit_amounts
from zhichi.cases.services import disposal


@login_required
@require_POST
def record_mediation(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = MediationForm(request.POST, claimants=claimants_of(case))
    return submit_amounts(
        request,
        case,
        key="mediation",
        form=form,
        service=disposal.record_mediation,
        action="case.mediation",
        anchor="mediation",
        success=_("Mediation recorded."),
    )
