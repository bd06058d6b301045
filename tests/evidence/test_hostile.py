"""Rule R11: hostile files are refused with 422 at the field ``file`` and nothing is stored, by
the API and by the page; a hostile file name is cleaned and never reaches the store."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import translation

from tests.evidence import samples
from tests.evidence.conftest import state, stored_files
from zhichi.audit.models import AuditEntry
from zhichi.evidence import services
from zhichi.evidence.models import Attachment

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

HOSTILE = [pytest.param(name, data, code, id=label) for label, name, data, code in samples.HOSTILE]


@pytest.mark.parametrize(("name", "data", "code"), HOSTILE)
def test_api_refuses_a_hostile_file_and_stores_nothing(name, data, code, shared, api, evidence_dir):
    before = state(evidence_dir)

    r = api("civil1").client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"file": samples.upload(name, data), "kind": "iou", "description": "x"},
        headers=api("civil1")._headers(None),
    )

    assert r.status_code == 422, r.content[:300]
    body = r.json()
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("file", code)]
    assert state(evidence_dir) == before


@pytest.mark.parametrize(("name", "data", "code"), HOSTILE[:12])
def test_page_refuses_a_hostile_file_with_the_message_at_the_field(
    name, data, code, shared, web, evidence_dir
):
    before = state(evidence_dir)

    r = web("civil1").post(
        f"/attachments/case/{shared['case']}/upload/",
        {"file": samples.upload(name, data), "kind": "iou"},
    )

    assert r.status_code == 422
    form = r.context["request"].evidence_upload_form
    assert list(form.errors) == ["file"]
    assert 'id="id_attachment_file_error"' in r.content.decode()
    assert state(evidence_dir) == before


def test_an_oversized_file_is_refused(settings, shared, api, evidence_dir):
    settings.ZHICHI = {**settings.ZHICHI, "MAX_UPLOAD_BYTES": 1024 * 1024}
    data = samples.PDF + b"%" + b"0" * (1024 * 1024)

    r = api("civil1").client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"file": samples.upload("big.pdf", data), "kind": "iou"},
        headers=api("civil1")._headers({"Accept-Language": "en"}),
    )

    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "file", "code": "too_large", "message": "The file is larger than 1 MB."}
    ]
    assert state(evidence_dir) == ([], [])


def test_a_refused_file_is_audited_as_denied_with_its_reason_size_and_hash(shared, api):
    data = b"MZ" + b"\x00" * 64
    api("civil1").client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"file": samples.upload("setup.pdf", data), "kind": "iou"},
        headers=api("civil1")._headers(None),
    )

    entry = AuditEntry.objects.filter(action="attachment.upload").get()
    assert (entry.outcome, entry.detail) == (
        "denied",
        {
            "reasons": ["file:executable"],
            "name": "setup.pdf",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )


PDFS = [
    pytest.param(name, data, code, id=label) for label, name, data, code in samples.hostile_pdfs()
]


@pytest.mark.parametrize(("name", "data", "code"), PDFS)
def test_page_refuses_a_hostile_pdf_and_stores_nothing_issue_12_item_15(
    name, data, code, shared, web, evidence_dir
):
    before = state(evidence_dir)

    r = web("civil1").post(
        f"/attachments/case/{shared['case']}/upload/",
        {"file": samples.upload(name, data), "kind": "iou"},
        headers={"Accept-Language": "en"},
    )

    assert r.status_code == 422
    form = r.context["request"].evidence_upload_form
    with translation.override("en"):
        assert form.errors == {"file": [services.refusal_message(code)]}
    assert state(evidence_dir) == before


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("/var/lib/zhichi/zhichi.sqlite3", "zhichi.sqlite3"),
        ("合同\u202efdp.exe", "合同fdp.exe"),
        ("....", "attachment"),
    ],
)
def test_a_path_traversal_name_is_cleaned_and_never_used_for_storage(
    name, kept, shared, api, evidence_dir
):
    r = api("civil1").client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"file": samples.upload(name, samples.PDF), "kind": "contract"},
        headers=api("civil1")._headers(None),
    )

    assert r.status_code == 201, r.content
    attachment = Attachment.objects.get()
    assert (r.json()["name"], attachment.original_name) == (kept, kept)
    files = stored_files(evidence_dir)
    assert files == [attachment.storage_name]
    year, month, random_name = attachment.storage_name.split("/")
    assert (len(year), len(month), len(random_name)) == (4, 2, 32)
    assert all(c in "0123456789abcdef" for c in random_name)
    assert not (evidence_dir.parent / "etc").exists()


def test_the_browser_sent_type_is_ignored(shared, api):
    r = api("civil1").client.post(
        f"/api/v1/cases/{shared['case']}/attachments",
        {"file": samples.upload("photo.pdf", samples.JPEG, "application/pdf"), "kind": "photo"},
        headers=api("civil1")._headers(None),
    )

    assert r.status_code == 201
    assert r.json()["content_type"] == "image/jpeg"
    download = api("civil1").get(r.json()["download_url"])
    assert download["Content-Type"] == "image/jpeg"
    assert 'filename="photo.pdf.jpg"' in download["Content-Disposition"]
