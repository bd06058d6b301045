"""The Excel export pages: the button on each list posts here with the filters on screen; a small
list downloads at once, a large one is written in the background and its page shows the progress
bar (htmx polling) and then the download."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhichi.common.errors import InvalidInput
from zhichi.stats import exports, exports_service

# where each list is shown (its page, with the same filters in its address)
LIST_PAGES = {
    "leads": "intake:lead_list",
    "cases": "cases:case_list",
    "transfers": "transfers:inbox",
    "assistance": "assistance:register",
    "suggestions": "supervision:register",
    "employers": "employers:search",
}


def list_url(list_name: str, filters: dict[str, list[str]]) -> str:
    """The list page showing ``filters`` (the transfers' box is in the page's address)."""
    filters = dict(filters)
    page = LIST_PAGES[list_name]
    if list_name == "transfers" and filters.pop("box", ["inbox"])[0] == "outbox":
        page = "transfers:outbox"
    query = QueryDict(mutable=True)
    for name, values in filters.items():
        query.setlist(name, values)
    return reverse(page) + (f"?{query.urlencode()}" if query else "")


@login_required
@require_POST
def export_list(request, list_name: str):
    """POST, as it may create a background export; a small list's file is the answer itself."""
    spec = exports.spec_for(list_name)
    try:
        answer = exports_service.request_export(
            list_name=spec.name, actor=request.user, data=request.POST, via="page"
        )
    except InvalidInput as exc:
        form = spec.form(None, request.user)
        problems = [
            (str(form.fields[e.field].label) if e.field in form.fields else "", e.message)
            for e in exc.errors
        ]
        raw = {k: v for k, v in request.POST.lists() if k in form.fields}
        context = {"spec": spec, "problems": problems, "back": list_url(spec.name, raw)}
        return render(request, "stats/export_error.html", context, status=422)
    if isinstance(answer, exports_service.XlsxFile):
        return exports_service.xlsx_response(answer.name, answer.content)
    return redirect("exports:detail", export_id=answer.pk)


@login_required
@require_GET
def export_page(request, export_id: int):
    """The export's progress (the bar polls this page) and, when ready, the download."""
    export = exports_service.get_export_for(request.user, export_id)
    template = "stats/export_progress.html" if request.htmx else "stats/export_page.html"
    context = {
        "export": export,
        "spec": exports.spec_for(export.list_name),
        "back": list_url(export.list_name, export.filters),
        "keep_days": settings.ZHICHI["CASEFILE_KEEP_DAYS"],
    }
    return render(request, template, context)


@login_required
@require_GET
def export_download(request, export_id: int):
    export = exports_service.get_export_for(request.user, export_id)
    return exports_service.download(export=export, actor=request.user, via="page")
