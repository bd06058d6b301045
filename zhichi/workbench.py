"""The workbench, the signed-in user's home page: their open cases and new leads, their
deadlines and return visits due, and the sections other apps add (transfers, assistance,
suggestions). It spans cases and intake, so it sits above both, with the navigation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhichi.cases.models import Case, CaseStatus
from zhichi.cases.partner_view import is_partner
from zhichi.cases.selectors import approvals_inbox, workbench_deadlines
from zhichi.common.page_sections import sections_for
from zhichi.intake.models import Lead, LeadStatus
from zhichi.stats.presenters import headline_for


@login_required
@require_GET
def workbench(request):
    user = request.user
    my_cases = (
        Case.objects.visible_to(user)
        .filter(officer=user, status=CaseStatus.OPEN)
        .select_related("officer")
        .order_by("-opened_on", "-id")[:10]
    )
    leads = Lead.objects.visible_to(user).order_by("-created_at", "-id")
    if not is_partner(user):
        leads = leads.filter(status=LeadStatus.NEW)
    headline = headline_for(user, timezone.localdate())
    return render(
        request,
        "cases/workbench.html",
        {
            "my_cases": my_cases,
            "my_leads": leads.select_related("case")[:10],
            "extra_sections": sections_for("workbench", request, None),
            # a leader's workbench opens with the year's figures and what waits for their decision
            "headline": headline,
            "decisions": list(approvals_inbox(user)[:5]) if headline else [],
            **workbench_deadlines(user),
        },
    )
