"""Who may see and add evidence attachments. Plain predicates; the scoped getter raises 404.

Seeing: procuratorate staff who can see the attachment's case or lead (a case's attachments
include those of the lead it was accepted from); a partner only what its own organisation
uploaded on a case or lead it can see; the three administrators never (rule R5).
Adding: on a case, its officer or department head, or a partner that can see the case; on a lead,
whoever may decide it, its referring organisation, or the person who filed it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case
from zhichi.evidence.models import Attachment
from zhichi.intake import rules as lead_rules
from zhichi.intake.models import Lead

STAFF_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.CHIEF, Role.REGISTRAR})


def _reader(user) -> bool:
    return is_member(user) and (user.role in STAFF_ROLES or user.role == Role.PARTNER)


def attachment_scope(user) -> Q | None:
    """The filter for the attachments ``user`` may see, or None for none at all."""
    if not _reader(user):
        return None
    cases = case_rules.cases_visible_to(user).values("pk")
    leads = lead_rules.leads_visible_to(user).values("pk")
    scope = Q(case__in=cases) | Q(lead__in=leads) | Q(lead__case__in=cases)
    if user.role == Role.PARTNER:
        scope &= Q(organisation_id=user.organisation_id)
    return scope


def attachments_visible_to(user) -> QuerySet[Attachment]:
    scope = attachment_scope(user)
    return Attachment.objects.none() if scope is None else Attachment.objects.filter(scope)


def get_attachment_for(user, pk) -> Attachment:
    """The attachment if ``user`` may see it, else 404 (whether or not it exists)."""
    try:
        return attachments_visible_to(user).select_related("organisation").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_attachment(user, attachment: Attachment) -> bool:
    return attachments_visible_to(user).filter(pk=attachment.pk).exists()


def case_attachments(user, case: Case) -> QuerySet[Attachment]:
    """What ``user`` sees of a case's attachments (the case's own and its lead's)."""
    return attachments_visible_to(user).for_case(case)


def lead_attachments(user, lead: Lead) -> QuerySet[Attachment]:
    return attachments_visible_to(user).for_lead(lead)


def can_upload_to_case(user, case: Case) -> bool:
    """Whether ``user`` may add evidence to ``case`` (a closed case takes none: see the service)."""
    if not is_member(user):
        return False
    if case_rules.can_work_on(user, case):
        return True
    return (
        user.role == Role.PARTNER and case_rules.cases_visible_to(user).filter(pk=case.pk).exists()
    )


def can_upload_to_lead(user, lead: Lead) -> bool:
    if not is_member(user) or not lead_rules.leads_visible_to(user).filter(pk=lead.pk).exists():
        return False
    return (
        lead_rules.can_decide_lead(user, lead)
        or (lead.referring_org_id is not None and lead.referring_org_id == user.organisation_id)
        or lead.created_by_id == user.pk
    )


def CASE_REFUSAL() -> str:
    return _("Only the case officer, the department head or the referring agency may add evidence.")


def LEAD_REFUSAL() -> str:
    return _(
        "Only the procuratorate's case officers, the referring agency or the person who filed the "
        "lead may add evidence to it."
    )
