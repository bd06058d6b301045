"""The approvals inbox (/cases/approvals/): the approvals a head or the chief procurator may
decide, and their decisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.cases import rules, selectors
from zhichi.cases.forms_disposal import (
    DecisionForm,
)
from zhichi.cases.models import (
    Approval,
)
from zhichi.cases.presenters import approval_row
from zhichi.cases.services import approvals
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step

INBOX_PAGE_SIZE = 25


def _inbox(request, *, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    page = paginate(request, selectors.approvals_inbox(request.user), INBOX_PAGE_SIZE)
    rows = [
        {
            "approval": a,
            "shown": approval_row(a, request.user),
            "approve": failed.get(("approve", a.pk)) or DecisionForm(approval_id=a.pk),
            "reject": failed.get(("reject", a.pk)) or DecisionForm(approval_id=a.pk, reject=True),
            "reject_open": ("reject", a.pk) in failed,
        }
        for a in page
    ]
    return render(
        request,
        "cases/approvals_inbox.html",
        {"rows": rows, "page_obj": page, "paginator": page.paginator},
        status=status,
    )


@login_required
@require_GET
def approvals_inbox(request):
    return _inbox(request)


def _decide(request, approval_id: int, *, approve: bool):
    approval = rules.get_case_record_for(
        request.user, Approval.objects.select_related("case"), approval_id
    )
    form = DecisionForm(request.POST, approval_id=approval.pk, reject=not approve)
    verb = "approve" if approve else "reject"
    if approve:
        text = _("Approved: %(number)s.")
    else:
        text = _("Rejected: %(number)s. The officer is told why.")
    return run_step(
        request,
        call=lambda: approvals.decide_approval(
            approval_id=approval.pk, actor=request.user, approve=approve, reason=form.text("reason")
        ),
        back=reverse("cases:approvals"),  # decided meanwhile: nothing to show
        form=form,
        failed=lambda _exc: _inbox(request, failed={(verb, approval.pk): form}, status=422),
        done=text % {"number": approval.case.number},
    )


@login_required
@require_POST
def approval_approve(request, approval_id: int):
    return _decide(request, approval_id, approve=True)


@login_required
@require_POST
def approval_reject(request, approval_id: int):
    return _decide(request, approval_id, approve=False)
