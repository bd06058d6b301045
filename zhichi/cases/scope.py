"""The filters behind ``visible_to(user)`` and ``internal_to(user)`` of cases and of the records
that hang off them (issue 14 item 6: one scoping vocabulary).

The querysets of each app (``Case.objects.visible_to(user)``, ``Lead.objects.visible_to(user)``,
``Transfer.objects.visible_to(user)`` …) are the one way to ask what a user may read; this
module holds the parts they share. It imports no model of its own app, so that ``models.py`` can
use it: the share model is passed in.

- ``visible_to``: everything the user may read, including what another organisation or
  department shared with them (C8).
- ``internal_to``: the procuratorate's own work on what the user sees: only the staff of the
  record's own organisation, never partner agencies, even on a record shared with them
  (documents, judicial assistance, suggestions).
"""

from __future__ import annotations

from django.db.models import Q

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member

DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.HEAD})
ORGANISATION_ROLES = frozenset({Role.CHIEF, Role.REGISTRAR})
STAFF_ROLES = DEPARTMENT_ROLES | ORGANISATION_ROLES

# Up to this many shared objects are put into the scope as a literal id list; more (unusual)
# fall back to a subquery. A literal list (or nothing, when there are no shares) keeps the list
# queries on their (organisation, department, id) index: "… OR id IN (SELECT …)" makes SQLite
# scan the whole table (measured: 100k-case list 63 → 8 req/s).
SHARED_IDS_INLINE = 500


def shared_with(user, share_model, field: str) -> Q | None:
    """Objects with an active share for the user's organisation (and department, for
    procuratorate department staff; organisation-wide shares for everyone else there), or None
    when there are none."""
    shares = share_model.objects.filter(organisation_id=user.organisation_id, ended_at__isnull=True)
    if user.role in DEPARTMENT_ROLES:
        shares = shares.filter(department_id=user.department_id)
    ids = list(shares.values_list(field, flat=True).distinct()[: SHARED_IDS_INLINE + 1])
    if not ids:
        return None
    if len(ids) > SHARED_IDS_INLINE:
        return Q(pk__in=shares.values(field))
    return Q(pk__in=ids)


def or_shared(q: Q, user, share_model, field: str) -> Q:
    shared = shared_with(user, share_model, field)
    return q if shared is None else q | shared


def referred_with_consent(user) -> Q:
    """What the user's agency referred and the person agreed to share with partner agencies.

    Being named as the referring agency alone shares nothing (issue 12 item 13): procuratorate
    staff may record who referred a lead, but the agency reads it only with the person's consent,
    when its own staff filed it (leads), or through an explicit share with a legal basis."""
    return Q(referring_org_id=user.organisation_id, consent_to_share=True)


def may_see_cases(user) -> bool:
    """Whether ``user`` has a case scope at all (what ``case_scope`` would not answer None
    for), without reading the shares: for navigation flags on every page."""
    if not is_member(user):
        return False
    if user.role in DEPARTMENT_ROLES:
        return user.department_id is not None
    return user.role in ORGANISATION_ROLES or user.role == Role.PARTNER


# Leads are read by the same people as cases: the staff of a department or of the whole
# procuratorate, and partner agencies (each within its scope).
may_see_leads = may_see_cases


def may_see_internal(user) -> bool:
    """Whether ``user`` may see any of the procuratorate's internal work (``internal_to``)."""
    return may_see_cases(user) and user.role in STAFF_ROLES


def audience(user) -> tuple:
    """What every scope of this module and of ``transfers.models.side_of`` is a function of:
    the user's organisation, their role, and for department staff their department. Shares go
    to an organisation or a department, never to one person, so two users with the same
    audience read the same records (``tests/transfers/test_audience.py`` holds the scoped lists to it).
    Figures counted for one are the figures of the other (``stats.figcache``)."""
    if not is_member(user):
        return (None, None, "")
    department = user.department_id if user.role in DEPARTMENT_ROLES else None
    return (user.organisation_id, department, user.role)


def case_scope(user, share_model) -> Q | None:
    """The filter for the cases ``user`` may see, or None for no cases at all."""
    if not may_see_cases(user):
        return None  # rule R5: the three administrators never read case data
    if user.role in DEPARTMENT_ROLES:
        own = Q(organisation_id=user.organisation_id, department_id=user.department_id)
        return or_shared(own, user, share_model, "case_id")
    if user.role in ORGANISATION_ROLES:
        return or_shared(Q(organisation_id=user.organisation_id), user, share_model, "case_id")
    # A partner sees the cases that came from its own referral with the person's consent, and
    # the cases shared with its organisation by a transfer or joint action (C8). A case from a
    # lead its staff filed without consent stays with the procuratorate.
    return or_shared(referred_with_consent(user), user, share_model, "case_id")
