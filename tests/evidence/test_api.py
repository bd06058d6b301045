"""Evidence in the partner API: upload, list (keyset pages), download, the OpenAPI document."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.evidence import samples
from tests.evidence.conftest import put
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _upload(api, user, path, name="欠条.pdf", data=samples.PDF, **fields):
    client = api(user)
    payload = {"file": samples.upload(name, data), "kind": "iou", **fields}
    return client.client.post(path, payload, headers=client._headers(None))


def test_upload_answers_201_with_the_attachment(api, shared):
    r = _upload(api, "civil1", f"/api/v1/cases/{shared['case']}/attachments", description="原件")

    assert r.status_code == 201, r.content
    body = r.json()
    assert {k: body[k] for k in body if k not in ("id", "created_at", "download_url")} == {
        "kind": "iou",
        "description": "原件",
        "name": "欠条.pdf",
        "content_type": "application/pdf",
        "size": len(samples.PDF),
        "sha256": hashlib.sha256(samples.PDF).hexdigest(),
        "uploaded_by": "civil1",
        "organisation": "WHPROC",
        "case_id": shared["case"],
        "lead_id": None,
    }
    assert body["download_url"] == f"/api/v1/attachments/{body['id']}/download"


def test_upload_to_a_lead_by_the_referring_partner(api, shared, world):
    r = _upload(api, "hrss1", f"/api/v1/leads/{world['lead']}/attachments", kind="chat_log")

    assert r.status_code == 201, r.content
    assert (r.json()["organisation"], r.json()["lead_id"]) == ("WHHRSS", world["lead"])


def test_missing_fields_are_422_at_their_fields(api, shared):
    client = api("civil1")

    r = client.client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"kind": "iou"},
        headers=client._headers(None),
    )

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["file"]


def test_an_unknown_kind_is_422(api, shared):
    r = _upload(api, "civil1", f"/api/v1/cases/{shared['case']}/attachments", kind="malware")

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("kind", "choice")]


def test_download_sends_the_bytes_as_an_attachment_and_is_audited(api, users, shared):
    a = put(
        users["civil1"], case=shared["case"], name="工资表.xlsx", data=samples.ACCEPTED["xlsx"][0]
    )

    r = api("civilhead").get(f"/api/v1/attachments/{a.pk}/download")

    assert r.status_code == 200
    assert hashlib.sha256(b"".join(r.streaming_content)).hexdigest() == a.sha256
    assert r["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r["Cache-Control"]
    entry = AuditEntry.objects.filter(action="attachment.download").get()
    assert (entry.username, entry.detail["via"], entry.detail["sha256"]) == (
        "civilhead",
        "api",
        a.sha256,
    )


def test_list_pages_newest_first_with_a_cursor(api, users, shared):
    ids = [put(users["civil1"], case=shared["case"]).pk for _ in range(3)]
    path = f"/api/v1/cases/{shared['case']}/attachments"

    first = api("civil1").get(path, {"limit": 2}).json()
    second = api("civil1").get(path, {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [i["id"] for i in first["items"]] == [ids[2], ids[1]]
    assert ([i["id"] for i in second["items"]], second["next_cursor"]) == ([ids[0]], None)


def test_a_bad_cursor_is_422(api, shared):
    r = api("civil1").get(f"/api/v1/cases/{shared['case']}/attachments", {"cursor": "nonsense"})

    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "cursor"


def test_a_case_list_includes_its_leads_attachments(api, users, shared):
    from_lead = put(users["hrss1"], lead=shared["lead"])
    on_case = put(users["civil1"], case=shared["case"])

    items = api("civil1").get(f"/api/v1/cases/{shared['case']}/attachments").json()["items"]
    partner = api("hrss1").get(f"/api/v1/cases/{shared['case']}/attachments").json()["items"]

    assert [i["id"] for i in items] == [on_case.pk, from_lead.pk]
    assert [i["id"] for i in partner] == [from_lead.pk]  # a partner sees its own uploads only


@pytest.mark.parametrize("kind", ["case", "lead"])
def test_list_query_count_does_not_grow_with_the_rows(api, users, shared, kind):
    path = f"/api/v1/{kind}s/{shared[kind]}/attachments"
    target = {kind: shared[kind]}
    client = api("civil1")
    put(users["civil1"], **target)
    client.get(path)  # warm up (token lookup caches, etc.)

    with CaptureQueriesContext(connection) as one:
        assert len(client.get(path).json()["items"]) == 1
    put(users["civil1"], **target)
    put(users["civil1"], **target)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(path).json()["items"]) == 3

    assert len(one) == len(three)


def test_openapi_documents_the_upload_and_the_binary_download():
    doc = Client().get("/api/v1/openapi.json").json()

    upload = doc["paths"]["/api/v1/cases/{case_id}/attachments"]["post"]
    download = doc["paths"]["/api/v1/attachments/{attachment_id}/download"]["get"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"]["format"] == "binary"
    assert sorted(form["required"]) == ["file", "kind"]
    assert {"201", "401", "403", "404", "422"} <= set(upload["responses"])
    assert {"200", "401", "403", "404"} <= set(download["responses"])
    assert download["responses"]["200"]["content"]["application/octet-stream"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert {"200", "401", "404"} <= set(
        doc["paths"]["/api/v1/leads/{lead_id}/attachments"]["get"]["responses"]
    )


def test_an_upload_with_an_idempotency_key_is_stored_once(api, shared):
    client = api("civil1")
    path = f"/api/v1/cases/{shared['case']}/attachments"
    headers = client._headers({"Idempotency-Key": "upload-1"})

    def post():
        return client.client.post(
            path,
            {"file": samples.upload("a.pdf", samples.PDF), "kind": "iou"},
            headers=headers,
        )

    first, again = post(), post()

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"


def test_a_large_upload_with_an_idempotency_key_is_fingerprinted_without_reading_the_body(
    api, shared
):
    # above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the key still works, the file is stored once
    client = api("civil1")
    path = f"/api/v1/cases/{shared['case']}/attachments"
    big = samples.pdf_padded(3 * 1024 * 1024)
    headers = client._headers({"Idempotency-Key": "upload-big"})

    def post(content):
        return client.client.post(
            path, {"file": samples.upload("big.pdf", content), "kind": "iou"}, headers=headers
        )

    first, again = post(big), post(big)
    other = post(big + b"1")

    assert (first.status_code, again.status_code) == (201, 201), first.content[:200]
    assert first.json()["id"] == again.json()["id"]
    assert other.status_code == 422  # the same key for a different file
