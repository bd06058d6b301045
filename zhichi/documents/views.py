"""Document pages: issue (or re-issue) one document of a case, download and preview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhichi.cases.rules import get_internal_case_for
from zhichi.common.downloads import private_file
from zhichi.common.errors import FieldError, InvalidInput, RateLimited
from zhichi.common.steps import run_step
from zhichi.documents import casefile, rules, services
from zhichi.documents import render as render_mod
from zhichi.documents.forms import IssueForm, NumberingForm, TemplateUploadForm
from zhichi.documents.models import DocumentKind, DocumentTemplate
from zhichi.intake.rules import get_internal_lead_for


@login_required
@require_http_methods(["GET", "POST"])
def issue(request, case_id: int):
    case = get_internal_case_for(request.user, case_id)
    if not rules.can_issue(request.user, case):
        raise PermissionDenied(
            _("Only the case officer or the department head may issue documents.")
        )
    form = IssueForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method != "POST":
        return render(request, "documents/issue.html", {"case": case, "form": form})
    subject = (request.POST.get("subject_id") or "").strip()

    def call():
        if subject and not subject.isdigit():
            raise InvalidInput([FieldError("subject_id", "integer", _("Enter a whole number."))])
        return services.issue_document(
            case_id=case.pk,
            kind=request.POST.get("kind", ""),
            actor=request.user,
            subject_id=int(subject) if subject.isdigit() else None,
            reason=request.POST.get("reason", ""),
        )

    return run_step(
        request,
        call=call,
        back=request.path,
        form=form,
        failed=lambda _exc: render(
            request, "documents/issue.html", {"case": case, "form": form}, status=422
        ),
        done=lambda doc: _("Issued %(number)s.") % {"number": doc.number},
        to=f"{case.get_absolute_url()}#documents",
        moved_on_goes_back=False,
    )


@login_required
@require_GET
def download(request, pk: int, fmt: str):
    doc = rules.get_document_for(request.user, pk)
    return services.document_response(
        doc=doc,
        actor=request.user,
        fmt=fmt,
        copy=request.GET.get("copy") == "1",
        inline=request.GET.get("inline") == "1",
        via="page",
    )


# --- document templates (system administrator) -------------------------------------------------
def _require_templates(user) -> None:
    if not rules.can_manage_templates(user):
        raise PermissionDenied(_("Only the system administrator manages document templates."))


def _templates_page(request, **failed):
    """The templates page; with a failed form (``failed`` or ``numbering_failed``), 422."""
    context = _templates_context(request.user.organisation, **failed)
    status = 422 if failed else 200
    return render(request, "documents/templates.html", context, status=status)


def _templates_context(org, failed=None, numbering_failed=None) -> dict:
    rows = []
    by_kind: dict[str, list] = {}
    for t in DocumentTemplate.objects.defer("file").select_related("uploaded_by"):
        by_kind.setdefault(t.kind, []).append(t)
    patterns = services.patterns_for(org)  # kinds without a number have none
    for kind, label in DocumentKind.choices:
        versions = by_kind.get(kind, [])
        rows.append(
            {
                "kind": kind,
                "label": label,
                "versions": versions,
                "active": next((t for t in versions if t.active), None),
                "pattern": patterns.get(kind, ""),
            }
        )
    return {
        "rows": rows,
        "form": failed or TemplateUploadForm(),
        "numbering_form": numbering_failed or NumberingForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def templates(request):
    _require_templates(request.user)
    if request.method == "GET":
        return _templates_page(request)
    form = TemplateUploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")

    return run_step(
        request,
        call=lambda: services.upload_template(
            actor=request.user,
            kind=request.POST.get("kind", ""),
            data=upload.read() if upload else b"",
            name=upload.name if upload else "",
            note=request.POST.get("note", ""),
        ),
        back=reverse("documents:templates"),
        form=form,
        failed=lambda _exc: _templates_page(request, failed=form),
        done=lambda template: (
            _("Template %(version)s of %(kind)s is in use.")
            % {"version": template.label, "kind": template.get_kind_display()}
        ),
        moved_on_goes_back=False,
    )


@login_required
@require_http_methods(["POST"])
def template_use(request, kind: str):
    _require_templates(request.user)
    raw = (request.POST.get("version") or "").strip()
    return run_step(
        request,
        call=lambda: services.use_template(
            actor=request.user, kind=kind, version=int(raw) if raw.isdigit() else None
        ),
        back=reverse("documents:templates"),
        done=_("Template changed."),
    )


@login_required
@require_GET
def template_file(request, kind: str, version: int | None = None):
    """A template's DOCX (the built-in one when no version), to start a replacement from."""
    _require_templates(request.user)
    if kind not in DocumentKind.values:
        raise Http404
    if version is None:
        data, label = render_mod.builtin_docx(kind), "builtin"
    else:
        t = get_object_or_404(DocumentTemplate, kind=kind, version=version)
        data, label = bytes(t.file), t.label
    return private_file(
        HttpResponse(data, content_type=services.CONTENT_TYPES["docx"]), f"{kind}-{label}.docx"
    )


# --- the case file (卷宗) export ---------------------------------------------------------------
def _export_for(request, pk: int):
    return rules.get_export_for(request.user, pk)  # 404 outside the user's scope


@login_required
@require_http_methods(["POST"])
def export_case_file(request, case_id: int):
    case = get_internal_case_for(request.user, case_id)
    back = f"{case.get_absolute_url()}#documents"
    try:
        return run_step(
            request,
            call=lambda: casefile.request_export(case_id=case.pk, actor=request.user),
            back=back,
            to=lambda export: reverse("documents:export", args=[export.pk]),
        )
    except RateLimited as exc:
        messages.error(request, str(exc))
        return redirect(back)


@login_required
@require_GET
def export_page(request, pk: int):
    """The export's progress (the bar polls ``export_progress``) and, when ready, the download."""
    export = _export_for(request, pk)
    template = "documents/_export_progress.html" if request.htmx else "documents/export.html"
    keep_days = settings.ZHICHI["CASEFILE_KEEP_DAYS"]
    return render(
        request, template, {"export": export, "case": export.case, "keep_days": keep_days}
    )


@login_required
@require_GET
def export_download(request, pk: int):
    export = _export_for(request, pk)
    return casefile.zip_response(export=export, actor=request.user, via="page")


@login_required
@require_http_methods(["POST"])
def issue_lead(request, lead_id: int):
    """The notice of non-acceptance of a declined lead (re-issue with a reason)."""
    lead = get_internal_lead_for(request.user, lead_id)
    return run_step(
        request,
        call=lambda: services.issue_lead_document(
            lead_id=lead.pk, actor=request.user, reason=request.POST.get("reason", "")
        ),
        back=f"{lead.get_absolute_url()}#documents",
        done=lambda doc: _("Issued %(number)s.") % {"number": doc.number},
        moved_on_goes_back=False,
    )


@login_required
@require_http_methods(["POST"])
def numbering(request):
    _require_templates(request.user)
    form = NumberingForm(request.POST)

    return run_step(
        request,
        call=lambda: services.set_number_pattern(
            actor=request.user,
            kind=request.POST.get("kind", ""),
            pattern=request.POST.get("pattern", ""),
        ),
        back=reverse("documents:templates"),
        form=form,
        failed=lambda _exc: _templates_page(request, numbering_failed=form),
        done=_("Numbering saved."),
        moved_on_goes_back=False,
    )
