"""The lead page as one builder, shared by intake's views and by the apps that post to it
(evidence) and show it again when their form fails."""

from __future__ import annotations

from django.shortcuts import render

from zhichi.cases.models import Case
from zhichi.common.page_sections import sections_for
from zhichi.intake import rules, services
from zhichi.intake.forms import (
    DeclineForm,
)
from zhichi.intake.models import Lead, LeadStatus


def for_page():
    """The leads with what the lead page shows of each."""
    return Lead.objects.select_related(
        "organisation", "referring_org", "case", "created_by", "decided_by"
    ).prefetch_related("parties__party")


def lead_page(request, lead: Lead, *, decline_form=None, status=200, loaded=False):
    """The lead page for a lead the caller has scoped (``rules.get_lead_for``), e.g. again with
    a form's errors (422). ``loaded``: the caller read it with ``for_page()`` in this request, so
    it is not read again (issue 19, item 3); else it is read afresh (after a failed step)."""
    if not loaded:
        lead = for_page().get(pk=lead.pk)
    user = request.user
    cases = Case.objects.visible_to(user)
    return render(
        request,
        "intake/lead_detail.html",
        {
            "lead": lead,
            "case_visible": lead.case_id is not None and cases.filter(pk=lead.case_id).exists(),
            "duplicates": services.find_duplicates(
                lead, visible=Lead.objects.visible_to(user), visible_cases=cases
            ),
            "can_decide": lead.status == LeadStatus.NEW and rules.can_decide_lead(user, lead),
            "decline_form": decline_form or DeclineForm(),
            "decline_open": decline_form is not None,
            "extra_sections": sections_for("lead", request, lead),
        },
        status=status,
    )
