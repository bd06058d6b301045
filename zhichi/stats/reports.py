"""The period report as a file: PDF through WeasyPrint from our own template (never a user's),
and Excel through the lists' writer (``exports.write_sheets``: numbers as numbers, text that could
be a formula kept as text). Every download is audited."""

from __future__ import annotations

import io
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.audit.services import record
from zhichi.common.downloads import private_file
from zhichi.stats.exports import DATE, INT, MONEY, NUMBER, TEXT, XLSX, Column, write_sheets

STYLES = str(Path(__file__).with_name("report_pdf.css"))


def file_stem(context: dict) -> str:
    period = context["period"]
    return f"report-{period.start.isoformat()}-{period.end.isoformat()}"


def _download(request, context: dict, data: bytes, fmt: str, content_type: str) -> HttpResponse:
    period = context["period"]
    record(
        action="stats.report",
        actor=request.user,
        detail={"format": fmt, "from": period.start.isoformat(), "to": period.end.isoformat()},
    )
    return private_file(
        HttpResponse(data, content_type=content_type), f"{file_stem(context)}.{fmt}"
    )


def pdf_response(request, context: dict) -> HttpResponse:
    import weasyprint  # heavy, and needed only when a report is printed to PDF

    html = render_to_string("stats/report_pdf.html", context, request=request)
    # the styles come from a file beside this module and the page loads nothing: no request
    # leaves the process
    data = weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(filename=STYLES)])
    return _download(request, context, data, "pdf", "application/pdf")


FIGURE_COLUMNS = [
    Column("label", gettext_lazy("Item"), TEXT, 28),
    Column("value", gettext_lazy("This period"), NUMBER),
    Column("previous", gettext_lazy("Period before"), NUMBER),
    Column("change", gettext_lazy("Change"), NUMBER),
]
CATEGORY_COLUMNS = [
    Column("label", gettext_lazy("Category"), TEXT, 20),
    Column("cases", gettext_lazy("Cases"), INT),
    Column("claimants", gettext_lazy("People helped"), INT),
    Column("migrant_workers", gettext_lazy("Of whom migrant workers"), INT),
    Column("amount_claimed", gettext_lazy("Money claimed"), MONEY, 16),
    Column("amount_recovered", gettext_lazy("Money recovered"), MONEY, 16),
]
MONTH_COLUMNS = [
    Column("month", gettext_lazy("Month"), DATE),
    Column("cases", gettext_lazy("Cases accepted"), INT),
    Column("amount_claimed", gettext_lazy("Money claimed"), MONEY, 16),
    Column("amount_recovered", gettext_lazy("Money recovered"), MONEY, 16),
]
KPI_COLUMNS = [
    Column("label", gettext_lazy("Measure"), TEXT, 30),
    Column("value", gettext_lazy("Value"), NUMBER),
    Column("unit", gettext_lazy("Unit"), TEXT, 8),
    Column("basis", gettext_lazy("Records"), INT),
]


def xlsx_response(request, context: dict) -> HttpResponse:
    """The report's four tables as four sheets, with the same figures as the page."""
    units = {"days": _("days"), "percent": "%"}
    figures = [
        {
            "label": line.label,
            "value": line.value,
            "previous": line.previous,
            "change": line.change,
        }
        for line in context["lines"]
    ]
    categories = [vars(row) for row in context["categories"]]
    months = [{**vars(row), "label": row.label, "month": row.value} for row in context["months"]]
    measures = [{**vars(k), "label": k.label, "unit": units[k.unit]} for k in context["kpis"]]
    out = io.BytesIO()
    write_sheets(
        out,
        [
            (_("The period's work"), FIGURE_COLUMNS, [figures]),
            (_("By category"), CATEGORY_COLUMNS, [categories]),
            (_("By month"), MONTH_COLUMNS, [months]),
            (_("How the stages went"), KPI_COLUMNS, [measures]),
        ],
    )
    return _download(request, context, out.getvalue(), "xlsx", XLSX)
