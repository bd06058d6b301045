"""Excel exports of the lists (issue 15 item 4, API.md § Statistics): the rows the list shows with
the same filters, typed cells, formula-like text as text, scoping, the background path, audit."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.assistance.conftest import record as record_application
from tests.conftest import make_credit_code
from tests.employers.conftest import EMPLOYER, OTHER_EMPLOYER, open_case
from tests.supervision.conftest import draft
from tests.transfers.conftest import send, wage_case
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.core.identifiers import mask_credit_code
from zhichi.evidence.storage import evidence_storage
from zhichi.intake.models import Lead
from zhichi.stats import exports
from zhichi.stats.models import ListExport

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    assert "no-store" in response["Cache-Control"]
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def header(ws) -> list:
    return [c.value for c in ws[1]]


def body(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def column(ws, title) -> list:
    index = header(ws).index(title)
    return [row[index] for row in body(ws)]


def words(text: str, language: str = "zh-hans") -> str:
    with translation.override(language):
        return str(translation.gettext(text))


@pytest.fixture
def cases(users):
    """Three of civil1's cases: two wage cases against EMPLOYER, one work injury against another."""
    first = open_case(users, seq=100, consent_to_share=True)
    second = open_case(users, seq=200, consent_to_share=False)
    third = open_case(
        users, seq=300, code=OTHER_EMPLOYER, name="某餐饮公司", category="work_injury"
    )
    return first, second, third


# --- the rows: those of the list, with the same filters ---------------------------------------
def test_case_export_has_the_rows_of_the_case_list_page_with_the_same_filters(web, api, cases):
    page = web("civil1").get("/cases/", {"category": "wages"})
    shown = [row.case.number for row in page.context["rows"]]
    assert len(shown) == 2
    ws = workbook(web("civil1").post("/exports/cases/", {"category": "wages"}))
    assert column(ws, words("Case number")) == shown
    listed = api("civil1").get("/api/v1/cases", {"category": "wages"}).json()["items"]
    ws = workbook(api("civil1").get("/api/v1/exports/cases.xlsx", {"category": "wages"}))
    assert sorted(column(ws, words("Case number"))) == sorted(c["number"] for c in listed)


def test_case_export_takes_the_api_filters_too(api, cases):
    ws = workbook(api("civil1").get("/api/v1/exports/cases.xlsx", {"employer": OTHER_EMPLOYER}))
    assert column(ws, words("Case number")) == [cases[2].number]


def test_lead_export_has_the_rows_of_the_lead_list(web, users, cases):
    Lead.objects.filter(pk=cases[0].lead.pk).update(source="hotline")
    page = web("civil1").get("/leads/", {"source": "hotline"})
    shown = [lead.receipt_code for lead in page.context["page_obj"]]
    ws = workbook(web("civil1").post("/exports/leads/", {"source": "hotline"}))
    assert column(ws, words("Receipt code")) == shown == [cases[0].lead.receipt_code]
    assert column(ws, words("Case number")) == [cases[0].number]


def test_transfer_export_has_the_rows_of_the_outbox(web, users):
    case = wage_case(users, consent=True, seq="22")
    sent = send(users, case, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    send(users, case, to_org="WHHRSS", kind="labour_inspection")
    page = web("civil1").get("/transfers/outbox/", {"kind": "criminal_lead"})
    shown = [t.number for t in page.context["page_obj"]]
    assert shown == [sent.number]
    data = {"box": "outbox", "kind": "criminal_lead"}
    ws = workbook(web("civil1").post("/exports/transfers/", data))
    assert column(ws, words("Number")) == shown
    # the receiving side's inbox, as the API names the box
    ws = workbook(web("criminal1").post("/exports/transfers/", {"box": "inbox"}))
    assert column(ws, words("Number")) == [sent.number]
    assert column(ws, words("Sent"))[0].date() == sent.sent_at.date()


def test_assistance_export_has_the_rows_of_the_register_with_money_as_numbers(web, users):
    case = wage_case(users, consent=False, seq="61")
    record_application(users, case, requested_amount="30000.50")
    page = web("civil1").get("/assistance/", {"status": "received"})
    shown = [row.application.case.number for row in page.context["rows"]]
    ws = workbook(web("civil1").post("/exports/assistance/", {"status": "received"}))
    assert column(ws, words("Case number")) == shown == [case.number]
    requested = ws.cell(row=2, column=header(ws).index(words("Requested")) + 1)
    assert requested.data_type == "n" and requested.number_format == "0.00"
    assert Decimal(str(requested.value)) == Decimal("30000.50")
    due = ws.cell(row=2, column=len(header(ws)))
    assert isinstance(due.value, datetime) and due.number_format == "yyyy-mm-dd"


def test_suggestion_export_has_the_rows_of_the_register(web, users):
    case = wage_case(users, consent=False, seq="71")
    first = draft(users, case, to_org_name="某区住房和城乡建设局")
    draft(users, case, to_org_name="某区市场监督管理局")
    page = web("civil1").get("/supervision/suggestions/", {"q": "住房"})
    shown = [row.suggestion.to_org_name for row in page.context["rows"]]
    ws = workbook(web("civil1").post("/exports/suggestions/", {"q": "住房"}))
    assert column(ws, words("Recipient")) == shown == [first.to_org_name]


def test_employer_export_has_the_search_results_with_the_code_masked(web, users, cases):
    page = web("civil1").get("/employers/", {"q": "餐饮"})
    shown = [r["name"] for r in page.context["results"]]
    ws = workbook(web("civil1").post("/exports/employers/", {"q": "餐饮"}))
    assert column(ws, words("Employer")) == shown == ["某餐饮公司"]
    assert column(ws, words("Unified social credit code")) == [mask_credit_code(OTHER_EMPLOYER)]
    # without a search: every employer named in the user's cases, most cases first; a 92…
    # code identifies a person and is masked (rule ID-3)
    personal = make_credit_code("92530102MA6K2P3T2")
    open_case(users, seq=400, code=personal, name="某个体工商户")
    ws = workbook(web("civil1").post("/exports/employers/"))
    assert column(ws, words("Your cases")) == [2, 1, 1]
    codes = column(ws, words("Unified social credit code"))
    assert mask_credit_code(personal) in codes and personal not in str(body(ws))


# --- the cells --------------------------------------------------------------------------------
def test_cells_are_typed_and_the_header_row_is_frozen(api, cases):
    ws = workbook(api("civil1").get("/api/v1/exports/leads.xlsx"))
    assert ws.freeze_panes == "A2"
    assert header(ws)[0] == words("Receipt code") != "Receipt code"  # zh-hans by default
    row = {h: c for h, c in zip(header(ws), ws[2], strict=True)}
    claimants = row[words("Claimants")]
    assert claimants.value == 2 and claimants.data_type == "n"
    amount = row[words("Amount claimed")]
    assert amount.data_type == "n" and amount.number_format == "0.00"
    assert Decimal(str(amount.value)) == Decimal("20000.50")
    received = row[words("Received on")]
    assert isinstance(received.value, datetime) and received.number_format == "yyyy-mm-dd"


def test_headers_are_in_the_readers_language(api, cases):
    response = api("civil1").get("/api/v1/exports/cases.xlsx", headers={"Accept-Language": "en"})
    assert header(workbook(response))[:3] == ["Case number", "Opened on", "Category"]


@pytest.mark.parametrize("text", ["=1+1", "+8613800001111", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_formula_like_text_is_written_as_text(api, cases, text):
    Case.objects.filter(pk=cases[0].pk).update(summary=text)
    ws = workbook(api("civil1").get("/api/v1/exports/cases.xlsx", {"employer": EMPLOYER}))
    index = header(ws).index(words("Summary")) + 1
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=index) for r in (2, 3)}
    cell = cells[cases[0].number]
    assert cell.value == text
    assert cell.data_type == "s" and cell.quotePrefix
    assert cells[cases[1].number].data_type == "s"


def test_the_writer_never_writes_a_formula():
    ws = openpyxl.Workbook(write_only=True).create_sheet()
    text = exports.Column("x", "x")
    for value in ('=HYPERLINK("http://x")', "+1", "-1", "@x"):
        cell = exports._cell(ws, text, value)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)
    assert exports._cell(ws, text, "plain") == "plain"
    assert exports._cell(ws, text, "a\x00b\x1fc") == "abc"  # characters XLSX cannot hold


# --- who gets what ----------------------------------------------------------------------------
def test_a_partner_gets_only_what_it_sees_without_internal_columns(api, users):
    shared = wage_case(users, consent=True, seq="31")
    wage_case(users, consent=False, seq="32")  # referred without consent: not the partner's
    listed = api("hrss1").get("/api/v1/cases").json()["items"]
    ws = workbook(api("hrss1").get("/api/v1/exports/cases.xlsx"))
    assert column(ws, words("Case number")) == [c["number"] for c in listed] == [shared.number]
    assert words("Officer") not in header(ws) and words("Flags") not in header(ws)
    # judicial assistance stays inside the procuratorate (C8)
    assert body(workbook(api("hrss1").get("/api/v1/exports/assistance.xlsx"))) == []


def test_another_procuratorate_gets_none_of_the_rows(api, cases):
    ws = workbook(api("outsider").get("/api/v1/exports/cases.xlsx"))
    assert body(ws) == [] and header(ws)[0] == words("Case number")


def test_administrators_may_not_export_and_the_refusal_is_audited(web, cases):
    response = web("sysadmin").post("/exports/cases/")
    assert response.status_code == 403
    entry = AuditEntry.objects.filter(action="export.request").latest("id")
    assert (entry.username, entry.outcome) == ("sysadmin", "denied")


def test_an_administrators_token_is_refused(api, cases):
    # no token can be issued to an administrator; one held from before is refused (401)
    assert api("auditor").get("/api/v1/exports/cases.xlsx").status_code == 401


def test_a_bad_filter_is_refused_with_its_field(api, web, cases):
    response = api("civil1").get("/api/v1/exports/cases.xlsx", {"stage": "nowhere"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["stage"]
    assert response.json()["detail"]
    response = api("civil1").get("/api/v1/exports/leads.xlsx", {"received_from": "2026-13-40"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "received_from"
    # an ID number with a wrong check digit, refused as on the case list
    response = api("civil1").get("/api/v1/exports/cases.xlsx", {"q": "530102198503121230"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "q")
    page = web("civil1").post("/exports/cases/", {"stage": "nowhere"})
    assert page.status_code == 422
    assert words("Stage") in page.content.decode()
    refusals = AuditEntry.objects.filter(action="export.request", outcome="denied")
    assert refusals.count() == 4


def test_an_unknown_list_is_not_found(api, web, users):
    assert api("civil1").get("/api/v1/exports/people.xlsx").status_code == 404
    assert web("civil1").post("/exports/people/").status_code == 404


def test_the_export_is_a_post_on_the_page(web, cases):
    assert web("civil1").get("/exports/cases/").status_code == 405
    assert ListExport.objects.count() == 0


def test_a_small_export_is_audited_with_its_filters(api, cases):
    api("civil1").get("/api/v1/exports/cases.xlsx", {"category": "wages", "page": "2"})
    entry = AuditEntry.objects.filter(action="export.download").latest("id")
    assert entry.username == "civil1"
    assert entry.detail["list"] == "cases" and entry.detail["rows"] == 2
    assert entry.detail["filters"] == {"category": ["wages"]}


# --- a large export: in the background ---------------------------------------------------------
@pytest.fixture
def small_threshold(settings):
    settings.ZHICHI = {**settings.ZHICHI, "EXPORT_SYNC_ROWS": 1}


def test_a_large_export_runs_in_the_background_and_downloads(
    api, cases, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api("civil1").get("/api/v1/exports/cases.xlsx", {"category": "wages"})
    assert response.status_code == 202
    export_id = response.json()["id"]
    status = api("civil1").get(f"/api/v1/exports/{export_id}").json()
    assert (status["status"], status["progress"], status["rows_total"]) == ("done", 100, 2)
    assert status["download"] == f"/api/v1/exports/{export_id}/download"
    ws = workbook(api("civil1").get(status["download"]))
    assert sorted(column(ws, words("Case number"))) == sorted([cases[0].number, cases[1].number])
    actions = list(
        AuditEntry.objects.filter(action__startswith="export.").values_list("action", flat=True)
    )
    assert actions == ["export.request", "export.build", "export.download"]
    # another user's export does not exist for them
    assert api("civil2").get(f"/api/v1/exports/{export_id}").status_code == 404
    assert api("civil2").get(status["download"]).status_code == 404
    assert api("civil1").get("/api/v1/exports/999999").status_code == 404


def test_a_large_export_file_is_sealed_at_rest(
    api, cases, small_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api("civil1").get("/api/v1/exports/cases.xlsx")
    export = ListExport.objects.get(pk=response.json()["id"])
    storage = evidence_storage()
    with storage.inner.open(export.storage_name, "rb") as raw:
        assert not raw.read().startswith(b"PK")  # sealed, not the plain XLSX (a ZIP)
    with storage.open(export.storage_name, "rb") as handle:
        assert handle.read().startswith(b"PK")


def test_a_large_export_from_the_page_shows_its_progress_and_download(
    web, cases, small_threshold, django_capture_on_commit_callbacks
):
    client = web("civil1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exports/cases/", {"category": "wages"})
    export = ListExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    assert export.filters == {"category": ["wages"]} and export.requested_by.username == "civil1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/exports/{export.pk}/download/" in html and "zc-progress-100" in html
    assert "/cases/?category=wages" in html  # back to the list with its filters
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<div id="export-progress"')
    ws = workbook(client.get(f"/exports/{export.pk}/download/"))
    assert len(body(ws)) == 2
    assert web("civil2").get(f"/exports/{export.pk}/").status_code == 404
    assert web("civil2").get(f"/exports/{export.pk}/download/").status_code == 404


def test_a_queued_export_polls_and_has_no_download_yet(web, users, cases, small_threshold):
    client = web("civil1")
    response = client.post("/exports/cases/")  # not committed: the task has not run
    export = ListExport.objects.get()
    assert export.status == "queued"
    html = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in html and "/download/" not in html
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404


# --- the button on each list --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/leads/?status=new&page=1", "leads"),
        ("/cases/?category=wages", "cases"),
        ("/transfers/outbox/?status=sent", "transfers"),
        ("/assistance/?status=received", "assistance"),
        ("/supervision/suggestions/?overdue=1", "suggestions"),
        ("/employers/?q=%E5%85%AC%E5%8F%B8", "employers"),
    ],
)
def test_each_list_has_the_export_button_with_its_filters(web, cases, path, name):
    html = web("civil1").get(path).content.decode()
    assert f'action="/exports/{name}/"' in html
    assert words("Export to Excel") in html
    query = path.split("?")[1].split("=")
    assert f'name="{query[0]}"' in html
    assert 'name="page"' not in html


# --- bounded queries ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["leads", "cases", "employers"])
def test_one_row_and_three_rows_take_the_same_queries(api, users, name):
    client = api("civil1")
    client.get(f"/api/v1/exports/{name}.xlsx")  # the token's first use writes last_used_at
    counts = []
    for seq in (100, 200, 300):
        open_case(users, seq=seq, code=make_credit_code(f"91530102MA6K2P{seq}"))
        with CaptureQueriesContext(connection) as queries:
            workbook(client.get(f"/api/v1/exports/{name}.xlsx"))
        counts.append(len(queries))
    assert counts[0] == counts[2], counts


def test_the_daily_purge_deletes_old_export_files_and_keeps_the_row(
    api, cases, small_threshold, settings, fixed_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api("civil1").get("/api/v1/exports/cases.xlsx")
    export = ListExport.objects.get(pk=response.json()["id"])
    name = export.storage_name
    assert evidence_storage().exists(name)
    fixed_clock.shift((settings.ZHICHI["CASEFILE_KEEP_DAYS"] + 1) * 86400)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_case_files", stdout=out)

    assert "list exports: 1 deleted" in out.getvalue()
    export.refresh_from_db()
    assert (export.status, export.storage_name) == ("expired", "")
    assert not evidence_storage().exists(name)
    assert api("civil1").get(f"/api/v1/exports/{export.pk}/download").status_code in (404, 410)


def test_key_rotation_reseals_the_export_files(
    api, cases, small_threshold, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api("civil1").get("/api/v1/exports/cases.xlsx")
    export = ListExport.objects.get(pk=response.json()["id"])
    new_key = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleTE="
    settings.ZHICHI = {
        **settings.ZHICHI,
        "ENCRYPTION_KEYS": [new_key, *settings.ZHICHI["ENCRYPTION_KEYS"]],
    }
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rotate_keys", stdout=out)
    assert "list exports" in out.getvalue()

    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new_key]}  # the old key is gone
    export.refresh_from_db()
    with evidence_storage().open(export.storage_name, "rb") as handle:
        assert handle.read().startswith(b"PK")
