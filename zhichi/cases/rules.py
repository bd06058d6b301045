"""Who may see and do what with cases. Scoped getters raise 404 for what a user may not see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases.models import Case, CaseShare

DEPARTMENT_ROLES = {Role.OFFICER, Role.HEAD}
ORGANISATION_ROLES = {Role.CHIEF, Role.REGISTRAR}


# Up to this many shared objects are put into the scope as a literal id list; more (unusual)
# fall back to a subquery. A literal list (or nothing, when there are no shares) keeps the list
# queries on their (organisation, department, id) index: "… OR id IN (SELECT …)" makes SQLite
# scan the whole table (measured: 100k-case list 63 → 8 req/s).
SHARED_IDS_INLINE = 500


def shared_with(user, model=CaseShare, field: str = "case_id") -> Q | None:
    """Objects with an active share for the user's organisation (and department, for
    procuratorate department staff; organisation-wide shares for everyone else there), or None
    when there are none."""
    shares = model.objects.filter(organisation_id=user.organisation_id, ended_at__isnull=True)
    if user.role in DEPARTMENT_ROLES:
        shares = shares.filter(department_id=user.department_id)
    ids = list(shares.values_list(field, flat=True).distinct()[: SHARED_IDS_INLINE + 1])
    if not ids:
        return None
    if len(ids) > SHARED_IDS_INLINE:
        return Q(pk__in=shares.values(field))
    return Q(pk__in=ids)


def or_shared(q: Q, user, model=CaseShare, field: str = "case_id") -> Q:
    shared = shared_with(user, model, field)
    return q if shared is None else q | shared


def referred_with_consent(user) -> Q:
    """What the user's agency referred and the person agreed to share with partner agencies.

    Being named as the referring agency alone shares nothing (issue 12 item 13): procuratorate
    staff may record who referred a lead, but the agency reads it only with the person's consent,
    when its own staff filed it (leads), or through an explicit share with a legal basis."""
    return Q(referring_org_id=user.organisation_id, consent_to_share=True)


def may_see_cases(user) -> bool:
    """Whether ``user`` has a case scope at all (what case_scope would not answer None for),
    without reading the shares: for navigation flags on every page."""
    if not is_member(user):
        return False
    if user.role in DEPARTMENT_ROLES:
        return user.department_id is not None
    return user.role in ORGANISATION_ROLES or user.role == Role.PARTNER


APPROVER_ROLES = frozenset({Role.HEAD, Role.CHIEF})


def is_approver(user) -> bool:
    """Whether ``user`` holds a role that decides approvals (the inbox in the navigation)."""
    return bool(user.is_authenticated and user.role in APPROVER_ROLES and may_see_cases(user))


def case_scope(user) -> Q | None:
    """The filter for the cases ``user`` may see, or None for no cases at all."""
    if not is_member(user):
        return None
    if user.role in DEPARTMENT_ROLES:
        if user.department_id is None:
            return None
        return or_shared(
            Q(organisation_id=user.organisation_id, department_id=user.department_id), user
        )
    if user.role in ORGANISATION_ROLES:
        return or_shared(Q(organisation_id=user.organisation_id), user)
    if user.role == Role.PARTNER:
        # A partner sees the cases that came from its own referral with the person's consent,
        # and the cases shared with its organisation by a transfer or joint action (C8). A case
        # from a lead its staff filed without consent stays with the procuratorate.
        return or_shared(referred_with_consent(user), user)
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


def is_own_case(user, case: Case) -> bool:
    """The case belongs to the user's own organisation (not merely shared with it)."""
    return is_member(user) and user.organisation_id == case.organisation_id


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
