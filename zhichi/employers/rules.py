"""Who may record and see joint actions, and the optional transfers scope of the employer profile.

A joint action is seen by the staff of each participating organisation (partners included), and
by the organiser's staff who can see one of its cases, or who work where it was organised (the
department that recorded it; the whole procuratorate for the chief and the registry). The three
administrators see none (rule R5).
"""

from __future__ import annotations

from django.db.models import Q

from zhichi.accounts.models import OrgKind, Role
from zhichi.accounts.rules import is_member
from zhichi.common.scoping import get_or_404
from zhichi.core.identifiers import normalise
from zhichi.employers.models import JointAction

RECORDING_ROLES = frozenset({Role.OFFICER, Role.HEAD})


def can_record_joint_action(user) -> bool:
    """Procuratorate case officers and department heads organise joint actions; each case they
    list must also be one they may work on (checked by the service, case by case)."""
    return (
        is_member(user)
        and user.role in RECORDING_ROLES
        and user.department_id is not None
        and user.organisation.kind == OrgKind.PROCURATORATE
    )


def get_joint_action_for(user, pk, queryset=None) -> JointAction:
    """The joint action if ``user`` may see it, else 404."""
    qs = queryset if queryset is not None else JointAction.objects
    return get_or_404(qs.visible_to(user), pk)


def filter_joint_actions(qs, *, date_from=None, date_to=None, employer: str = ""):
    """Shared by the page and the API: dates inclusive; employer by credit code or name."""
    if date_from:
        qs = qs.filter(on__gte=date_from)
    if date_to:
        qs = qs.filter(on__lte=date_to)
    employer = (employer or "").strip()
    if employer:
        qs = qs.filter(
            Q(employer__credit_code=normalise(employer)) | Q(employer__name__icontains=employer)
        )
    return qs
