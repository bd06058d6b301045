"""Reading the audit trail for the auditor's console (rule R7): the filters, one page of entries,
a record's history, a bounded count, the rows and the cells of an export, and the last
verification. Pure reads; the pages audit each reading themselves.

The trail may hold millions of rows, so nothing here reads it whole:

- every filter is answered from an index (``AuditEntry.Meta.indexes``): the user name, the IP
  address and the outcome with the id (newest first straight from the index), the action's
  beginning from the action's index, the time from ``at``'s, an object from ``(object_type,
  object_id)`` or ``object_id``'s;
- pages are keyset pages (``after`` / ``before`` an entry's id), so the 4,000th page costs what
  the first does;
- the number of entries is counted up to ``COUNT_CAP`` and no further ("more than 100,000");
  the whole trail's number is the chain head's, which every entry keeps up to date.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Role
from zhichi.audit.models import AuditChainHead, AuditEntry, Outcome
from zhichi.common import pagination
from zhichi.stats.exports import INT, TEXT, Column, csv_cell

PAGE_SIZE = 25
# Entries in one export file, the newest first. The CSV file is streamed (100,000 entries in
# about 8 s); the Excel file is built whole before it is sent, about 3 s per 10,000 entries, so
# it holds fewer and stays well inside a request's time.
EXPORT_CAPS = {"csv": 100_000, "xlsx": 20_000}
COUNT_CAP = max(EXPORT_CAPS.values())  # a list counts this far: enough to say an export is cut
EXPORT_BATCH = 1000  # entries read per query while an export is written
VERIFY_ACTION = "audit.verify"


# --- the filters ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrailFilters:
    """The list's filters as the filter form cleaned them; empty ones filter nothing."""

    user: str = ""
    action: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None
    outcome: str = ""
    object_type: str = ""
    object_id: str = ""
    ip: str | None = None

    @classmethod
    def from_form(cls, cleaned: dict) -> TrailFilters:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in cleaned.items() if k in names and v not in ("", None)})

    def described(self) -> dict[str, str]:
        """The filters given, as the audit row of a reading keeps them (times in ISO 8601)."""
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in ("", None):
                continue
            out[name] = value.isoformat() if isinstance(value, datetime) else str(value)
        return out

    @property
    def given(self) -> bool:
        return bool(self.described())


def _next_prefix(prefix: str) -> str | None:
    """The smallest text after every text that starts with ``prefix`` (None past U+10FFFF)."""
    last = ord(prefix[-1])
    return prefix[:-1] + chr(last + 1) if last < 0x10FFFF else None


def _action_starts_with(qs: QuerySet, prefix: str) -> QuerySet:
    """Entries whose action starts with ``prefix``, case-sensitively, from the action's index.
    PostgreSQL answers ``LIKE 'prefix%'`` from the index Django adds beside it (pattern ops), in
    any collation. SQLite's LIKE ignores case and reads no index unless told so: the same prefix
    as a range, in its binary order, is both exact and indexed there."""
    qs = qs.filter(action__startswith=prefix)
    upper = _next_prefix(prefix)
    if connection.vendor == "sqlite" and upper is not None:
        qs = qs.filter(action__gte=prefix, action__lt=upper)
    return qs


def filter_trail(filters: TrailFilters) -> QuerySet[AuditEntry]:
    """The entries matching every filter given (no order: the page or the export orders)."""
    qs = AuditEntry.objects.all()
    if filters.user:
        qs = qs.filter(username=filters.user)
    if filters.action:
        qs = _action_starts_with(qs, filters.action)
    if filters.date_from:
        qs = qs.filter(at__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(at__lte=filters.date_to)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.ip:
        qs = qs.filter(ip=filters.ip)
    return qs


def object_history(object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    """Every entry naming the record (its type and id), from the ``(object_type, object_id)``
    index."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id)


# --- counting and pages --------------------------------------------------------------------------
def count_entries(qs: QuerySet, filters: TrailFilters) -> pagination.Tally:
    """The list's count: the whole trail's from the chain head when nothing is filtered (every
    entry keeps it; ``verify_audit`` checks it against the rows), else counted up to ``COUNT_CAP``."""
    if not filters.given:
        head = AuditChainHead.objects.filter(pk=1).values_list("count", flat=True).first()
        if head is not None:
            return pagination.Tally(head)
    return pagination.tally(qs, COUNT_CAP)


@dataclass(frozen=True)
class KeysetPage:
    """One page of entries in the listing's order, and the cursors of the pages around it: the
    entry id to ask for ``before`` (the previous page) and ``after`` (the next one), or None."""

    entries: list[AuditEntry]
    before: int | None
    after: int | None


def keyset_page(
    qs: QuerySet,
    *,
    newest_first: bool,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page of ``qs`` just after the entry ``after`` in the listing's order (the first page
    without one), or just before the entry ``before``. Each is one indexed query of size + 1 rows
    and one existence check."""
    forward, backward = ("id__lt", "id__gt") if newest_first else ("id__gt", "id__lt")
    forward_order, backward_order = ("-id", "id") if newest_first else ("id", "-id")
    if before is not None:
        fetched = list(qs.filter(**{backward: before}).order_by(backward_order)[: size + 1])
        entries = fetched[:size][::-1]
        earlier = entries[0].pk if len(fetched) > size else None
        later = (
            entries[-1].pk if entries and qs.filter(**{forward: entries[-1].pk}).exists() else None
        )
        return KeysetPage(entries, earlier, later)
    base = qs.filter(**{forward: after}) if after is not None else qs
    fetched = list(base.order_by(forward_order)[: size + 1])
    entries = fetched[:size]
    later = entries[-1].pk if len(fetched) > size else None
    earlier = None
    if after is not None and entries and qs.filter(**{backward: entries[0].pk}).exists():
        earlier = entries[0].pk
    return KeysetPage(entries, earlier, later)


# --- what a page shows of an entry ---------------------------------------------------------------
ROLE_LABELS = dict(Role.choices)
OUTCOME_LABELS = dict(Outcome.choices)


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def detail_pairs(detail: Any) -> list[tuple[str, str]]:
    """An entry's detail as (key, value) texts; a value that is a list or an object as JSON."""
    if isinstance(detail, dict):
        return [(str(key), _value_text(value)) for key, value in detail.items()]
    if detail in (None, "", [], {}):
        return []
    return [("", _value_text(detail))]


@dataclass(frozen=True)
class EntryRow:
    id: int
    at: datetime
    username: str
    organisation: str
    role: str
    role_label: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    outcome: str
    outcome_label: str
    detail: list[tuple[str, str]]
    history_url: str | None  # the page of every entry naming the same object


def history_url(object_type: str, object_id: str) -> str | None:
    """The address of a record's history; None for an entry that names no object, or one whose
    name no address can carry."""
    if not (object_type and object_id) or "/" in object_type:
        # a type with a slash would read back as another type and id
        return None
    try:
        return reverse("audit_console:history", args=[object_type, object_id])
    except NoReverseMatch:
        return None


def entry_rows(entries: Iterable[AuditEntry]) -> list[EntryRow]:
    return [
        EntryRow(
            id=e.pk,
            at=e.at,
            username=e.username,
            organisation=e.organisation,
            role=e.role,
            role_label=str(ROLE_LABELS.get(e.role, e.role)),
            ip=e.ip,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            outcome=e.outcome,
            outcome_label=str(OUTCOME_LABELS.get(e.outcome, e.outcome)),
            detail=detail_pairs(e.detail),
            history_url=history_url(e.object_type, e.object_id),
        )
        for e in entries
    ]


# --- exports -------------------------------------------------------------------------------------
# The values as the trail stores them (codes, not words: what the chain's hashes cover), the time
# in the instance's time zone with its offset.
EXPORT_COLUMNS = (
    Column("id", _("Entry"), INT, 10),
    Column("at", _("Time"), TEXT, 26),
    Column("username", _("User"), TEXT, 16),
    Column("organisation", _("Organisation"), TEXT, 14),
    Column("role", _("Role"), TEXT, 12),
    Column("ip", _("IP address"), TEXT, 16),
    Column("action", _("Action"), TEXT, 24),
    Column("object_type", _("Object type"), TEXT, 18),
    Column("object_id", _("Object id"), TEXT, 12),
    Column("outcome", _("Outcome"), TEXT, 10),
    Column("detail", _("Detail"), TEXT, 60),
)


def newest_id() -> int:
    """The newest entry's id (0 for an empty trail): an export reads up to it, so its count and
    its rows are of one moment, whatever is written meanwhile (entries never change)."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


EXPORT_FIELDS = tuple(column.key for column in EXPORT_COLUMNS)


def _export_rows(values: list[tuple], tz) -> list[dict[str, Any]]:
    rows = []
    for row in values:
        entry = dict(zip(EXPORT_FIELDS, row, strict=True))
        entry["at"] = entry["at"].astimezone(tz).isoformat(timespec="seconds")
        entry["ip"] = entry["ip"] or ""
        detail = entry["detail"]
        entry["detail"] = (
            json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else ""
        )
        rows.append(entry)
    return rows


def export_batches(
    qs: QuerySet, *, cap: int, size: int = EXPORT_BATCH
) -> Iterator[list[dict[str, Any]]]:
    """The newest ``cap`` entries of ``qs``, newest first, ``size`` at a time, as the export's
    rows (by column key): each batch one indexed query after the last id of the batch before,
    read as values, not as model instances (bounded memory, and 100,000 rows in seconds)."""
    tz = timezone.get_current_timezone()
    left, last = cap, None
    while left > 0:
        page = qs.filter(id__lt=last) if last is not None else qs
        chunk = list(page.order_by("-id").values_list(*EXPORT_FIELDS)[: min(size, left)])
        if not chunk:
            return
        yield _export_rows(chunk, tz)
        left -= len(chunk)
        last = chunk[-1][0]


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(columns: Iterable[Column], batches: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The CSV file, a batch of lines at a time: UTF-8 with a byte order mark (so Excel reads the
    Chinese as such), every cell quoted and escaped by ``csv_cell``. The header is put into words
    now, in the reader's language, not when the stream is read."""
    columns = list(columns)
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    header = "\ufeff" + writer.writerow([csv_cell(column.label) for column in columns])

    def lines() -> Iterator[str]:
        yield header
        for rows in batches:
            yield "".join(
                writer.writerow([csv_cell(row.get(column.key)) for column in columns])
                for row in rows
            )

    return lines()


# --- the last verification -----------------------------------------------------------------------
def last_verification() -> AuditEntry | None:
    """The newest run of the chain verification from the console (its audit row: who, when, and
    what it found), refusals left out."""
    return (
        AuditEntry.objects.filter(action=VERIFY_ACTION)
        .exclude(outcome=Outcome.DENIED)
        .order_by("-id")
        .first()
    )
