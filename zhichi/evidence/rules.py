"""Who may see and add evidence attachments. Plain predicates; the scoped getter raises 404.

Seeing: procuratorate staff who can see the attachment's case or lead (a case's attachments
include those of the lead it was accepted from); a partner only what its own organisation
uploaded on a case or lead it can see; the three administrators never (rule R5).
Adding: on a case, its officer or department head, or a partner that can see the case; on a lead,
whoever may decide it, its referring organisation, or the person who filed it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.cases import rules as case_rules
from zhichi.cases import scope
from zhichi.cases.models import Case
from zhichi.common.scoping import get_or_404
from zhichi.evidence.models import Attachment, may_see_attachments
from zhichi.intake import rules as lead_rules
from zhichi.intake.models import Lead


def get_attachment_for(user, pk) -> Attachment:
    """The attachment if ``user`` may see it, else 404 (whether or not it exists)."""
    return get_or_404(Attachment.objects.visible_to(user).select_related("organisation"), pk)


def can_see_attachment(user, attachment: Attachment) -> bool:
    return Attachment.objects.visible_to(user).filter(pk=attachment.pk).exists()


# A page shows the attachments of one case or lead: what ``Attachment.objects.visible_to`` would
# keep of them is decided by two indexed lookups on that case and lead, not by the viewer's
# whole list of cases and leads (which is every case of a province for its procuratorate).


def _own_only(user, qs: QuerySet[Attachment]) -> QuerySet[Attachment]:
    """A partner sees only what its own organisation uploaded."""
    if user.role not in scope.STAFF_ROLES:
        return qs.filter(organisation_id=user.organisation_id)
    return qs


def case_attachments(user, case: Case, *, visible: bool = False) -> QuerySet[Attachment]:
    """What ``user`` sees of a case's attachments (the case's own and its lead's): all of them
    when the case is visible to them, else those of its lead if that is. ``visible``: the caller
    read the case through the user's scope (``get_case_for``), so the scope is not read again
    (issue 19, item 3: the case page and the attachment list read only what they need)."""
    if not may_see_attachments(user):
        return Attachment.objects.none()
    qs = Attachment.objects.for_case(case)
    if not visible and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        qs = qs.filter(lead__in=Lead.objects.visible_to(user).filter(case=case).values("pk"))
    return _own_only(user, qs)


def lead_attachments(user, lead: Lead, *, visible: bool = False) -> QuerySet[Attachment]:
    """A lead's attachments, when the lead or the case it became is visible to ``user``.
    ``visible``: the caller read the lead through the user's scope (``get_lead_for``)."""
    if not may_see_attachments(user):
        return Attachment.objects.none()
    qs = Attachment.objects.for_lead(lead)
    seen = (
        visible
        or Lead.objects.visible_to(user).filter(pk=lead.pk).exists()
        or (
            lead.case_id is not None
            and Case.objects.visible_to(user).filter(pk=lead.case_id).exists()
        )
    )
    return _own_only(user, qs) if seen else Attachment.objects.none()


def can_upload_to_case(user, case: Case) -> bool:
    """Whether ``user`` may add evidence to ``case`` (a closed case takes none: see the service)."""
    if not is_member(user):
        return False
    if case_rules.can_work_on(user, case):
        return True
    return user.role == Role.PARTNER and Case.objects.visible_to(user).filter(pk=case.pk).exists()


def can_upload_to_lead(user, lead: Lead, *, visible: bool = False) -> bool:
    """``visible``: the caller read the lead through the user's scope (``get_lead_for``)."""
    if not is_member(user):
        return False
    if not visible and not Lead.objects.visible_to(user).filter(pk=lead.pk).exists():
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
