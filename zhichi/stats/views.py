"""The statistics pages (C13): the dashboard, and the records behind each of its figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhichi.cases.scope import may_see_internal
from zhichi.common.errors import InvalidInput
from zhichi.common.pagination import paginate
from zhichi.core import grading
from zhichi.employers.profile import employer_risks
from zhichi.employers.references import ref_for
from zhichi.rulebook import loaders
from zhichi.stats import presenters, reports, rules, selectors
from zhichi.stats.forms import StatsFilterForm

PAGE_SIZE = 25


def _read(request):
    """The filter form and, when it holds, the scope and the period it asks for (None, None with
    the form's errors otherwise)."""
    if not selectors.may_see_stats(request.user):
        raise PermissionDenied
    form = StatsFilterForm(request.GET, departments=selectors.departments_for(request.user))
    try:
        scope, query = rules.read_query(request.user, form.query())
    except InvalidInput as exc:
        form.show_service_errors(exc)
        return form, None, None
    return form, scope, query.chosen_period(timezone.localdate())


@login_required
@require_GET
def dashboard(request):
    form, scope, period = _read(request)
    if scope is None:
        return render(request, "stats/dashboard.html", {"form": form}, status=422)
    board = presenters.dashboard(scope, period)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "period": period,
            "previous": period.previous(),
            "scope": scope,
            "summary": board.summary,
            "headline": [board.cards[k] for k in presenters.HEADLINE],
            "others": [c for k, c in board.cards.items() if k not in presenters.HEADLINE],
            "recovery_rate": board.summary.recovery_rate,
            "charts": board.charts,
            "kpis": board.kpis,
            "agencies": board.agencies,
            "chart_data": {c.by: c.data() for c in board.charts},
            "counted_at": board.counted_at,
        },
    )


@login_required
@require_GET
def figure_records(request, key: str):
    """The records a figure counts, with the dashboard's filters (and a chart's group)."""
    figure = selectors.FIGURES.get(key)
    if figure is None:
        raise Http404
    form, scope, period = _read(request)
    if scope is None:
        return render(request, "stats/figure_records.html", {"form": form}, status=422)
    by, value = request.GET.get("by", ""), request.GET.get("value", "")
    if by and (
        not figure.in_breakdown
        or by not in selectors.GROUPINGS
        or value not in selectors.group_keys(by, period)
    ):
        raise Http404
    records = figure.narrowed(scope, period, by, value)
    page = paginate(
        request,
        records.select_related(*selectors.ROW_RELATIONS[figure.rows]).order_by("-pk"),
        PAGE_SIZE,
    )
    group = selectors.group_label(by, value, period) if by else ""
    return render(
        request,
        "stats/figure_records.html",
        {
            "form": form,
            "figure": figure,
            "period": period,
            "scope": scope,
            "group": group,
            "total": figure.value_of(records),
            "page_obj": page,
            "paginator": page.paginator,
            "dashboard_url": presenters.dashboard_url(presenters.period_query(scope, period)),
        },
    )


@login_required
@require_GET
def report(request):
    """The period report in the procuratorate's table layout: on screen and printable, as PDF
    (``?format=pdf``) and as Excel (``?format=xlsx``)."""
    form, scope, period = _read(request)
    if scope is None:
        return render(request, "stats/report.html", {"form": form}, status=422)
    context = {"form": form, **presenters.report_context(request.user, scope, period)}
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return reports.pdf_response(request, context)
    if fmt == "xlsx":
        return reports.xlsx_response(request, context)
    if fmt:
        raise Http404
    return render(request, "stats/report.html", context)


@login_required
@require_GET
def warnings(request):
    """The early-warning list (EW-1, EW-3): the employers of the reader's open wage cases,
    riskiest first, with the reasons and the blacklist candidates. The risk assessment is the
    procuratorate's own (C8): partner agencies do not read it."""
    if not may_see_internal(request.user):
        raise PermissionDenied
    rows = employer_risks(request.user)
    page = paginate(request, rows, PAGE_SIZE)
    alert = loaders.risk_rules(timezone.localdate(), None).alert_score
    return render(
        request,
        "stats/warnings.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "rows": [(row, ref_for(row.credit_code)) for row in page],
            "alert_score": alert,
            "high": sum(1 for row in rows if row.risk.level == grading.RISK_HIGH),
            "candidates": sum(1 for row in rows if row.blacklist_cases),
        },
    )
