"""The period report as a file: PDF through WeasyPrint from our own template (never a user's)."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from zhichi.audit.services import record

STYLES = str(Path(__file__).with_name("report_pdf.css"))


def file_stem(context: dict) -> str:
    period = context["period"]
    return f"report-{period.start.isoformat()}-{period.end.isoformat()}"


def pdf_response(request, context: dict) -> HttpResponse:
    import weasyprint  # heavy, and needed only when a report is printed to PDF

    html = render_to_string("stats/report_pdf.html", context, request=request)
    # the styles come from a file beside this module and the page loads nothing: no request
    # leaves the process
    data = weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(filename=STYLES)])
    record(
        action="stats.report",
        actor=request.user,
        detail={
            "format": "pdf",
            "from": context["period"].start.isoformat(),
            "to": context["period"].end.isoformat(),
        },
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{file_stem(context)}.pdf")
    response["Cache-Control"] = "no-store"
    return response
