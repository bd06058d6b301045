"""The case page's litigation steps: proposing to support the suit or not (for a head's
approval, SP-7) and recording a court or arbitration event with each claimant's award."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import CourtEventForm, SupportDecisionForm
from zhichi.cases.page import claimants_of, submit, submit_amounts
from zhichi.cases.presenters import sent_to
from zhichi.cases.services import disposal


@login_required
@require_POST
def propose_support(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = SupportDecisionForm(request.POST)
    return submit(
        request,
        case,
        key="support",
        form=form,
        call=lambda: disposal.propose_support_decision(
            case_id=case.pk, actor=request.user, data=form.payload()
        ),
        anchor="litigation",
        success=sent_to,
    )


@login_required
@require_POST
def record_court_event(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = CourtEventForm(request.POST, claimants=claimants_of(case))
    return submit_amounts(
        request,
        case,
        key="court",
        form=form,
        service=disposal.record_court_event,
        action="case.court_event",
        anchor="litigation",
        success=_("Court event recorded."),
    )
