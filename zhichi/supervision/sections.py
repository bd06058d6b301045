"""The suggestions' parts of other pages and runs: the case page, the workbench, the approval
hook, the case's deadlines, the daily reminders and the timeline's wording."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Role
from zhichi.cases.models import ApprovalKind
from zhichi.cases.presenters import register_event_label
from zhichi.cases.scope import may_see_internal
from zhichi.cases.services.approvals import (
    register_approval_hook,
    register_approval_presenter,
)
from zhichi.cases.services.derived import register_deadline_source
from zhichi.cases.services.reminders import register_reminder_source
from zhichi.cases.words import DEADLINE_BASES
from zhichi.common.page_sections import Section, register
from zhichi.supervision import reminders, rules, services
from zhichi.supervision.models import AWAITING_REPLY, Suggestion
from zhichi.supervision.views import rows_for


def register_all() -> None:
    register(
        "case",
        Section(
            key="suggestions",
            title=gettext_lazy("Procuratorial suggestions"),
            template="supervision/_case_section.html",
            context=case_section,
            order=60,
        ),
    )
    register(
        "workbench",
        Section(
            key="suggestions",
            title=gettext_lazy("Suggestions waiting for a reply"),
            template="supervision/_workbench_section.html",
            context=workbench_section,
            order=60,
        ),
    )
    register_approval_hook(ApprovalKind.SUGGESTION, services.on_approval_decided)
    register_approval_presenter(ApprovalKind.SUGGESTION, services.present_approval)
    # suggestions are the procuratorate's own: their reply dates stay internal (C8)
    register_deadline_source(
        services.deadline_source,
        kinds={"suggestion_reply"},
        labels={
            "suggestion_reply": gettext_lazy(
                "Reply to procuratorial suggestion %(number)s (%(org)s)"
            )
        },
        partner_kinds=frozenset(),
    )
    # a reply period shorter than the statutory one (rule TL-9), set for an urgent matter
    DEADLINE_BASES.add(
        "suggestion_urgent_reply",
        gettext_lazy("A shorter reply period set for an urgent matter (rule TL-9)."),
    )
    register_reminder_source(reminders.suggestion_reminders)
    for kind, describe in EVENT_LABELS.items():
        register_event_label(kind, describe)


def _org(e) -> str:
    return e.data.get("to_org_name", "")


def _number(e) -> str:
    return e.data.get("number") or _org(e)


EVENT_LABELS = {
    "suggestion_drafted": lambda e: (
        _("Procuratorial suggestion to %(org)s drafted and submitted to the chief procurator")
        % {"org": _org(e)}
    ),
    "suggestion_revised": lambda e: (
        _("Procuratorial suggestion to %(org)s revised and submitted again") % {"org": _org(e)}
    ),
    "suggestion_approved": lambda e: (
        _("Procuratorial suggestion %(number)s approved and numbered") % {"number": _number(e)}
    ),
    "suggestion_returned": lambda e: (
        _("Procuratorial suggestion to %(org)s returned for revision") % {"org": _org(e)}
    ),
    "suggestion_served": lambda e: (
        _("Procuratorial suggestion %(number)s served; reply due %(day)s")
        % {"number": _number(e), "day": e.data.get("reply_due", "")}
    ),
    "suggestion_replied": lambda e: (
        _("%(org)s replied to procuratorial suggestion %(number)s")
        % {"org": _org(e), "number": _number(e)}
    ),
    "suggestion_escalated": lambda e: (
        _("Procuratorial suggestion %(number)s escalated") % {"number": _number(e)}
    ),
    "suggestion_closed": lambda e: (
        _("Procuratorial suggestion %(number)s closed") % {"number": _number(e)}
    ),
    "suggestion_withdrawn": lambda e: (
        _("Procuratorial suggestion to %(org)s withdrawn") % {"org": _org(e)}
    ),
}


def case_section(request, case) -> dict | None:
    """The case's suggestions with their state and reply date, and the drafting button for
    those who may draft. Not a partners' section: they never see it (C8)."""
    user = request.user
    if not may_see_internal(user):
        return None
    suggestions = case.suggestions.order_by("-drafted_at", "-id")[:50]
    return {"case": case, "rows": rows_for(suggestions), "may_draft": rules.can_draft(user, case)}


def workbench_section(request, _obj) -> dict | None:
    """Suggestions of the user's cases still waiting for the recipient's reply, overdue first:
    the officer's own cases, the head's department, the chief procurator's procuratorate."""
    user = request.user
    if not may_see_internal(user):
        return None
    waiting = Suggestion.objects.visible_to(user).filter(
        status__in=AWAITING_REPLY,
        replied_on__isnull=True,
        case__organisation_id=user.organisation_id,
    )
    if user.role == Role.OFFICER:
        waiting = waiting.filter(case__officer=user)
    elif user.role == Role.HEAD:
        waiting = waiting.filter(case__department_id=user.department_id)
    elif user.role != Role.CHIEF:
        return None
    waiting = waiting.select_related("case").order_by("reply_due", "id")
    rows = rows_for(waiting[:10])
    if not rows:
        return None
    return {"rows": rows, "count": waiting.count()}
