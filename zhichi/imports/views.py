"""The import pages (C14), in the intake area: the history with the upload form, the columns to
confirm with a preview, the progress bar (htmx polling) and the result with the error report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.imports import presenters, rules, services
from zhichi.imports.forms import MappingForm, UploadForm
from zhichi.imports.models import ImportJob, ImportStatus

PAGE_SIZE = 25


def _history(request, form, status=200):
    jobs = ImportJob.objects.visible_to(request.user).select_related("organisation", "created_by")
    page = paginate(request, jobs, PAGE_SIZE)
    context = {"form": form, "page_obj": page, "paginator": page.paginator}
    return render(request, "imports/import_list.html", context, status=status)


@login_required
@require_GET
def import_list(request):
    services.ensure_may_import(actor=request.user, action="import.list")
    return _history(request, UploadForm(user=request.user))


@login_required
@require_POST
def import_upload(request):
    services.ensure_may_import(actor=request.user)  # audits a refusal (rule R7)
    form = UploadForm(request.POST, request.FILES, user=request.user)
    return run_step(
        request,
        call=lambda: services.upload_import(
            actor=request.user,
            upload=request.FILES.get("file"),
            referring_org=request.POST.get("referring_org", ""),
            to_org=request.POST.get("to_org", ""),
        ),
        back=request.path,
        form=form,
        failed=lambda exc: _history(request, form, status=422),
        to=lambda job: job.get_absolute_url(),
        moved_on_goes_back=False,
    )


@login_required
@require_GET
def import_detail(request, import_id: int):
    job = rules.get_job_for(request.user, import_id)
    if request.htmx and job.status != ImportStatus.MAPPING:
        return render(request, "imports/_progress.html", presenters.result(request.user, job))
    if job.status == ImportStatus.MAPPING and rules.is_importer(request.user, job):
        form = MappingForm(headers=job.columns, mapping=job.mapping)
        return _mapping_page(request, job, form)
    return render(request, "imports/import_detail.html", presenters.result(request.user, job))


def _mapping_page(request, job, form, status=200):
    context = {"job": job, "form": form, "preview": presenters.preview(job)}
    return render(request, "imports/import_mapping.html", context, status=status)


@login_required
@require_POST
def import_start(request, import_id: int):
    job = rules.get_job_for(request.user, import_id)
    form = MappingForm(request.POST, headers=job.columns, mapping=job.mapping)
    return run_step(
        request,
        call=lambda: services.start_import(
            actor=request.user, job_id=job.pk, mapping=form.mapping()
        ),
        back=job.get_absolute_url(),
        form=form,
        failed=lambda exc: _mapping_page(request, job, form, status=422),
        done=_("The import has started."),
    )


@login_required
@require_GET
def import_errors(request, import_id: int):
    job = rules.get_job_for(request.user, import_id)
    if not rules.is_importer(request.user, job):
        raise Http404
    return services.error_report_response(job=job, actor=request.user, via="page")


@login_required
@require_GET
def import_leads(request, import_id: int):
    """The leads an import created, as the viewer may see them (the lead list's rows)."""
    job = rules.get_job_for(request.user, import_id)
    return render(request, "imports/import_leads.html", presenters.leads(request, job))
