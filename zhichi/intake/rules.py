"""Who may see and decide leads."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases.rules import or_shared, referred_with_consent
from zhichi.intake.models import Lead, LeadShare

INTAKE_ROLES = {Role.OFFICER, Role.HEAD, Role.CHIEF, Role.PARTNER}


def lead_scope(user) -> Q | None:
    if not is_member(user):
        return None
    if user.role in {Role.OFFICER, Role.HEAD}:
        if user.department_id is None:
            return None
        # a lead someone filed stays visible to them, e.g. a criminal officer's referral of a
        # victim that lands in civil intake
        own = (
            Q(organisation_id=user.organisation_id)
            & (Q(department_id=user.department_id) | Q(department__isnull=True))
        ) | Q(created_by_id=user.pk)
        return or_shared(own, user, LeadShare, "lead_id")
    if user.role in {Role.CHIEF, Role.REGISTRAR}:
        return or_shared(Q(organisation_id=user.organisation_id), user, LeadShare, "lead_id")
    if user.role == Role.PARTNER:
        # the leads its own staff filed, those it referred with the person's consent, and those
        # transferred to it while the transfer lasts; staff naming it as the referrer shares
        # nothing by itself (issue 12 item 13)
        filed = Q(
            referring_org_id=user.organisation_id, created_by__organisation_id=user.organisation_id
        )
        return or_shared(filed | referred_with_consent(user), user, LeadShare, "lead_id")
    return None


def may_see_leads(user) -> bool:
    """Whether ``user`` has a lead scope at all, without reading the shares (navigation)."""
    if not is_member(user):
        return False
    if user.role in {Role.OFFICER, Role.HEAD}:
        return user.department_id is not None
    return user.role in {Role.CHIEF, Role.REGISTRAR, Role.PARTNER}


def leads_visible_to(user) -> QuerySet[Lead]:
    scope = lead_scope(user)
    return Lead.objects.none() if scope is None else Lead.objects.filter(scope)


def get_lead_for(user, pk) -> Lead:
    try:
        return leads_visible_to(user).get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


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
