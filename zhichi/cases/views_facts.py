"""The case page's steps on what is known of the case and what follows from it: updating the
facts (the case is graded and checked for a criminal lead again), setting the level (a head),
and ending a share of the case with another organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases import services as case_services
from zhichi.cases.forms_disposal import FactsForm, LevelForm
from zhichi.cases.models import CaseShare
from zhichi.cases.page import case_url, submit
from zhichi.cases.services import facts
from zhichi.common.steps import run_step


@login_required
@require_POST
def update_facts(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = FactsForm(request.POST)
    return submit(
        request,
        case,
        key="facts",
        form=form,
        call=lambda: facts.update_case_facts(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="overview",
        success=_("Facts saved; the case was graded and checked for a criminal lead again."),
    )


@login_required
@require_POST
def override_level(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = LevelForm(request.POST)
    return submit(
        request,
        case,
        key="level",
        form=form,
        call=lambda: case_services.override_level(
            case_id=case.pk,
            level=form.level_value(),
            reason=form.text("reason"),
            actor=request.user,
            version=form.version(),
        ),
        anchor="overview",
        success=_("Level set."),
    )


@login_required
@require_POST
def revoke_share(request, share_id: int):
    share = rules.get_case_record_for(
        request.user, CaseShare.objects.select_related("case"), share_id
    )
    case = share.case
    return run_step(
        request,
        call=lambda: facts.revoke_share(
            share_id=share.pk, actor=request.user, reason=request.POST.get("reason", "")
        ),
        back=case_url(case, "transfers"),
        done=_("Sharing ended; the other side no longer sees this case."),
    )
