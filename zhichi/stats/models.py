"""The statistics app's own records. The figures themselves are read from the trusted record (the
cases, the ledger's entries and payments, reversals included): never from a second copy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhichi.documents.models import BuiltFile


class ExportList(models.TextChoices):
    """The lists that export to Excel (API.md: ``GET /api/v1/exports/{list}.xlsx``)."""

    LEADS = "leads", _("Leads")
    CASES = "cases", _("Cases")
    TRANSFERS = "transfers", _("Transfers")
    ASSISTANCE = "assistance", _("Judicial assistance register")
    SUGGESTIONS = "suggestions", _("Procuratorial suggestions register")
    EMPLOYERS = "employers", _("Employers")


class ListExport(BuiltFile):
    """An Excel export of a list too large to write during the request, with the filters the
    user gave. Only large exports have a row; each export is audited."""

    list_name = models.CharField(max_length=16, choices=ExportList.choices)
    # the list's filters as they were asked (query parameter → values), applied again when the
    # file is written, within what the requester may see then
    filters = models.JSONField(default=dict, blank=True)
    # the headers' language: the reader's when they asked
    language = models.CharField(max_length=10, default="zh-hans")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)

    class Meta(BuiltFile.Meta):
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")

    def __str__(self) -> str:
        return f"{self.list_name} {self.status} {self.progress}%"
