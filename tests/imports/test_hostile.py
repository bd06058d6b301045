"""Hostile lists are refused by their content (rule R11): 422 at ``file`` with the reason's code,
nothing kept (no import, no stored file) and the refusal audited (``import.upload``, denied), the
same through the service and the API. The error report goes out as an attachment that is never
sniffed or cached, and a rejected cell that a spreadsheet could run as a formula is written as
text."""

from __future__ import annotations

import functools
import io

import pytest
from django.test import Client

from tests.evidence import samples
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput
from zhichi.imports import services
from zhichi.imports.models import ImportJob

from . import corpus
from .conftest import counts, stored_files

pytestmark = pytest.mark.integration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _wide() -> bytes:
    header = corpus.HEADER + [f"备注{i}" for i in range(100)]
    return corpus.xlsx(corpus.clean_rows(1), header=header)


def _macro() -> bytes:
    return corpus.xlsx_with({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})


def _absolute_member() -> bytes:
    return corpus.xlsx_with({"/etc/passwd": "root:x:0:0"})


def _utf16() -> bytes:
    return corpus.csv_bytes(corpus.clean_rows(2), encoding="utf-16")


def _no_header() -> bytes:
    rows = [["甲", "乙", "丙"], [1, 2, 3], ["张三", "530102198503120011", 1200]]
    return corpus.book([("Sheet1", rows, "visible")])


def _csv_no_header() -> bytes:
    return "张三,530102198503120011,某公司,1200\n李四,530102198503120020,某公司,800\n".encode()


# (label, file name, bytes, the refusal's code)
HOSTILE = [
    ("empty", "名单.xlsx", lambda: b"", "empty"),
    ("pdf-named-xlsx", "名单.xlsx", lambda: samples.PDF, "type"),
    ("png-named-xlsx", "名单.xlsx", samples.png, "type"),
    ("jpeg-named-csv", "名单.csv", lambda: samples.JPEG, "type"),
    ("html-named-csv", "名单.csv", lambda: corpus.HTML, "active_content"),
    ("svg-named-xlsx", "名单.xlsx", lambda: corpus.SVG, "active_content"),
    ("svg-named-csv", "名单.csv", lambda: corpus.SVG, "active_content"),
    ("polyglot-pdf-html", "名单.xlsx", lambda: corpus.POLYGLOT, "active_content"),
    ("exe-named-xlsx", "名单.xlsx", lambda: b"MZ\x90\x00" + b"\x00" * 256, "executable"),
    ("script-named-csv", "名单.csv", lambda: b"#!/bin/sh\nrm -rf /\n", "executable"),
    ("zip-bomb", "名单.xlsx", corpus.zip_bomb, "zip_bomb"),
    ("xxe", "名单.xlsx", corpus.xxe, "xml_entities"),
    ("docx-renamed", "名单.xlsx", corpus.docx, "type"),
    ("plain-zip", "名单.xlsx", corpus.plain_zip, "type"),
    ("path-traversal-member", "名单.xlsx", corpus.traversal, "archive"),
    ("traversal-inside-xl", "名单.xlsx", lambda: corpus.traversal("xl/../../evil.xml"), "archive"),
    ("backslash-member", "名单.xlsx", lambda: corpus.traversal("..\\..\\evil.xml"), "archive"),
    ("drive-member", "名单.xlsx", lambda: corpus.traversal("C:/evil.xml"), "archive"),
    ("absolute-member", "名单.xlsx", _absolute_member, "archive"),
    ("macro", "名单.xlsx", _macro, "macro"),
    ("doc-named-xls", "名单.xls", lambda: samples.DOC, "type"),
    ("utf16-text", "名单.csv", _utf16, "encoding"),
    (
        "latin1-text",
        "名单.csv",
        lambda: "Müller,530102198503120011\n".encode("latin-1") + b"\xff\xfe\x80",
        "encoding",
    ),
    ("no-header", "名单.xlsx", _no_header, "no_header"),
    ("csv-no-header", "名单.csv", _csv_no_header, "no_header"),
    ("too-many-columns", "名单.xlsx", _wide, "too_many_columns"),
    ("elf-named-csv", "名单.csv", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 120, "executable"),
    (
        "wasm-named-xlsx",
        "名单.xlsx",
        lambda: b"\x00asm\x01\x00\x00\x00" + b"\x00" * 64,
        "executable",
    ),
    (
        "xls-with-a-vba-project",
        "名单.xls",
        lambda: corpus._compound_file(b"\x00" * 512, name="_VBA_PROJECT_CUR"),
        "macro",
    ),
    (
        "xls-with-a-packaged-program",
        "名单.xls",
        lambda: corpus._compound_file(b"MZ" + b"\x00" * 510, name="\x01Ole10Native"),
        "macro",
    ),
    (
        "password-protected-workbook",
        "名单.xlsx",
        lambda: corpus._compound_file(b"\x00" * 512, name="EncryptedPackage"),
        "archive",
    ),
]
CASES = [pytest.param(name, make, code, id=label) for label, name, make, code in HOSTILE]


@functools.cache
def content(make) -> bytes:
    return make()


def refused_upload(user, data: bytes, name: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        services.upload_import(actor=user, upload=corpus.upload(data, name))
    return [(e.field, e.code) for e in caught.value.errors]


def api_upload(api, username: str, data: bytes, name: str, **fields):
    client = api(username)
    body = {"file": corpus.upload(data, name), **fields}
    return client.client.post("/api/v1/imports", body, headers=client._headers(None))


def assert_nothing_kept(store, *, user: str, name: str, code: str) -> None:
    assert ImportJob.objects.count() == 0
    assert stored_files(store) == []
    entry = AuditEntry.objects.filter(action="import.upload").order_by("-id").first()
    assert (entry.username, entry.outcome) == (user, "denied")
    assert entry.detail == {"file": name, "reasons": [f"file:{code}"]}


@pytest.mark.parametrize(("name", "make", "code"), CASES)
def test_r11_hostile_file_is_refused_by_the_service_and_nothing_kept(
    users, import_store, name, make, code
):
    assert refused_upload(users["civil1"], content(make), name) == [("file", code)]
    assert_nothing_kept(import_store, user="civil1", name=name, code=code)


@pytest.mark.parametrize(("name", "make", "code"), CASES)
def test_r11_hostile_file_is_refused_by_the_api_at_file(users, api, import_store, name, make, code):
    r = api_upload(api, "hrss1", content(make), name)

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", code)]
    assert_nothing_kept(import_store, user="hrss1", name=name, code=code)


def test_r11_hostile_file_is_refused_by_the_upload_page(users, web, import_store):
    r = web("civil1").post("/imports/upload/", {"file": corpus.upload(corpus.xxe(), "名单.xlsx")})

    assert r.status_code == 422
    assert "import-upload" in r.content.decode()
    assert_nothing_kept(import_store, user="civil1", name="名单.xlsx", code="xml_entities")


def test_file_over_the_import_size_limit_is_refused_as_too_large(
    users, api, import_store, settings
):
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_MAX_BYTES": 2048}
    data = corpus.xlsx(corpus.clean_rows(20))
    assert len(data) > 2048

    assert refused_upload(users["civil1"], data, "名单.xlsx") == [("file", "too_large")]
    r = api_upload(api, "civil1", data, "名单.xlsx")
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", "too_large")]
    assert_nothing_kept(import_store, user="civil1", name="名单.xlsx", code="too_large")


def test_a_list_within_the_import_size_limit_is_taken(users, import_store, settings):
    data = corpus.xlsx(corpus.clean_rows(2))
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_MAX_BYTES": len(data)}

    job = services.upload_import(actor=users["civil1"], upload=corpus.upload(data))

    assert job.file_size == len(data)
    assert len(stored_files(import_store)) == 1


def test_csv_over_the_row_limit_is_refused_as_too_many_rows(users, api, import_store, settings):
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_MAX_ROWS": 10}
    data = corpus.csv_bytes([corpus.worker(n) for n in range(1, 51)])

    assert refused_upload(users["civil1"], data, "名单.csv") == [("file", "too_many_rows")]
    r = api_upload(api, "civil1", data, "名单.csv")
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", "too_many_rows")]
    assert_nothing_kept(import_store, user="civil1", name="名单.csv", code="too_many_rows")


@pytest.mark.parametrize(("workers", "taken"), [(10, True), (11, False)])
def test_the_row_limit_counts_the_workers_rows(users, import_store, settings, workers, taken):
    """IMPORT_MAX_ROWS rows are taken, one more is not ("more than N rows")."""
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_MAX_ROWS": 10}
    data = corpus.xlsx([corpus.worker(n) for n in range(1, workers + 1)])

    if taken:
        assert services.upload_import(actor=users["civil1"], upload=corpus.upload(data)).pk
    else:
        assert refused_upload(users["civil1"], data, "名单.xlsx") == [("file", "too_many_rows")]


def test_a_user_who_may_not_import_is_refused_before_the_file_is_read(users, api, import_store):
    r = api_upload(api, "registrar1", corpus.xxe(), "名单.xlsx")

    assert r.status_code == 403
    assert ImportJob.objects.count() == 0
    entry = AuditEntry.objects.filter(action="import.upload").order_by("-id").first()
    assert (entry.username, entry.outcome, entry.detail) == ("registrar1", "denied", {})


# --- the error report ------------------------------------------------------------------------------
FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil.example","点")']


def _rejected_rows_with_formulas() -> bytes:
    """Rows rejected for a wrong ID number whose other cells begin like formulas, kept as text
    cells in the uploaded workbook (as a CSV export or a typed ' gives them)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(corpus.HEADER)
    for n, formula in enumerate(FORMULAS, start=1):
        ws.append(corpus.worker(n, id_number="12345", phone=formula, employer=formula))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"  # text, as typed, not a formula
    ws.append(corpus.worker(9))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def rejected(users, run):
    job = run(users["civil1"], _rejected_rows_with_formulas())
    assert counts(job) == (len(FORMULAS) + 1, 1, len(FORMULAS))
    return job


def _report(response):
    from openpyxl import load_workbook

    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)).active


def test_error_report_is_an_attachment_never_sniffed_nor_cached(rejected, web, api):
    for response in (
        web("civil1").get(f"/imports/{rejected.pk}/errors.xlsx"),
        api("civil1").get(f"/api/v1/imports/{rejected.pk}/errors.xlsx"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        b"".join(response.streaming_content)
    audited = AuditEntry.objects.filter(action="import.errors").values_list("detail", flat=True)
    assert [d["via"] for d in audited.order_by("id")] == ["page", "api"]


def test_error_report_writes_cells_that_look_like_formulas_as_text(rejected, web):
    ws = _report(web("civil1").get(f"/imports/{rejected.pk}/errors.xlsx"))

    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(FORMULAS)
    phone, employer = corpus.COL["phone"] + 1, corpus.COL["employer"] + 1  # after the row column
    for row, formula in zip(rows, FORMULAS, strict=True):
        for cell in (row[phone], row[employer]):
            assert (cell.data_type, cell.value) == ("s", formula)


def test_error_report_header_that_looks_like_a_formula_is_text(users, run, web):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    header = [*corpus.HEADER, '=HYPERLINK("http://evil.example","备注")']
    ws.append(header)
    ws.cell(row=1, column=len(header)).data_type = "s"  # typed text, not a formula
    ws.append(corpus.worker(1, name=None))
    out = io.BytesIO()
    wb.save(out)
    job = run(users["civil1"], out.getvalue())
    assert job.columns[-1] == header[-1]

    report = _report(web("civil1").get(f"/imports/{job.pk}/errors.xlsx"))

    headings = [(c.data_type, c.value) for c in next(report.iter_rows(max_row=1))]
    assert headings[len(header)] == ("s", header[-1])  # after the row number's column


def test_error_report_is_not_served_to_the_anonymous(rejected):
    assert Client().get(f"/api/v1/imports/{rejected.pk}/errors.xlsx").status_code == 401
    page = Client().get(f"/imports/{rejected.pk}/errors.xlsx")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
