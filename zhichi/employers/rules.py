"""Who may record and see joint actions, and the optional transfers scope of the employer profile.

A joint action is seen by the staff of each participating organisation (partners included), and
by the organiser's staff who can see one of its cases, or who work where it was organised (the
department that recorded it; the whole procuratorate for the chief and the registry). The three
administrators see none (rule R5).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhichi.accounts.models import ADMIN_ROLES, OrgKind, Role
from zhichi.accounts.rules import is_member
from zhichi.cases.models import Case
from zhichi.cases.rules import DEPARTMENT_ROLES, ORGANISATION_ROLES, case_scope
from zhichi.core.identifiers import normalise
from zhichi.employers.models import JointAction, JointActionCase, JointActionOrganisation

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


def joint_action_scope(user) -> Q | None:
    if not is_member(user) or user.role in ADMIN_ROLES:
        return None
    scope = Q(
        pk__in=JointActionOrganisation.objects.filter(organisation_id=user.organisation_id).values(
            "joint_action_id"
        )
    )
    cases = case_scope(user)
    if cases is not None:
        seen = Q(
            pk__in=JointActionCase.objects.filter(case__in=Case.objects.filter(cases)).values(
                "joint_action_id"
            )
        )
        own = Q(organisation_id=user.organisation_id)
        if user.role in DEPARTMENT_ROLES:
            scope |= own & (seen | Q(department_id=user.department_id))
        elif user.role in ORGANISATION_ROLES:
            scope |= own
        else:
            scope |= own & seen
    return scope


def joint_actions_visible_to(user) -> QuerySet[JointAction]:
    scope = joint_action_scope(user)
    return JointAction.objects.none() if scope is None else JointAction.objects.filter(scope)


def get_joint_action_for(user, pk, queryset=None) -> JointAction:
    """The joint action if ``user`` may see it, else 404."""
    scope = joint_action_scope(user)
    try:
        if scope is None:
            raise JointAction.DoesNotExist
        return (queryset if queryset is not None else JointAction.objects).filter(scope).get(pk=pk)
    except (JointAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


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
