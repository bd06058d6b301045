"""Document pages: issue (or re-issue) one document of a case, download and preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from zhichi.documents import rules, services
from zhichi.documents.forms import IssueForm
from zhichi.documents.models import IssuedDocument
from zhichi.errors import InvalidInput, NotPermitted


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def issue(request, case_id: int):
    case = rules.get_case_for(request.user, case_id)
    if not rules.can_issue(request.user, case):
        raise PermissionDenied(
            _("Only the case officer or the department head may issue documents.")
        )
    form = IssueForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    status = 200
    if request.method == "POST":
        subject = (request.POST.get("subject_id") or "").strip()
        try:
            doc = services.issue_document(
                case_id=case.pk,
                kind=request.POST.get("kind", ""),
                actor=request.user,
                subject_id=int(subject) if subject.isdigit() else None,
                reason=request.POST.get("reason", ""),
            )
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc
        except InvalidInput as exc:
            form.is_valid()
            for err in exc.errors:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            status = 422
        else:
            messages.success(request, _("Issued %(number)s.") % {"number": doc.number})
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#documents")
    return render(request, "documents/issue.html", {"case": case, "form": form}, status=status)


def _document(request, pk: int) -> IssuedDocument:
    doc = get_object_or_404(IssuedDocument.objects.select_related("case"), pk=pk)
    rules.get_case_for(request.user, doc.case_id)  # 404 outside the user's scope
    return doc


@never_cache
@login_required
@require_GET
def download(request, pk: int, fmt: str):
    doc = _document(request, pk)
    return services.document_response(
        doc=doc,
        actor=request.user,
        fmt=fmt,
        copy=request.GET.get("copy") == "1",
        inline=request.GET.get("inline") == "1",
        via="page",
    )
