"""Who may see and do what with cases. Scoped getters raise 404 for what a user may not see."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases.models import Case
from zhichi.cases.scope import may_see_cases, may_see_internal
from zhichi.common.scoping import get_or_404

APPROVER_ROLES = frozenset({Role.HEAD, Role.CHIEF})


def is_approver(user) -> bool:
    """Whether ``user`` holds a role that decides approvals (the inbox in the navigation)."""
    return bool(user.is_authenticated and user.role in APPROVER_ROLES and may_see_cases(user))


def get_case_for(user, pk, queryset=None) -> Case:
    """The case if ``user`` may see it, else 404; ``queryset`` may add what the caller reads."""
    return get_or_404((queryset if queryset is not None else Case.objects).visible_to(user), pk)


def get_case_record_for(user, queryset, pk):
    """A record of a case (a payment, a visit, an approval, a share) if ``user`` may see its case,
    else 404: scoped in the query that loads it, so a hidden record is never read."""
    return get_or_404(queryset.filter(case__in=Case.objects.visible_to(user)), pk)


def get_internal_case_for(user, pk, queryset=None) -> Case:
    """The case if ``user`` may see its internal work (documents, assistance, suggestions),
    else 404: a partner sees none of it, even on a case shared with it."""
    return get_or_404((queryset if queryset is not None else Case.objects).internal_to(user), pk)


def is_own_case(user, case: Case) -> bool:
    """The case belongs to the user's own organisation (not merely shared with it)."""
    return is_member(user) and user.organisation_id == case.organisation_id


def sees_internal_work(user, case: Case) -> bool:
    """Whether ``user`` sees the internal parts of a case they can see (documents, assistance,
    suggestions): the same test as ``Case.objects.internal_to``, on one loaded case."""
    return may_see_internal(user) and is_own_case(user, case)


def can_move_stage(user, case: Case) -> bool:
    if not is_member(user) or user.organisation_id != case.organisation_id:
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
    """An approval is decided by the role the rules reserve it to, in the case's department, and
    never by the person who proposed it (four eyes, decision 0005)."""
    case = approval.case
    if not is_member(user) or user.organisation_id != case.organisation_id:
        return False
    if user.pk == approval.requested_by_id:
        return False
    if approval.required_role == Role.HEAD:
        return user.role == Role.HEAD and user.department_id == case.department_id
    return user.role == approval.required_role


def can_override_level(user, case: Case) -> bool:
    return (
        is_member(user)
        and user.role == Role.HEAD
        and user.organisation_id == case.organisation_id
        and user.department_id == case.department_id
    )


def can_reopen(user, case: Case) -> bool:
    """Reopening a closed case: a head of its department (API.md); a head's own closure needs a
    second person (services.reopening, four eyes)."""
    return can_override_level(user, case)


def can_change_id_number(user, case: Case) -> bool:
    """Correcting a party's ID number changes who the person is on record: the department head
    only (API.md, issue 13 item 2); other corrections are the case officer's too."""
    return can_override_level(user, case)


def can_unmask(user, case: Case) -> bool:
    """Rule ID-3: unmasking is for the procuratorate's case-handling roles only."""
    return (
        is_member(user)
        and user.organisation_id == case.organisation_id
        and user.role in {Role.OFFICER, Role.HEAD, Role.CHIEF}
    )
