"""The auditor's console (rules R5 and R7, docs/audit.md "The auditor's console"): the trail with
its filters and keyset pages, a record's whole history, the chain verification from the page (intact,
altered, cut), the CSV and Excel exports (every formula escaped, capped), 422 at the field for a
bad filter, and every reading of the trail audited itself.

Selectors are ids and data attributes, never translated text.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.audit.tampering import raw
from zhichi.audit import context
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record
from zhichi.consoles import audit_trail

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

FORMULA = "=cmd()"


def shown(response) -> list[int]:
    """The entry ids a trail or history page lists, in the page's order."""
    html = response.content.decode()
    assert response.status_code in (200, 422), html[:500]
    table = re.search(r'<table[^>]*id="audit-entries".*?</table>', html, re.S)
    return [int(i) for i in re.findall(r'<tr data-entry="(\d+)"', table.group(0))] if table else []


def at_ip(ip: str, **kwargs) -> AuditEntry:
    token = context.bind(context.RequestContext(ip=ip))
    try:
        return record(**kwargs)
    finally:
        context.unbind(token)


@pytest.fixture
def auditor(web):
    """The auditor's signed-in client. Signing in is an entry too (auth.login): made first, it is
    the oldest entry of every test's trail."""
    return web("auditor")


def count_of(response) -> tuple[int, bool]:
    """The number a trail or history page states, and whether it says "more than"."""
    found = re.search(
        r'id="audit-count" data-count="(\d+)" data-more="(\w+)"', response.content.decode()
    )
    return int(found.group(1)), found.group(2) == "true"


@pytest.fixture
def trail(users, fixed_clock, auditor) -> dict[str, AuditEntry]:
    """Entries of several people, actions, outcomes, objects and addresses, an hour apart (the
    first at TEST_START - 10 h), after the auditor's sign-in; the clock is left where it started."""
    start = timezone.now()
    fixed_clock.move_to(start - timedelta(hours=10))
    made = {}

    def add(name, **kwargs):
        made[name] = at_ip(kwargs.pop("ip", "192.0.2.10"), **kwargs)
        fixed_clock.shift(timedelta(hours=1))

    add("open", action="case.open", actor=users["civil1"], object_type="cases.case", object_id=7)
    add(
        "pay",
        action="case.payment",
        actor=users["civil1"],
        object_type="cases.case",
        object_id=7,
        detail={"amount": "1200.00", "via": "page"},
    )
    add(
        "accept",
        action="lead.accept",
        actor=users["criminal1"],
        object_type="intake.lead",
        object_id=7,
    )
    add(
        "unmask",
        action="case.unmask",
        actor=users["hrss1"],
        object_type="cases.case",
        object_id=7,
        outcome="denied",
        ip="198.51.100.2",
    )
    add(
        "login",
        action="auth.login",
        username="ghost",
        outcome="failed",
        detail={"reason": "password"},
        ip="198.51.100.2",
    )
    add("other", action="case.open", actor=users["civil2"], object_type="cases.case", object_id=8)
    fixed_clock.move_to(start)
    return made


def ids(trail: dict, *names: str) -> list[int]:
    """The named entries' ids, newest first (as the list shows them)."""
    return sorted((trail[n].pk for n in names), reverse=True)


# --- the list and its filters ---------------------------------------------------------------------


def test_the_trail_lists_every_column_newest_first_with_the_detail_as_key_and_value(trail, auditor):
    r = auditor.get("/audit/")

    assert r.status_code == 200
    signed_in = AuditEntry.objects.get(action="auth.login", username="auditor")
    assert shown(r) == [*ids(trail, *trail), signed_in.pk]
    html = r.content.decode()
    row = re.search(rf'<tr data-entry="{trail["pay"].pk}".*?</tr>', html, re.S).group(0)
    for text in ("civil1", "WHPROC", "192.0.2.10", "case.payment", "cases.case 7"):
        assert text in row
    assert re.search(r"<dt[^>]*>amount</dt>: <dd[^>]*>1200.00</dd>", row)
    assert re.search(r"<dt[^>]*>via</dt>: <dd[^>]*>page</dd>", row)
    assert 'href="/audit/object/cases.case/7/"' in row  # the record's whole history
    time = timezone.localtime(trail["pay"].at).strftime("%Y-%m-%d %H:%M:%S")
    assert time in row
    assert count_of(r) == (7, False)  # the chain head's count, unfiltered


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "civil1"}, ["open", "pay"]),
        ({"user": "ghost"}, ["login"]),
        ({"action": "case."}, ["open", "pay", "unmask", "other"]),
        ({"action": "case.pay"}, ["pay"]),
        ({"action": "CASE."}, []),  # an action's beginning, as written
        ({"action": "lead.accept"}, ["accept"]),
        ({"outcome": "denied"}, ["unmask"]),
        ({"outcome": "failed"}, ["login"]),
        ({"object_type": "cases.case"}, ["open", "pay", "unmask", "other"]),
        ({"object_type": "cases.case", "object_id": "7"}, ["open", "pay", "unmask"]),
        ({"object_id": "7"}, ["open", "pay", "accept", "unmask"]),
        ({"ip": "198.51.100.2"}, ["unmask", "login"]),
        ({"user": "civil1", "action": "case.open"}, ["open"]),
        ({"user": "nobody"}, []),
    ],
    ids=str,
)
def test_each_filter_narrows_the_trail(trail, auditor, query, expected):
    r = auditor.get("/audit/", query)

    assert r.status_code == 200
    assert shown(r) == ids(trail, *expected)
    assert count_of(r) == (len(expected), False)


def test_the_time_filters_take_both_ends_in_the_local_time_zone(trail, auditor):
    def local(entry, minutes=0):
        return (timezone.localtime(entry.at) + timedelta(minutes=minutes)).strftime(
            "%Y-%m-%dT%H:%M"
        )

    since = auditor.get("/audit/", {"date_from": local(trail["unmask"], -1), "action": "case."})
    until = auditor.get("/audit/", {"date_to": local(trail["accept"], 1)})
    window = auditor.get(
        "/audit/", {"date_from": local(trail["pay"], -1), "date_to": local(trail["unmask"], 1)}
    )

    assert shown(since) == ids(trail, "unmask", "other")
    assert shown(until) == ids(trail, "open", "pay", "accept")
    assert shown(window) == ids(trail, "pay", "accept", "unmask")


def test_a_filter_matching_nothing_has_an_empty_state_that_clears_it(trail, auditor):
    nothing = auditor.get("/audit/", {"user": "nobody"})

    html = nothing.content.decode()
    assert shown(nothing) == [] and 'class="empty-state"' in html
    assert re.search(r'class="empty-state".*href="/audit/"', html, re.S)
    assert 'id="export-csv"' not in html


def test_the_trail_pages_by_25_with_keyset_links_both_ways(users, auditor):
    entries = [record(action="test.write", actor=users["civil1"], object_id=i) for i in range(60)]
    newest_first = [e.pk for e in reversed(entries)]

    first = auditor.get("/audit/", {"action": "test."})
    html = first.content.decode()
    after = re.search(r'id="page-after" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    second = auditor.get("/audit/" + after)
    after = re.search(r'id="page-after" href="([^"]+)"', second.content.decode()).group(1)
    third = auditor.get("/audit/" + after.replace("&amp;", "&"))
    before = re.search(r'id="page-before" href="([^"]+)"', third.content.decode()).group(1)
    back = auditor.get("/audit/" + before.replace("&amp;", "&"))

    assert 'id="page-before"' not in html  # the first page has nothing newer
    assert shown(first) == newest_first[:25]
    assert shown(second) == newest_first[25:50]
    assert shown(third) == newest_first[50:]
    assert 'id="page-after"' not in third.content.decode()
    assert shown(back) == newest_first[25:50]
    assert "action=test." in after  # the filters stay in the links
    assert count_of(first) == (60, False)


def test_a_count_beyond_the_cap_says_more_than_and_that_an_export_is_cut(
    users, auditor, monkeypatch
):
    monkeypatch.setattr(audit_trail, "COUNT_CAP", 5)
    monkeypatch.setattr(audit_trail, "EXPORT_CAPS", {"csv": 5, "xlsx": 3})
    for i in range(7):
        record(action="test.write", actor=users["civil1"], object_id=i)

    r = auditor.get("/audit/", {"action": "test."})

    html = r.content.decode()
    assert count_of(r) == (5, True)  # "more than 5 entries"
    assert 'id="export-capped"' in html
    assert len(shown(r)) == 7


# --- a record's whole history --------------------------------------------------------------------


def test_a_records_history_lists_every_entry_naming_it_oldest_first(trail, auditor):

    case7 = auditor.get("/audit/object/cases.case/7/")
    lead7 = auditor.get("/audit/object/intake.lead/7/")
    missing = auditor.get("/audit/object/cases.case/999/")

    assert case7.status_code == 200
    assert shown(case7) == sorted(ids(trail, "open", "pay", "unmask"))
    assert shown(lead7) == [trail["accept"].pk]
    assert missing.status_code == 200 and shown(missing) == []
    assert 'class="empty-state"' in missing.content.decode()


def test_a_long_history_pages_oldest_first(users, auditor):
    entries = [
        record(action="case.note", actor=users["civil1"], object_type="cases.case", object_id=3)
        for _ in range(30)
    ]

    first = auditor.get("/audit/object/cases.case/3/")
    after = re.search(r'id="page-after" href="([^"]+)"', first.content.decode()).group(1)
    second = auditor.get("/audit/object/cases.case/3/" + after.replace("&amp;", "&"))

    assert shown(first) == [e.pk for e in entries[:25]]
    assert shown(second) == [e.pk for e in entries[25:]]


def test_any_object_name_has_its_history_or_is_shown_without_a_link(users, auditor):
    odd = record(action="access.not_found", object_type="cases:case_detail", object_id="a/b c")
    unnamed = record(action="test.write", object_type="x/y", object_id="1")

    r = auditor.get("/audit/", {"action": "test.write"})
    page = auditor.get("/audit/", {"action": "access."}).content.decode()
    history = auditor.get("/audit/object/cases:case_detail/a/b%20c/")

    assert 'href="/audit/object/cases:case_detail/a/b%20c/"' in page
    assert shown(history) == [odd.pk]  # an id with a slash still has its history
    assert shown(r) == [unnamed.pk] and "/audit/object/" not in r.content.decode()


# --- verification ---------------------------------------------------------------------------------


def test_verification_of_an_intact_chain_says_so_with_the_count_and_the_time(trail, auditor):
    before = auditor.get("/audit/verify/")

    r = auditor.post("/audit/verify/")

    assert 'id="verify-last"' not in before.content.decode()
    assert 'id="verify-form"' in before.content.decode()
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-intact="true"' in html and 'id="verify-intact"' in html
    # the sign-in, six entries and the verification page's own reading
    assert re.search(r'id="verify-checked">8<', html)
    assert re.search(r'id="verify-seconds">[\d.,]+', html)
    entry = AuditEntry.objects.filter(action="audit.verify").get()
    assert (entry.username, entry.outcome) == ("auditor", "ok")
    assert entry.detail["intact"] is True and entry.detail["checked"] == 8
    assert entry.detail["problems"] == [] and entry.detail["seconds"] >= 0
    last = auditor.get("/audit/verify/").content.decode()
    assert 'id="verify-last" data-intact="true"' in last


def test_verification_names_the_first_altered_entry(trail, auditor):
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["99", trail["pay"].pk])

    r = auditor.post("/audit/verify/")

    html = r.content.decode()
    assert 'data-intact="false"' in html and 'id="verify-failed"' in html
    assert re.search(rf'id="verify-first-broken">{trail["pay"].pk}<', html)
    assert re.search(r'id="verify-checked">2<', html)  # the sign-in and "open" are sound
    assert f'data-code="chain_broken" data-entry="{trail["pay"].pk}"' in html
    entry = AuditEntry.objects.filter(action="audit.verify").get()
    assert entry.outcome == "failed"
    assert entry.detail["first_broken_id"] == trail["pay"].pk
    assert entry.detail["problems"][0] == "chain_broken"
    last = auditor.get("/audit/verify/").content.decode()
    assert 'id="verify-last" data-intact="false"' in last


def test_verification_reports_entries_cut_from_the_end(
    users, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entries = [record(action="test.write", actor=users["civil1"]) for _ in range(10)]
    raw("DELETE FROM audit_auditentry WHERE id > %s", [entries[5].pk])

    r = auditor.post("/audit/verify/")

    html = r.content.decode()
    assert 'data-intact="false"' in html
    codes = re.findall(r'data-code="(\w+)"', html)
    assert codes[0] == "checkpoint_truncation" and "head_count" in codes
    assert 'id="verify-first-broken"' not in html  # what is left is sound in itself


# --- exports --------------------------------------------------------------------------------------


@pytest.fixture
def formulas(users, auditor) -> list[AuditEntry]:
    """Text a spreadsheet would run: a user name, an object id and a detail value."""
    return [
        record(action="auth.login", username=FORMULA, outcome="failed"),
        record(action="case.open", actor=users["civil1"], object_type="cases.case", object_id="+1"),
        record(action="case.note", actor=users["civil1"], detail={"note": "@SUM(A1)", FORMULA: 1}),
    ]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_export_escapes_every_formula_and_is_a_private_download(formulas, auditor):
    r = auditor.get("/audit/export.csv")

    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith("attachment;")
    assert ".csv" in r["Content-Disposition"] and "newest" not in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff" and "no-store" in r["Cache-Control"]
    header, *rows = csv_rows(r)
    assert len(header) == 11 and len(rows) == 4  # the auditor's sign-in too
    by_id = {int(row[0]): row for row in rows}
    assert [int(row[0]) for row in rows] == sorted(by_id, reverse=True)
    assert by_id[formulas[0].pk][2] == "'" + FORMULA  # the user name, as text
    assert by_id[formulas[1].pk][8] == "'+1"  # the object id
    detail = by_id[formulas[2].pk][10]
    assert detail == '{"=cmd()": 1, "note": "@SUM(A1)"}'  # JSON: no cell starts with a formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_excel_export_keeps_every_formula_as_text(formulas, auditor):
    r = auditor.get("/audit/export.xlsx")

    assert r.status_code == 200
    assert (
        r["Content-Disposition"].startswith("attachment;") and ".xlsx" in r["Content-Disposition"]
    )
    assert r["X-Content-Type-Options"] == "nosniff" and "no-store" in r["Cache-Control"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c for c in cells if c.data_type == "f"]  # no formula anywhere
    user = next(c for c in cells if c.value == FORMULA)
    assert (user.data_type, user.quotePrefix) == ("s", True)
    object_id = next(c for c in cells if c.value == "+1")
    assert object_id.quotePrefix
    assert sheet.max_row == 5  # the header, the sign-in and the three


def test_an_export_takes_the_lists_filters_and_is_cut_at_the_cap_naming_it(
    trail, auditor, monkeypatch
):
    monkeypatch.setattr(audit_trail, "EXPORT_CAPS", {"csv": 2, "xlsx": 2})

    whole = auditor.get("/audit/export.csv", {"user": "civil1"})
    cut = auditor.get("/audit/export.csv", {"action": "case."})
    cut_xlsx = auditor.get("/audit/export.xlsx", {"action": "case."})

    assert [int(row[0]) for row in csv_rows(whole)[1:]] == ids(trail, "open", "pay")
    assert "newest" not in whole["Content-Disposition"]
    assert [int(row[0]) for row in csv_rows(cut)[1:]] == ids(trail, "other", "unmask")
    assert "-newest-2.csv" in cut["Content-Disposition"]
    assert load_workbook(io.BytesIO(cut_xlsx.content)).active.max_row == 3
    assert "-newest-2.xlsx" in cut_xlsx["Content-Disposition"]
    exports = AuditEntry.objects.filter(action="audit.export").order_by("id")
    assert [e.detail for e in exports] == [
        {"format": "csv", "filters": {"user": "civil1"}, "rows": 2, "capped": False},
        {"format": "csv", "filters": {"action": "case."}, "rows": 2, "capped": True},
        {"format": "xlsx", "filters": {"action": "case."}, "rows": 2, "capped": True},
    ]


# --- bad filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-12-04T10:00", "date_to": "2026-12-03T10:00"}, "date_to"),
        ({"ip": "300.1.2.3"}, "ip"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"outcome": "maybe"}, "outcome"),
    ],
    ids=str,
)
@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv", "/audit/export.xlsx"])
def test_a_bad_filter_is_shown_at_its_field_with_422_and_nothing_is_read(
    trail, auditor, query, field, path
):
    r = auditor.get(path, query)

    assert r.status_code == 422
    assert r["Content-Type"].startswith("text/html")  # no file
    html = r.content.decode()
    widget = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert "is-invalid" in widget and 'aria-invalid="true"' in widget
    error = re.search(rf'id="id_{field}".*?<div class="invalid-feedback d-block">', html, re.S)
    assert error and "<label" not in error.group(0)  # the error under its own field
    assert sum("is-invalid" in w for w in re.findall(r"<(?:input|select)[^>]*>", html)) == 1
    assert shown(r) == []
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == ("audit.view" if path == "/audit/" else "audit.export")
    assert (entry.outcome, entry.detail["fields"]) == ("failed", [field])


# --- reading the trail is audited -----------------------------------------------------------------


def test_every_reading_of_the_trail_is_itself_an_audit_entry(trail, auditor):
    before = AuditEntry.objects.count()

    auditor.get("/audit/", {"user": "civil1", "action": "case.", "outcome": "ok"})
    auditor.get("/audit/object/cases.case/7/")
    auditor.get("/audit/verify/")
    auditor.post("/audit/verify/")
    auditor.get("/audit/export.csv", {"ip": "198.51.100.2"})
    auditor.get("/audit/export.xlsx")

    new = list(AuditEntry.objects.filter(pk__gt=trail["other"].pk).order_by("id"))
    assert len(new) == 6 and AuditEntry.objects.count() == before + 6
    assert {(e.username, e.role, e.ip) for e in new} == {("auditor", "auditor", "127.0.0.1")}
    assert [e.action for e in new] == [
        "audit.view",
        "audit.view",
        "audit.view",
        "audit.verify",
        "audit.export",
        "audit.export",
    ]
    assert new[0].detail == {
        "page": "trail",
        "filters": {"user": "civil1", "action": "case.", "outcome": "ok"},
        "shown": 2,
    }
    assert new[1].detail == {
        "page": "history",
        "object_type": "cases.case",
        "object_id": "7",
        "shown": 3,
    }
    assert new[2].detail == {"page": "verify"}
    assert new[4].detail["filters"] == {"ip": "198.51.100.2"} and new[4].detail["rows"] == 2
    assert new[5].detail["format"] == "xlsx"


def test_the_auditors_own_readings_show_in_the_trail_it_reads(trail, auditor):
    auditor.get("/audit/", {"user": "civil1"})

    mine = auditor.get("/audit/", {"user": "auditor", "action": "audit."})

    assert len(shown(mine)) == 1
    assert AuditEntry.objects.get(pk=shown(mine)[0]).detail["filters"] == {"user": "civil1"}
