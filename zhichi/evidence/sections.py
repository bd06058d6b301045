"""The attachments section of the case page and the lead page (zhichi/common/page_sections.py)."""

from __future__ import annotations

from django.urls import reverse

from zhichi.cases.models import CaseStatus
from zhichi.evidence import rules
from zhichi.evidence.forms import AttachmentForm
from zhichi.evidence.models import may_see_attachments
from zhichi.evidence.services import max_upload_bytes

# the upload view puts its bound form here when it shows the page again with errors (422)
FORM_ATTRIBUTE = "evidence_upload_form"


def _context(request, attachments, *, may_upload: bool, upload_url: str) -> dict | None:
    if not may_see_attachments(request.user):
        return None
    form = None
    if may_upload:
        form = getattr(request, FORM_ATTRIBUTE, None) or AttachmentForm()
    return {
        "attachments": list(attachments.for_display().order_by("-created_at", "-id")),
        "form": form,
        "upload_url": upload_url,
        "max_mb": max_upload_bytes() // (1024 * 1024),
    }


def case_section(request, case) -> dict | None:
    user = request.user
    may_upload = case.status == CaseStatus.OPEN and rules.can_upload_to_case(user, case)
    ctx = _context(
        request,
        # the case page's case was read through the user's scope (cases.rules.get_case_for)
        rules.case_attachments(user, case, visible=True),
        may_upload=may_upload,
        upload_url=reverse("evidence:case_upload", args=[case.pk]),
    )
    if ctx is not None:
        # on a case, an attachment that still hangs off the lead was given before acceptance
        ctx["on_case"] = True
    return ctx


def lead_section(request, lead) -> dict | None:
    user = request.user
    # the lead page's lead was read through the user's scope (intake.page.lead_page)
    may_upload = rules.can_upload_to_lead(user, lead, visible=True)
    if may_upload and lead.case_id is not None:
        may_upload = lead.case.status == CaseStatus.OPEN
    return _context(
        request,
        rules.lead_attachments(user, lead, visible=True),
        may_upload=may_upload,
        upload_url=reverse("evidence:lead_upload", args=[lead.pk]),
    )
