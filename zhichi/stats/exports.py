"""Excel exports of the lists (issue 15 item 4, API.md § Statistics): which rows, which columns,
and the writer.

Each list is exported with **its own filters**: the list page's filter form reads them (so a
filter means the same on the page and in the file, and a bad one is refused the same way), and
the list's own filter function selects the rows within what the user may see
(``Lead.objects.list_filter``, ``cases.filters.filter_case_list``, ``Transfer.objects.box_filter``,
``AssistanceApplication.objects.register_filter``, ``Suggestion.objects.register_filter``,
``employers.profile.employer_rows``). Nothing here filters a list a second time.

The writer (openpyxl, write-only, so 50,000 rows stay in bounded memory): numbers are numbers,
money a Decimal shown with two decimals, dates are dates, the header row is frozen and in the
reader's language. A text that a spreadsheet could take for a formula (it starts with = + - @,
or a tab or carriage return, OWASP's list) is written as text with Excel's quote prefix, never as a
formula.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django import forms
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import User
from zhichi.assistance.forms import RegisterFilterForm as AssistanceFilterForm
from zhichi.assistance.models import AssistanceApplication
from zhichi.assistance.presenters import next_due
from zhichi.cases.filters import filter_case_list
from zhichi.cases.forms import CaseFilterForm
from zhichi.cases.models import Case, CaseStatus, PartyRole
from zhichi.cases.partner_view import is_partner
from zhichi.cases.presenters import case_list_rows
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.pagination import in_order
from zhichi.employers.forms import EmployerSearchForm
from zhichi.employers.profile import employer_rows, present_employers
from zhichi.intake.forms import LeadFilterForm
from zhichi.intake.models import Lead
from zhichi.rulebook import loaders
from zhichi.supervision.forms import RegisterFilterForm as SuggestionFilterForm
from zhichi.supervision.models import Suggestion
from zhichi.transfers.forms import BoxFilterForm
from zhichi.transfers.models import Transfer

# NUMBER: a whole number as it is, an amount (a Decimal) as money (the report's mixed columns)
TEXT, INT, MONEY, DATE, NUMBER = "text", "int", "money", "date", "number"
BATCH = 1000  # rows read per query while writing (and the progress moves after each batch)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP (CSV injection): a cell starting with one of these may be read as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# characters an XLSX file cannot hold (openpyxl refuses them): control characters but tab, LF, CR
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation: the header, in the reader's language when written
    kind: str = TEXT
    width: int = 14


# --- the lists' filters --------------------------------------------------------------------------
class CaseExportFilters(CaseFilterForm):
    """The case list page's filters and the case API's two more (API.md: status, employer)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *CaseStatus.choices]
    )
    employer = forms.CharField(label=_("Employer's credit code"), required=False, max_length=100)


class TransferExportFilters(BoxFilterForm):
    """The inbox's and outbox's filters, and which box (the page's address, the API's ``box``)."""

    box = forms.ChoiceField(
        label=_("Box"),
        required=False,
        choices=[("inbox", _("Inbox")), ("outbox", _("Outbox"))],
    )


class SuggestionExportFilters(SuggestionFilterForm):
    """The register's filters; ``overdue`` also as the API writes it (true / false)."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("overdue") in ("true", "false"):
            data = data.copy()
            data["overdue"] = "1" if data["overdue"] == "true" else "0"
        super().__init__(data, *args, **kwargs)


# --- the lists -----------------------------------------------------------------------------------
class ListSpec(ABC):
    """One exportable list: its filter form, its rows within what ``user`` sees, its columns."""

    name: str
    title: Any
    model: Any = None
    columns: tuple[Column, ...] = ()
    partner_hidden: frozenset[str] = frozenset()  # columns a partner agency never sees (C8)

    @abstractmethod
    def form(self, data, user) -> forms.Form:
        """The list page's own filter form, bound to ``data``."""

    @abstractmethod
    def select(self, user: User, filters: dict) -> QuerySet:
        """The list's rows in the list's order; may refuse a filter (InvalidInput)."""

    def load(self, qs: QuerySet) -> QuerySet:
        return qs

    @abstractmethod
    def rows(self, user: User, records: list) -> list[dict]:
        """One batch of records as the columns' values, by column key."""

    def columns_for(self, user: User) -> list[Column]:
        hidden = self.partner_hidden if is_partner(user) else frozenset()
        return [c for c in self.columns if c.key not in hidden]

    def batches(self, user: User, qs: QuerySet, size: int = BATCH) -> Iterator[list[dict]]:
        """The rows, ``size`` at a time: the ids in the list's order first, then each batch's
        records with what its columns need (a fixed number of queries per batch)."""
        pks = list(qs.values_list("pk", flat=True))
        for start in range(0, len(pks), size):
            chunk = pks[start : start + size]
            records = self.load(self.model.objects.filter(pk__in=chunk))
            yield self.rows(user, in_order(records, chunk))


class LeadsList(ListSpec):
    name, title, model = "leads", _("Leads"), Lead
    columns = (
        Column("receipt_code", _("Receipt code"), width=18),
        Column("received_on", _("Received on"), DATE, 12),
        Column("source", _("Source")),
        Column("category", _("Category")),
        Column("summary", _("Summary"), width=50),
        Column("claimants", _("Claimants"), INT, 10),
        Column("amount_claimed", _("Amount claimed"), MONEY),
        Column("status", _("Status"), width=10),
        Column("case", _("Case number"), width=24),
    )

    def form(self, data, user):
        return LeadFilterForm(data)

    def select(self, user, filters):
        qs = Lead.objects.visible_to(user).list_filter(**filters)
        return qs.order_by("-created_at", "-id")

    def load(self, qs):
        claimant = Q(parties__role=PartyRole.CLAIMANT)
        return qs.select_related("case").annotate(
            claimant_count=Count("parties", filter=claimant),
            claimed=Sum("parties__amount_claimed", filter=claimant),
        )

    def rows(self, user, records):
        # the case a lead became, only when the user may open that case (as on the list page)
        cases = {r.case_id for r in records if r.case_id}
        visible = set(
            Case.objects.visible_to(user).filter(pk__in=cases).values_list("pk", flat=True)
        )
        return [
            {
                "receipt_code": r.receipt_code,
                "received_on": r.received_on,
                "source": r.get_source_display(),
                "category": r.get_category_display(),
                "summary": r.summary,
                "claimants": r.claimant_count,
                "amount_claimed": r.claimed,
                "status": r.get_status_display(),
                "case": r.case.number if r.case_id in visible else "",
            }
            for r in records
        ]


class CasesList(ListSpec):
    name, title, model = "cases", _("Cases"), Case
    columns = (
        Column("number", _("Case number"), width=24),
        Column("opened_on", _("Opened on"), DATE, 12),
        Column("category", _("Category")),
        Column("summary", _("Summary"), width=50),
        Column("level", _("Level"), INT, 8),
        Column("stage", _("Stage")),
        Column("status", _("Status"), width=10),
        Column("amount_claimed", _("Amount claimed"), MONEY),
        Column("officer", _("Officer")),
        Column("flags", _("Flags"), width=24),
    )
    # who handles a case and the procuratorate's own grading stay inside it (C8)
    partner_hidden = frozenset({"officer", "flags"})

    def form(self, data, user):
        return CaseExportFilters(data, flags=not is_partner(user))

    def select(self, user, filters):
        qs = filter_case_list(Case.objects.visible_to(user), viewer=user, **filters)
        return qs.order_by("-opened_on", "-id")

    def load(self, qs):
        return qs.select_related("officer").annotate(
            claimed=Sum("parties__amount_claimed", filter=Q(parties__role=PartyRole.CLAIMANT))
        )

    def rows(self, user, records):
        return [
            {
                "number": row.case.number,
                "opened_on": row.case.opened_on,
                "category": row.case.get_category_display(),
                "summary": row.case.summary,
                "level": row.case.level,
                "stage": row.case.get_stage_display(),
                "status": row.case.get_status_display(),
                "amount_claimed": row.case.claimed,
                "officer": row.case.officer.display_name if row.case.officer else "",
                "flags": "、".join(str(b.label) for b in row.flag_badges),
            }
            for row in case_list_rows(user, records)
        ]


class TransfersList(ListSpec):
    name, title, model = "transfers", _("Transfers"), Transfer
    columns = (
        Column("number", _("Number"), width=22),
        Column("kind", _("Kind")),
        Column("subject", _("Subject"), width=28),
        Column("from", _("From"), width=28),
        Column("to", _("To"), width=28),
        Column("sent", _("Sent"), DATE, 12),
        Column("status", _("Status"), width=10),
        Column("due", _("Due"), DATE, 12),
        Column("overdue", _("Overdue"), width=12),
    )

    def form(self, data, user):
        return TransferExportFilters(data)

    def select(self, user, filters):
        box = filters.pop("box", "") or "inbox"
        of = Transfer.objects.inbox_of if box == "inbox" else Transfer.objects.outbox_of
        return of(user).box_filter(**filters).order_by("-sent_at", "-id")

    def load(self, qs):
        return qs.select_related(
            "from_org", "from_department", "to_org", "to_department", "case", "lead"
        )

    def rows(self, user, records):
        overdue = {"receipt": _("receipt overdue"), "answer": _("answer overdue")}
        return [
            {
                "number": t.number,
                "kind": t.get_kind_display(),
                "subject": (
                    f"{_('Case')} {t.case.number}"
                    if t.case_id
                    else f"{_('Lead')} {t.lead.receipt_code}"
                ),
                "from": t.sender_label,
                "to": t.receiver_label,
                "sent": t.sent_at,
                "status": t.get_status_display(),
                "due": t.next_due,
                "overdue": str(overdue.get(t.overdue, "")),
            }
            for t in records
        ]


class AssistanceList(ListSpec):
    name, title, model = "assistance", _("Judicial assistance register"), AssistanceApplication
    columns = (
        Column("case", _("Case number"), width=24),
        Column("applicant", _("Applicant")),
        Column("received_on", _("Received"), DATE, 12),
        Column("requested", _("Requested"), MONEY),
        Column("granted", _("Granted"), MONEY),
        Column("paid", _("Paid"), MONEY),
        Column("status", _("Status")),
        Column("next", _("Next deadline")),
        Column("next_due", _("Due"), DATE, 12),
    )

    def form(self, data, user):
        return AssistanceFilterForm(data)

    def select(self, user, filters):
        qs = AssistanceApplication.objects.visible_to(user).register_filter(**filters)
        return qs.order_by("-received_on", "-id")

    def load(self, qs):
        return qs.select_related("case", "applicant__party")

    def rows(self, user, records):
        cal, today = loaders.holiday_calendar(), timezone.localdate()
        rows = []
        for a in records:
            due = next_due(a, cal, today)
            rows.append(
                {
                    "case": a.case.number,
                    "applicant": a.applicant.party.name,
                    "received_on": a.received_on,
                    "requested": a.requested_amount,
                    "granted": a.granted_amount,
                    "paid": a.paid_amount,
                    "status": a.get_status_display(),
                    "next": str(due.label) if due else "",
                    "next_due": due.due if due else None,
                }
            )
        return rows


class SuggestionsList(ListSpec):
    name, title, model = "suggestions", _("Procuratorial suggestions register"), Suggestion
    columns = (
        Column("number", _("Number"), width=24),
        Column("case", _("Case number"), width=24),
        Column("recipient", _("Recipient"), width=28),
        Column("drafted", _("Drafted"), DATE, 12),
        Column("served", _("Served"), DATE, 12),
        Column("status", _("Status")),
        Column("reply_due", _("Reply due"), DATE, 12),
        Column("overdue", _("Reply overdue"), width=12),
    )

    def form(self, data, user):
        return SuggestionExportFilters(data)

    def select(self, user, filters):
        overdue = {"1": True, "0": False}.get(filters["overdue"])
        qs = Suggestion.objects.visible_to(user).register_filter(
            today=timezone.localdate(), status=filters["status"], overdue=overdue, q=filters["q"]
        )
        return qs.order_by("-drafted_at", "-id")

    def load(self, qs):
        return qs.select_related("case")

    def rows(self, user, records):
        return [
            {
                "number": s.number,
                "case": s.case.number,
                "recipient": s.to_org_name,
                "drafted": s.drafted_at,
                "served": s.served_on,
                "status": s.get_status_display(),
                "reply_due": s.reply_due,
                "overdue": str(_("reply overdue")) if s.overdue else "",
            }
            for s in records
        ]


class EmployersList(ListSpec):
    name, title = "employers", _("Employers")
    columns = (
        Column("name", _("Employer"), width=36),
        Column("credit_code", _("Unified social credit code"), width=22),
        Column("cases", _("Your cases"), INT, 10),
    )

    def form(self, data, user):
        return EmployerSearchForm(data)

    def select(self, user, filters):
        # without a search, every employer named in the user's cases (the page asks for one
        # first only to keep its screen short)
        return employer_rows(user, filters["q"])

    def rows(self, user, records):
        return [
            {
                "name": e["name"],
                # identifiers only masked, as on the page (a 92… code can be a person's, ID-3)
                "credit_code": e["credit_code_masked"],
                "cases": e["cases"],
            }
            for e in present_employers(records)
        ]

    def batches(self, user, qs, size=BATCH):
        # the rows are the search's own values (one per employer), not records to load by id
        records = list(qs)
        for start in range(0, len(records), size):
            yield self.rows(user, records[start : start + size])


LISTS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (
        LeadsList(),
        CasesList(),
        TransfersList(),
        AssistanceList(),
        SuggestionsList(),
        EmployersList(),
    )
}


def spec_for(list_name: str) -> ListSpec:
    """The list by its name in the address; 404 for a list that does not export."""
    spec = LISTS.get(list_name)
    if spec is None:
        raise Http404
    return spec


def filter_names(spec: ListSpec, user: User) -> list[str]:
    return list(spec.form(None, user).fields)


def read_filters(spec: ListSpec, user: User, data) -> tuple[dict, dict]:
    """The list's filters read from ``data`` (a QueryDict, or {name: [values]}) through the list
    page's own form: (the cleaned values, the raw values kept to apply them again later).
    Parameters the list does not have (``page``…) are ignored, as on the page."""
    names = filter_names(spec, user)
    raw: dict[str, list[str]] = {}
    for name in names:
        values = data.getlist(name) if hasattr(data, "getlist") else list(data.get(name) or [])
        values = [v for v in values if v not in ("", None)]
        if values:
            raw[name] = [str(v) for v in values]
    bound = QueryDict(mutable=True)
    for name, values in raw.items():
        bound.setlist(name, values)
    form = spec.form(bound, user)
    if not form.is_valid():
        raise InvalidInput(
            [
                FieldError(field if field != "__all__" else "", error.code or "invalid", message)
                for field, errors in form.errors.as_data().items()
                for error in errors
                for message in error.messages
            ],
            detail=str(_("A filter of the list is not valid; nothing was exported.")),
        )
    return dict(form.cleaned_data), raw


def select(spec: ListSpec, user: User, data) -> tuple[QuerySet, dict]:
    """The rows ``user`` sees on the list with the filters in ``data``, and the raw filters."""
    filters, raw = read_filters(spec, user, data)
    return spec.select(user, filters), raw


# --- the writer ----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return _ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT]


def _cell(ws, column: Column, value: Any):
    from openpyxl.cell import WriteOnlyCell  # heavy, needed only while a file is written

    if value is None or value == "":
        return None
    if column.kind == NUMBER and not isinstance(value, Decimal):
        return value
    if column.kind in (MONEY, NUMBER):
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = "0.00"
        return cell
    if column.kind == DATE:
        if isinstance(value, datetime):
            value = timezone.localdate(value)  # Excel keeps no time zone: the local day
        cell = WriteOnlyCell(ws, value=value if isinstance(value, date) else _text(value))
        cell.number_format = "yyyy-mm-dd"
        return cell
    if column.kind == INT and isinstance(value, int):
        return value
    text = _text(value)
    return _text_cell(ws, text) if text.startswith(FORMULA_START) else text


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet never takes for a formula: a text that starts with = + - @ (OWASP's
    list, ``FORMULA_START``) gets the quote prefix the Excel cells get, and is shown as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _text_cell(ws, text: str):
    """A cell of text, never a formula: a text that starts with = + - @ gets a string cell with
    Excel's quote prefix, as when someone types '=… (the prefix keeps it text when edited)."""
    from openpyxl.cell import WriteOnlyCell  # heavy, needed only while a file is written

    cell = WriteOnlyCell(ws, value=text)
    if text.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def sheet_title(title: Any) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def write_sheets(
    out: IO[bytes],
    sheets: Iterable[tuple[Any, list[Column], Iterable[list[dict]]]],
    *,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write ``(title, columns, batches of rows)`` sheets to ``out`` as an XLSX file, each with
    its header row frozen, in the active language; returns how many rows were written.
    ``on_rows(done)`` is told after each batch (the progress bar)."""
    from openpyxl import Workbook  # heavy, needed only while a file is written
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    done = 0
    for title, columns, batches in sheets:
        ws = wb.create_sheet(title=sheet_title(title))
        ws.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in columns:
            # a header can be user-supplied text (an imported list's own headers): escaped too
            cell = _text_cell(ws, _text(column.label))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for rows in batches:
            for row in rows:
                ws.append([_cell(ws, column, row.get(column.key)) for column in columns])
            done += len(rows)
            if on_rows is not None:
                on_rows(done)
    wb.save(out)
    return done


def write_xlsx(
    spec: ListSpec,
    user: User,
    qs: QuerySet,
    out: IO[bytes],
    *,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write the list's rows to ``out`` as an XLSX file (one sheet); returns how many rows were
    written."""
    return write_sheets(
        out, [(spec.title, spec.columns_for(user), spec.batches(user, qs))], on_rows=on_rows
    )


def file_name(spec: ListSpec, on: date | None = None) -> str:
    """The file's name: the list's title in the active language and the day it was asked for
    (today by default)."""
    return f"{spec.title}-{(on or timezone.localdate()).isoformat()}.xlsx"
