"""The documents section of the case page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Role
from zhichi.cases.presenters import register_event_label
from zhichi.cases.rules import can_unmask, sees_internal_work
from zhichi.cases.words import choice_label
from zhichi.common.page_sections import Section, register
from zhichi.documents import rules
from zhichi.documents.models import CaseFileExport, DocumentKind, IssuedDocument
from zhichi.intake.models import LeadStatus
from zhichi.intake.rules import can_decide_lead


def register_all() -> None:
    register(
        "case",
        Section(
            key="documents",
            title=gettext_lazy("Documents"),
            template="documents/_case_section.html",
            context=case_section,
            order=70,
        ),
    )
    register(
        "lead",
        Section(
            key="documents",
            title=gettext_lazy("Notice of non-acceptance"),
            template="documents/_lead_section.html",
            context=lead_section,
            order=70,
        ),
    )
    register_event_label("document_issued", _issued_label)


def _issued_label(event) -> str:
    what = choice_label(DocumentKind, event.data.get("kind"))
    if event.data.get("reissue"):
        return _("Re-issued %(what)s %(number)s") % {
            "what": what,
            "number": event.data.get("number"),
        }
    return _("Issued %(what)s %(number)s") % {"what": what, "number": event.data.get("number")}


def case_section(request, case) -> dict | None:
    user = request.user
    if not sees_internal_work(user, case):
        return None

    issued = IssuedDocument.objects.filter(case=case).listed()
    may_unmask = can_unmask(user, case)
    exports = CaseFileExport.objects.filter(case=case)
    if not may_unmask:
        exports = exports.filter(full_identifiers=False)  # rule ID-3
    return {
        "case": case,
        "exports": list(exports.order_by("-requested_at", "-id")[:5]),
        "issued": issued,
        "may_unmask": may_unmask,
        "kinds": DocumentKind.choices,
        "may_issue": rules.can_issue(user, case),
    }


def lead_section(request, lead) -> dict | None:
    """On a declined lead: its notice of non-acceptance (issue, re-issue, download)."""
    user = request.user
    if (
        lead.status != LeadStatus.DECLINED
        or user.role == Role.PARTNER
        or user.organisation_id != lead.organisation_id
    ):
        return None
    issued = IssuedDocument.objects.filter(lead=lead).listed()
    return {"lead": lead, "issued": issued, "may_issue": can_decide_lead(user, lead)}
