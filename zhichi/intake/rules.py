"""Who may see and decide leads."""

from __future__ import annotations

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.common.scoping import get_or_404
from zhichi.intake.models import Lead

INTAKE_ROLES = {Role.OFFICER, Role.HEAD, Role.CHIEF, Role.PARTNER}


def get_lead_for(user, pk, queryset=None) -> Lead:
    """The lead if ``user`` may see it, else 404; ``queryset`` may add what the caller reads."""
    return get_or_404((queryset if queryset is not None else Lead.objects).visible_to(user), pk)


def get_internal_lead_for(user, pk) -> Lead:
    """The lead if ``user`` may see its internal papers (the receiving procuratorate's staff),
    else 404."""
    return get_or_404(Lead.objects.internal_to(user), pk)


def can_create_lead(user) -> bool:
    return is_member(user) and user.role in INTAKE_ROLES


def can_decide_lead(user, lead: Lead) -> bool:
    """Accepting or declining is for the receiving procuratorate's case-handling staff."""
    if not is_member(user) or user.organisation_id != lead.organisation_id:
        return False
    if user.role == Role.CHIEF:
        return True
    return user.role in {Role.OFFICER, Role.HEAD} and (
        lead.department_id in (None, user.department_id)
    )
