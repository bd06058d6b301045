"""Imports in the partner API (API.md § Statistics, imports, webhooks): ``POST /api/v1/imports``
(multipart ``file``) → 202 ``{"id", "status"}``; ``GET /api/v1/imports/{id}`` → the status, the
progress, the counts, the rejected rows' reasons (the importing organisation's only) and the
leads created; the list is paged by keyset."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from zhichi.audit.models import AuditEntry
from zhichi.imports import columns
from zhichi.imports.models import ImportJob, ImportStatus
from zhichi.intake.models import Lead

from . import corpus

pytestmark = pytest.mark.integration

IMPORT_KEYS = {
    # API.md
    "status",
    "progress",
    "rows_total",
    "rows_ok",
    "rows_failed",
    "errors",
    "leads_created",
    # the schema's own
    "id",
    "file_name",
    "rows_already",
    "rows_known",
    "errors_truncated",
    "error_report",
    "created_at",
    "finished_at",
}


@pytest.fixture
def post(api, import_store, django_capture_on_commit_callbacks):
    """post(user, bytes, name, **form fields) → the answer to POST /api/v1/imports; the import
    runs (the task after the commit)."""

    def go(username, data, name="名单.xlsx", **fields):
        client = api(username)
        body = {"file": corpus.upload(data, name), **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return client.client.post("/api/v1/imports", body, headers=client._headers(None))

    return go


def messy() -> bytes:
    return corpus.xlsx([corpus.worker(1), corpus.worker(2, name=None), corpus.worker(3)])


def test_post_answers_202_with_the_id_and_the_status(users, api, import_store):
    client = api("civil1")
    body = {"file": corpus.upload(messy())}

    r = client.client.post("/api/v1/imports", body, headers=client._headers(None))

    assert r.status_code == 202, r.content
    job = ImportJob.objects.get()
    assert r.json() == {"id": job.pk, "status": "queued"}
    assert (job.organisation, job.created_by) == (users["civil1"].organisation, users["civil1"])


def test_get_answers_the_status_counts_errors_and_leads_created(post, api):
    job_id = post("civil1", messy()).json()["id"]

    r = api("civil1").get(f"/api/v1/imports/{job_id}")

    assert r.status_code == 200
    body = r.json()
    assert set(body) == IMPORT_KEYS
    assert {k: body[k] for k in ("status", "progress", "rows_total", "rows_ok", "rows_failed")} == {
        "status": "done",
        "progress": 100,
        "rows_total": 3,
        "rows_ok": 2,
        "rows_failed": 1,
    }
    assert body["rows_total"] == body["rows_ok"] + body["rows_failed"]
    assert (body["leads_created"], body["rows_already"], body["rows_known"]) == (1, 0, 0)
    with translation.override("zh-hans"):
        message = str(columns.MESSAGES["required"])
    assert body["errors"] == [
        {"row": corpus.FIRST_ROW + 1, "field": "name", "code": "required", "message": message}
    ]
    assert body["errors_truncated"] is False
    assert body["error_report"] == f"/api/v1/imports/{job_id}/errors.xlsx"
    assert body["file_name"] == "名单.xlsx"


def test_error_messages_follow_the_readers_language(post, api):
    job_id = post("civil1", messy()).json()["id"]

    en = api("civil1").get(f"/api/v1/imports/{job_id}", headers={"Accept-Language": "en"})

    assert en.json()["errors"][0]["message"] == "Empty: this column is required."


def test_missing_required_columns_are_422_at_mapping_field_and_nothing_kept(post):
    header = ["序号", "姓名", "联系电话", "用人单位", "欠薪金额"]
    rows = [[1, "工人1", "13800138000", corpus.EMPLOYER, 1200]]

    r = post("civil1", corpus.xlsx(rows, header=header))

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("mapping.id_number", "required")
    ]
    assert ImportJob.objects.count() == 0
    entry = AuditEntry.objects.filter(action="import.upload").order_by("-id").first()
    assert (entry.outcome, entry.detail["reasons"]) == ("denied", ["mapping.id_number:required"])


ROWS = [
    [1, "工人1", corpus.worker_id(1), "13800138000", corpus.EMPLOYER, "1,200元"],
    [2, "工人2", corpus.worker_id(2), "13800138001", corpus.EMPLOYER, 800],
]
BY_TEXT = {
    "name": "人员",
    "id_number": "证件",
    "phone": "手机",
    "employer": "公司",
    "amount": "欠款",
}
BY_INDEX = {"name": 1, "id_number": 2, "phone": "3", "employer": 4, "amount": 5}
SOME_KNOWN = ["编号", "姓名", "证件", "电话", "用人单位", "欠款"]  # two required columns recognised
NONE_KNOWN = ["编号", "人员", "证件", "手机", "公司", "欠款"]  # no required column recognised


@pytest.mark.parametrize(
    ("header", "mapping"),
    [
        (SOME_KNOWN, {**BY_TEXT, "name": "姓名", "phone": "电话", "employer": "用人单位"}),
        (SOME_KNOWN, BY_INDEX),
        (NONE_KNOWN, BY_TEXT),
        (NONE_KNOWN, BY_INDEX),
    ],
    ids=["some-known-by-text", "some-known-by-index", "none-known-by-text", "none-known-by-index"],
)
def test_a_mapping_makes_a_list_with_unusual_headers_importable(post, header, mapping):
    data = corpus.xlsx(ROWS, header=header, title=False)

    r = post("civil1", data, mapping=json.dumps(mapping, ensure_ascii=False))

    assert r.status_code == 202, r.content
    job = ImportJob.objects.get(pk=r.json()["id"])
    assert (job.header_row, job.header_rows) == (0, 1)
    assert job.mapping == {"name": 1, "id_number": 2, "phone": 3, "employer": 4, "amount": 5}
    assert (job.status, job.rows_total, job.rows_ok, job.leads_created) == ("done", 2, 2, 1)


@pytest.mark.parametrize(
    ("mapping", "errors"),
    [
        ("not json", [("mapping", "invalid")]),
        ("[1, 2]", [("mapping", "invalid")]),
        (
            json.dumps({"name": 1, "id_number": 2, "employer": 4, "amount": 99}),
            [("mapping.amount", "invalid")],
        ),
        (
            json.dumps({"name": 1, "id_number": 1, "employer": 4, "amount": 6}),
            [("mapping.id_number", "duplicate")],
        ),
        (
            json.dumps({"name": 1, "id_number": 2, "employer": 4, "amount": 6, "salary": 7}),
            [("mapping.salary", "unknown")],
        ),
        (
            json.dumps({"name": 1, "id_number": 2, "employer": 4, "amount": "没有这一列"}),
            [("mapping.amount", "invalid")],
        ),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-such-column",
        "one-column-twice",
        "unknown-field",
        "no-such-header",
    ],
)
def test_a_wrong_mapping_is_422_at_its_field(post, mapping, errors):
    r = post("civil1", corpus.xlsx(corpus.clean_rows(1)), mapping=mapping)

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == errors
    assert ImportJob.objects.count() == 0


def test_without_a_file_it_is_422_at_file(api, import_store):
    client = api("civil1")

    r = client.client.post("/api/v1/imports", {"mapping": ""}, headers=client._headers(None))

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", "required")]


def test_the_list_is_paged_newest_first(post, api):
    ids = [post("civil1", corpus.xlsx(corpus.clean_rows(n))).json()["id"] for n in (1, 2, 3)]
    client = api("civil1")

    first = client.get("/api/v1/imports", {"limit": 2}).json()
    rest = client.get("/api/v1/imports", {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    assert [i["id"] for i in rest["items"]] == ids[:1]
    assert rest["next_cursor"] is None
    assert first["items"][0] == {
        "id": ids[2],
        "status": "done",
        "progress": 100,
        "file_name": "名单.xlsx",
        "organisation": "WHPROC",
        "created_by": "civil1",
        "rows_total": 3,
        "rows_ok": 3,
        "rows_failed": 0,
        "leads_created": 1,
        "created_at": first["items"][0]["created_at"],
    }


def test_a_partners_import_is_seen_by_the_receiving_officer_without_its_rejected_rows(post, api):
    job_id = post("hrss1", messy()).json()["id"]

    partner = api("hrss1").get(f"/api/v1/imports/{job_id}").json()
    officer = api("civil1").get(f"/api/v1/imports/{job_id}")

    assert officer.status_code == 200
    shown = officer.json()
    assert (shown["rows_total"], shown["rows_ok"], shown["rows_failed"]) == (3, 2, 1)
    assert (shown["errors"], shown["error_report"], shown["errors_truncated"]) == ([], None, False)
    assert [e["row"] for e in partner["errors"]] == [corpus.FIRST_ROW + 1]
    assert partner["error_report"] == f"/api/v1/imports/{job_id}/errors.xlsx"
    assert api("civil1").get(f"/api/v1/imports/{job_id}/errors.xlsx").status_code == 404
    assert [i["id"] for i in api("civil1").get("/api/v1/imports").json()["items"]] == [job_id]
    lead = Lead.objects.get()
    assert (lead.organisation.code, lead.referring_org.code) == ("WHPROC", "WHHRSS")


def test_a_partner_sends_its_list_to_the_procuratorate_it_names(post, api):
    job_id = post("hrss1", messy(), to_org="PJPROC").json()["id"]

    assert api("outsider").get(f"/api/v1/imports/{job_id}").status_code == 200
    assert api("civil1").get(f"/api/v1/imports/{job_id}").status_code == 404
    assert Lead.objects.get().organisation.code == "PJPROC"


def test_procuratorate_staff_name_the_agency_that_handed_the_list_over(post):
    job_id = post("civil1", messy(), referring_org="WHHRSS").json()["id"]

    assert ImportJob.objects.get(pk=job_id).referring_org.code == "WHHRSS"
    assert Lead.objects.get().referring_org.code == "WHHRSS"


def test_an_unknown_referring_agency_is_422_at_referring_org(post):
    r = post("civil1", messy(), referring_org="NOSUCH")

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("referring_org", "unknown")]
    assert ImportJob.objects.count() == 0


def test_the_outsider_gets_404_exactly_like_a_missing_import(post, api):
    job_id = post("civil1", messy()).json()["id"]
    outsider = api("outsider")

    for path in (f"/api/v1/imports/{job_id}", f"/api/v1/imports/{job_id}/errors.xlsx"):
        hidden = outsider.get(path)
        missing = outsider.get(path.replace(str(job_id), "999999"))
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
        assert hidden.status_code == 404
    assert outsider.get("/api/v1/imports").json() == {"items": [], "next_cursor": None}


def test_the_import_runs_in_the_background_and_is_queued_until_then(users, api, import_store):
    client = api("civil1")

    r = client.client.post(
        "/api/v1/imports", {"file": corpus.upload(messy())}, headers=client._headers(None)
    )

    shown = client.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert (shown["status"], shown["progress"], shown["rows_total"]) == (ImportStatus.QUEUED, 0, 0)
    assert Lead.objects.count() == 0


def test_errors_are_cut_at_a_thousand_and_the_report_holds_them_all(post, api):
    rows = [corpus.worker(1, seq=n, name=None) for n in range(1, 1002)]

    job_id = post("civil1", corpus.xlsx(rows)).json()["id"]

    body = api("civil1").get(f"/api/v1/imports/{job_id}").json()
    assert (body["rows_total"], body["rows_failed"]) == (1001, 1001)
    assert (len(body["errors"]), body["errors_truncated"]) == (1000, True)
    assert body["error_report"] == f"/api/v1/imports/{job_id}/errors.xlsx"
