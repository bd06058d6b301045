"""The auditor's console (rules R5 and R7): the audit trail with its filters, a record's whole
history, the chain verification and the exports. Only the auditor reaches these pages: every other
role gets 403, the refusal audited; anonymous visitors are sent to sign in.

Reading the trail is itself audited: every page, export and verification writes one entry
(``audit.view`` with the page and its filters, ``audit.export``, ``audit.verify``). Nothing here
changes anything else. A filter that is not valid is shown at its field (422), and nothing is read.
"""

from __future__ import annotations

import io
import time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhichi.accounts.rules import ensure_auditor
from zhichi.audit.models import Outcome
from zhichi.audit.services import record, verify_chain
from zhichi.common import pagination
from zhichi.common.downloads import private_file
from zhichi.consoles import audit_trail as trail
from zhichi.consoles.audit_forms import TrailFilterForm, object_types
from zhichi.stats.exports import XLSX, write_sheets

VIEW, EXPORT = "audit.view", "audit.export"


def _cursor(request, name: str) -> int | None:
    """A page cursor from the address (an entry id); anything else is the first page."""
    value = request.GET.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return None
    return int(value) or None


def _trail_page(request, form: TrailFilterForm, *, status: int = 200, **context):
    return render(
        request,
        "consoles/audit/trail.html",
        {
            "filters": form,
            "object_types": object_types(),
            "csv_cap": trail.EXPORT_CAPS["csv"],
            "xlsx_cap": trail.EXPORT_CAPS["xlsx"],
            **context,
        },
        status=status,
    )


def _refuse_filters(request, form: TrailFilterForm, *, action: str, detail: dict):
    """The list again with the errors at their fields (422), the attempt audited; nothing read."""
    record(
        action=action,
        actor=request.user,
        outcome=Outcome.FAILED,
        detail={**detail, "reason": "invalid", "fields": sorted(form.errors)},
    )
    return _trail_page(request, form, status=422, invalid=True)


def _read_filters(form: TrailFilterForm) -> trail.TrailFilters:
    return trail.TrailFilters.from_form(form.cleaned_data if form.is_bound else {})


@login_required
@require_GET
def trail_list(request):
    ensure_auditor(request.user, action=VIEW)
    form = TrailFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _refuse_filters(request, form, action=VIEW, detail={"page": "trail"})
    filters = _read_filters(form)
    qs = trail.filter_trail(filters)
    after, before = _cursor(request, "after"), _cursor(request, "before")
    page = trail.keyset_page(qs, newest_first=True, after=after, before=before)
    count = trail.count_entries(qs, filters)
    detail = {"page": "trail", "filters": filters.described(), "shown": len(page.entries)}
    if after or before:
        detail["after" if after else "before"] = after or before
    record(action=VIEW, actor=request.user, detail=detail)
    return _trail_page(
        request,
        form,
        page=page,
        rows=trail.entry_rows(page.entries),
        count=count,
        filtered=filters.given,
        # an export of this list would hold only its newest entries
        export_capped=count.more or count.number > min(trail.EXPORT_CAPS.values()),
    )


@login_required
@require_GET
def object_history(request, object_type: str, object_id: str):
    ensure_auditor(request.user, action=VIEW)
    qs = trail.object_history(object_type, object_id)
    after, before = _cursor(request, "after"), _cursor(request, "before")
    page = trail.keyset_page(qs, newest_first=False, after=after, before=before)
    count = pagination.tally(qs, trail.COUNT_CAP)
    detail = {
        "page": "history",
        # no longer than a column holds: a longer name cannot be any entry's
        "object_type": object_type[:64],
        "object_id": object_id[:64],
        "shown": len(page.entries),
    }
    if after or before:
        detail["after" if after else "before"] = after or before
    record(action=VIEW, actor=request.user, detail=detail)
    return render(
        request,
        "consoles/audit/history.html",
        {
            "object_type": object_type,
            "object_id": object_id,
            "page": page,
            "rows": trail.entry_rows(page.entries),
            "count": count,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """GET: the last verification run from the console, and the button. POST: run it now (the
    same check as ``manage.py verify_audit``) and show what it found."""
    if request.method == "GET":
        ensure_auditor(request.user, action=VIEW)
        last = trail.last_verification()
        record(action=VIEW, actor=request.user, detail={"page": "verify"})
        return render(request, "consoles/audit/verify.html", {"last": last})
    ensure_auditor(request.user, action=trail.VERIFY_ACTION)
    started = time.perf_counter()
    report = verify_chain()
    seconds = round(time.perf_counter() - started, 3)
    record(
        action=trail.VERIFY_ACTION,
        actor=request.user,
        outcome=Outcome.OK if report.ok else Outcome.FAILED,
        detail={
            "intact": report.ok,
            "checked": report.checked,
            "rows": report.rows,
            "first_broken_id": report.first_broken_id,
            "problems": report.codes,
            "unanchored": report.unanchored,
            "seconds": seconds,
        },
    )
    return render(
        request,
        "consoles/audit/verify.html",
        {"report": report, "seconds": seconds},
    )


def _export(request, fmt: str):
    ensure_auditor(request.user, action=EXPORT)
    form = TrailFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _refuse_filters(request, form, action=EXPORT, detail={"format": fmt})
    filters = _read_filters(form)
    # up to the newest entry now: the count and the rows are of one moment
    qs = trail.filter_trail(filters).filter(id__lte=trail.newest_id())
    cap = trail.EXPORT_CAPS[fmt]
    count = pagination.tally(qs, cap)
    record(
        action=EXPORT,
        actor=request.user,
        detail={
            "format": fmt,
            "filters": filters.described(),
            "rows": count.number,
            "capped": count.more,
        },
    )
    name = f"audit-trail-{timezone.localdate().isoformat()}"
    if count.more:
        name += f"-newest-{cap}"
    batches = trail.export_batches(qs, cap=cap)
    if fmt == "csv":
        response = StreamingHttpResponse(
            trail.csv_chunks(trail.EXPORT_COLUMNS, batches), content_type="text/csv; charset=utf-8"
        )
        return private_file(response, f"{name}.csv")
    out = io.BytesIO()
    write_sheets(out, [(_("Audit trail"), list(trail.EXPORT_COLUMNS), batches)])
    return private_file(HttpResponse(out.getvalue(), content_type=XLSX), f"{name}.xlsx")


@login_required
@require_GET
def export_csv(request):
    return _export(request, "csv")


@login_required
@require_GET
def export_xlsx(request):
    return _export(request, "xlsx")
