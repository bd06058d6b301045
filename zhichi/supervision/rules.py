"""Who may see and act on procuratorial suggestions. Scoped getters raise 404 for what a user
may not see.

Suggestions are the procuratorate's own work: its staff see those of the cases they may see;
partner agencies never see them (not even on a case shared with them), and the three
administrators see no case work at all (rule R5).
"""

from __future__ import annotations

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case, CaseStatus
from zhichi.common.scoping import get_or_404
from zhichi.supervision.models import Suggestion


def get_suggestion_for(user, pk, queryset=None) -> Suggestion:
    """The suggestion if ``user`` may see it, else 404 (exactly like a missing one)."""
    qs = queryset if queryset is not None else Suggestion.objects
    return get_or_404(qs.visible_to(user), pk)


def can_draft(user, case: Case) -> bool:
    """A suggestion is drafted by those who work on the case (its officer or the department
    head), while the case is open."""
    return case.status == CaseStatus.OPEN and case_rules.can_work_on(user, case)


def can_follow_up(user, suggestion: Suggestion) -> bool:
    """Service, the reply, escalation, closing and withdrawal: the case officer, the head of the
    case's department or the chief procurator — also after the case itself is closed, since a
    reply may come months later."""
    case = suggestion.case
    if not is_member(user) or user.organisation_id != case.organisation_id:
        return False
    if user.role == Role.OFFICER:
        return case.officer_id == user.pk
    if user.role == Role.HEAD:
        return case.department_id is not None and user.department_id == case.department_id
    return user.role == Role.CHIEF
