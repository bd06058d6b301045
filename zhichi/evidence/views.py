"""Pages: upload evidence from the case or lead page, download an attachment.

Views only shape pages: the service checks the file and decides who may add it
(``InvalidInput`` → the page again with the error at the field, 422, nothing stored;
``NotPermitted`` → 403). Objects outside the user's scope are 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case
from zhichi.cases.page import case_context
from zhichi.common.errors import InvalidInput
from zhichi.common.steps import run_step
from zhichi.evidence import rules, services
from zhichi.evidence.forms import AttachmentForm
from zhichi.evidence.sections import FORM_ATTRIBUTE
from zhichi.intake import rules as lead_rules
from zhichi.intake.page import lead_page

ANCHOR = "attachments"


def _upload(request, form, *, back: str, failed, **target):
    """The one upload both pages post to; the refused input comes back on ``form``, which the
    page shows again (``failed``), and its section opens at it."""

    def refused(exc: InvalidInput):
        setattr(request, FORM_ATTRIBUTE, form)
        return failed(exc)

    return run_step(
        request,
        call=lambda: services.upload_attachment(
            actor=request.user,
            file=request.FILES.get("file"),
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            **target,
        ),
        back=back,
        form=form,
        failed=refused,
        done=_("Attachment uploaded."),
        moved_on_goes_back=False,
    )


@login_required
@require_POST
def case_upload(request, case_id: int):
    case = case_rules.get_case_for(request.user, case_id)
    form = AttachmentForm(request.POST, request.FILES)

    def failed(exc: InvalidInput):
        shown = case_rules.get_case_for(request.user, case.pk, Case.objects.for_display())
        failure = {"detail": exc.detail, "anchor": ANCHOR, "key": ANCHOR, "shown": True}
        context = case_context(request, shown, failure=failure)
        return render(request, "cases/case_detail.html", context, status=422)

    back = f"{case.get_absolute_url()}#{ANCHOR}"
    return _upload(request, form, back=back, failed=failed, case_id=case.pk)


@login_required
@require_POST
def lead_upload(request, lead_id: int):
    lead = lead_rules.get_lead_for(request.user, lead_id)
    form = AttachmentForm(request.POST, request.FILES)

    def failed(exc: InvalidInput):
        messages.error(request, exc.detail)
        return lead_page(request, lead, status=422)

    back = f"{lead.get_absolute_url()}#{ANCHOR}"
    return _upload(request, form, back=back, failed=failed, lead_id=lead.pk)


@login_required
@require_GET
def download(request, pk: int):
    attachment = rules.get_attachment_for(request.user, pk)
    return services.attachment_response(attachment=attachment, actor=request.user, via="page")
