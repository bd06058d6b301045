"""Who may see and do what with cases. Scoped getters raise 404 for what a user may not see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.cases.models import Case, CaseShare

DEPARTMENT_ROLES = {Role.OFFICER, Role.HEAD}
ORGANISATION_ROLES = {Role.CHIEF, Role.REGISTRAR}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.organisation_id)


def shared_with(user, model=CaseShare, field: str = "case_id") -> Q:
    """Objects with an active share for the user's organisation (and department, for
    procuratorate department staff; organisation-wide shares for everyone else there)."""
    shares = model.objects.filter(organisation_id=user.organisation_id, ended_at__isnull=True)
    if user.role in DEPARTMENT_ROLES:
        shares = shares.filter(department_id=user.department_id)
    return Q(pk__in=shares.values(field))


def case_scope(user) -> Q | None:
    """The filter for the cases ``user`` may see, or None for no cases at all."""
    if not _active(user):
        return None
    if user.role in DEPARTMENT_ROLES:
        if user.department_id is None:
            return None
        return Q(
            organisation_id=user.organisation_id, department_id=user.department_id
        ) | shared_with(user)
    if user.role in ORGANISATION_ROLES:
        return Q(organisation_id=user.organisation_id) | shared_with(user)
    if user.role == Role.PARTNER:
        # A partner sees the cases that came from its own referral with the person's consent,
        # and the cases shared with its organisation by a transfer or joint action (C8).
        return Q(referring_org_id=user.organisation_id, consent_to_share=True) | shared_with(user)
    return None  # rule R5: the three administrators never read case data


def cases_visible_to(user) -> QuerySet[Case]:
    scope = case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope)


def get_case_for(user, pk, queryset=None) -> Case:
    """The case if ``user`` may see it, else 404; ``queryset`` may add what the caller reads."""
    scope = case_scope(user)
    try:
        if scope is None:
            raise Case.DoesNotExist
        return (queryset if queryset is not None else Case.objects).filter(scope).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_partner_view(user) -> bool:
    """Partner staff see the partner fields only: masked identifiers, no grading reasons,
    internal notes or approvals (C8)."""
    return user.role == Role.PARTNER


def is_own_case(user, case: Case) -> bool:
    """The case belongs to the user's own organisation (not merely shared with it)."""
    return _active(user) and user.organisation_id == case.organisation_id


def can_move_stage(user, case: Case) -> bool:
    if not _active(user) or user.organisation_id != case.organisation_id:
        return False
    if user.role == Role.OFFICER:
        return case.officer_id == user.pk
    if user.role == Role.HEAD:
        return user.department_id == case.department_id
    return False


def can_work_on(user, case: Case) -> bool:
    """Recording events on a case: its officer, or a head of its department."""
    return can_move_stage(user, case)


def WORK_REFUSAL() -> str:
    return _("Only the case officer or the department head may record events on this case.")


def CLOSED_REFUSAL() -> str:
    return _("The case is closed; nothing more can be recorded on it.")


def can_approve(user, approval) -> bool:
    """An approval is decided by the role the rules reserve it to, in the case's department."""
    case = approval.case
    if not _active(user) or user.organisation_id != case.organisation_id:
        return False
    if approval.required_role == Role.HEAD:
        return user.role == Role.HEAD and user.department_id == case.department_id
    return user.role == approval.required_role


def can_override_level(user, case: Case) -> bool:
    return (
        _active(user)
        and user.role == Role.HEAD
        and user.organisation_id == case.organisation_id
        and user.department_id == case.department_id
    )


def can_unmask(user, case: Case) -> bool:
    """Rule ID-3: unmasking is for the procuratorate's case-handling roles only."""
    return (
        _active(user)
        and user.organisation_id == case.organisation_id
        and user.role in {Role.OFFICER, Role.HEAD, Role.CHIEF}
    )
