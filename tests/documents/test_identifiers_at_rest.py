"""Issue 12 items 2, 3 and 14: documents and case files keep identifiers sealed at rest, reach only
those who may unmask in full (logged as an unmask), and case-file builds are not a way to exhaust
the server."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.documents.conftest import build_full_case, docx_text, pdf_text
from tests.transfers.conftest import upload
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import RateLimited
from zhichi.documents import casefile, casefile_build, services
from zhichi.documents.models import CaseFileExport, IssuedDocument
from zhichi.evidence.storage import evidence_storage
from zhichi.parties import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def opinion(users):
    case = build_full_case(users)
    upload(users["civil1"], case, "劳动合同.pdf")
    doc = services.issue_document(case_id=case.pk, kind="support_opinion", actor=users["civil1"])
    party = case.parties.filter(role="claimant").first().party
    return case, doc, party


def _raw_row(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed name
        row = cursor.fetchone()
    return " ".join(
        bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v) for v in row
    )


# --- item 2: sealed at rest ------------------------------------------------------------------------
def test_item2_the_document_row_holds_no_identifier_and_no_readable_file(opinion):
    _case, doc, party = opinion
    raw = _raw_row("documents_issueddocument", doc.pk)
    assert party.id_number not in raw and party.name not in raw
    stored = IssuedDocument.objects.get(pk=doc.pk)
    for field in ("docx_sealed", "pdf_sealed", "copy_docx_sealed", "copy_pdf_sealed"):
        blob = bytes(getattr(stored, field))
        assert blob.startswith(crypto.SEAL_MAGIC), field
        assert b"%PDF" not in blob and b"PK\x03\x04" not in blob, field
    # the plain files come back through the model, checked against their SHA-256
    assert party.id_number in pdf_text(stored.pdf).replace("\n", "")
    assert stored.context["number"] == doc.number


def test_item2_a_tampered_document_is_refused_not_served(opinion, web):
    _case, doc, _party = opinion
    sealed = bytearray(bytes(IssuedDocument.objects.get(pk=doc.pk).pdf_sealed))
    sealed[60] ^= 0x01
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf_sealed=bytes(sealed))
    with pytest.raises(crypto.SealError):
        IssuedDocument.objects.get(pk=doc.pk).file("pdf")


def test_item2_case_files_and_evidence_are_sealed_in_the_private_store(
    users, opinion, django_capture_on_commit_callbacks
):
    case, _doc, party = opinion
    with django_capture_on_commit_callbacks(execute=True):
        export = casefile.request_export(case_id=case.pk, actor=users["civil1"])
    export.refresh_from_db()
    assert export.status == "done"
    root = Path(settings.ZHICHI["EVIDENCE_DIR"])
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 2
    for path in files:
        data = path.read_bytes()
        assert data.startswith(crypto.SEAL_MAGIC), path
        assert party.id_number.encode() not in data
    # read through the store, the ZIP is whole and its digest is the recorded one
    with casefile.open_zip(export) as handle:
        plain = handle.read()
    assert zipfile.ZipFile(io.BytesIO(plain)).testzip() is None


def test_item2_rotation_reseals_documents_files_and_identifiers(users, opinion, settings):
    case, doc, party = opinion
    number = party.id_number
    new_key = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleTE="
    old = settings.ZHICHI["ENCRYPTION_KEYS"]
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new_key, *old]}
    from django.core.management import call_command

    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "documents" in out.getvalue()
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new_key]}  # the old key is gone
    doc = IssuedDocument.objects.get(pk=doc.pk)
    assert number in pdf_text(doc.pdf).replace("\n", "")
    party.refresh_from_db()
    assert party.id_number == number
    # the blind index follows the new key: the person is still found by number
    from zhichi.parties.models import Party

    assert Party.objects.filter(id_number_index=crypto.blind_index("id", number)).exists()
    attachment = case.attachments.get()
    with evidence_storage().open(attachment.storage_name) as handle:
        assert handle.read()[:4] == b"%PDF"
    assert AuditEntry.objects.filter(action="keys.rotate").exists()


# --- item 3: the unmask rule holds for documents and case files -------------------------------------
def test_item3_whoever_may_not_unmask_gets_the_masked_copy(users, opinion, web, api):
    case, doc, party = opinion
    for client in (
        web("registrar1").get(f"/documents/{doc.pk}/pdf/"),
        api("registrar1").get(f"/api/v1/cases/{case.pk}/documents/support_opinion"),
    ):
        assert client.status_code == 200
        text = pdf_text(client.content).replace("\n", "")
        assert party.id_number not in text and party.id_number_masked in text
    word = web("registrar1").get(f"/documents/{doc.pk}/docx/")
    assert party.id_number not in docx_text(word.content)
    assert not AuditEntry.objects.filter(action="case.unmask", username="registrar1").exists()


def test_item3_a_full_copy_is_logged_as_an_unmask_with_who_which_and_why(users, opinion, api):
    case, doc, party = opinion
    r = api("civil1").get(
        f"/api/v1/cases/{case.pk}/documents/support_opinion",
        {"format": "docx", "purpose": "向法院提交"},
    )
    assert r.status_code == 200 and party.id_number in docx_text(r.content)
    entry = AuditEntry.objects.get(action="case.unmask", username="civil1")
    assert entry.object_id == str(case.pk)
    assert entry.detail["document"] == doc.pk and entry.detail["number"] == doc.number
    assert entry.detail["purpose"] == "向法院提交" and entry.detail["via"] == "api"
    # the copy asked for is masked and no unmask is logged for it
    copy = api("civil1").get(f"/api/v1/cases/{case.pk}/documents/support_opinion", {"copy": 1})
    assert party.id_number not in pdf_text(copy.content).replace("\n", "")
    assert AuditEntry.objects.filter(action="case.unmask").count() == 1


def test_item3_case_files_are_masked_for_whoever_may_not_unmask(
    users, opinion, web, django_capture_on_commit_callbacks
):
    case, _doc, party = opinion
    with django_capture_on_commit_callbacks(execute=True):
        full = casefile.request_export(case_id=case.pk, actor=users["civil1"])
        masked = casefile.request_export(case_id=case.pk, actor=users["registrar1"])
    assert (full.full_identifiers, masked.full_identifiers) == (True, False)
    assert full.pk != masked.pk
    got = web("registrar1").get(f"/documents/case-files/{masked.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content)))
    opinion_pdf = next(n for n in archive.namelist() if n.endswith("（副本）.pdf"))
    text = pdf_text(archive.read(opinion_pdf)).replace("\n", "")
    assert party.id_number not in text and party.id_number_masked in text
    # the full case file is not theirs to see, nor listed for them
    assert web("registrar1").get(f"/documents/case-files/{full.pk}/download/").status_code == 404
    assert web("registrar1").get(f"/documents/case-files/{full.pk}/").status_code == 404
    page = web("registrar1").get(f"/cases/{case.pk}/").content.decode()
    assert f"/documents/case-files/{full.pk}/" not in page
    # the officer's download of the full one is an unmask in the audit trail
    web("civil1").get(f"/documents/case-files/{full.pk}/download/")
    entry = AuditEntry.objects.get(action="case.unmask", username="civil1")
    assert entry.detail["case_file"] == full.pk


# --- item 14: no resource exhaustion through case files ---------------------------------------------
def test_item14_one_pending_build_per_case_and_an_unchanged_case_gets_the_last_zip(
    users, opinion, django_capture_on_commit_callbacks
):
    case, _doc, _party = opinion
    first = casefile.request_export(case_id=case.pk, actor=users["civil1"])  # queued, not built
    again = [casefile.request_export(case_id=case.pk, actor=users["civil1"]) for _ in range(5)]
    assert {e.pk for e in again} == {first.pk}
    assert CaseFileExport.objects.count() == 1
    casefile_build.build(first.pk)
    assert casefile.request_export(case_id=case.pk, actor=users["civilhead"]).pk == first.pk
    # a change in the case (a new document) gives a new case file
    services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert casefile.request_export(case_id=case.pk, actor=users["civil1"]).pk != first.pk


def test_item14_case_file_builds_are_rate_limited_per_user(users, settings, api):
    settings.ZHICHI = {**settings.ZHICHI, "CASEFILE_PER_HOUR": 2}
    cases = [build_full_case(users, seq=str(60 + i)) for i in range(3)]
    for case in cases[:2]:
        casefile.request_export(case_id=case.pk, actor=users["civil1"])
    with pytest.raises(RateLimited):
        casefile.request_export(case_id=cases[2].pk, actor=users["civil1"])
    r = api("civil1").post(f"/api/v1/cases/{cases[2].pk}/case-file")
    assert r.status_code == 429 and r["Retry-After"] == "3600" and r.json()["detail"]
    assert CaseFileExport.objects.count() == 2
    assert AuditEntry.objects.filter(action="casefile.request", outcome="denied").count() == 2
    # another user is not held back by civil1's requests
    assert casefile.request_export(case_id=cases[2].pk, actor=users["civilhead"])


def test_item14_old_case_files_expire_and_their_zip_is_deleted(
    users, opinion, web, django_capture_on_commit_callbacks
):
    case, _doc, _party = opinion
    with django_capture_on_commit_callbacks(execute=True):
        export = casefile.request_export(case_id=case.pk, actor=users["civil1"])
    export.refresh_from_db()
    name = export.storage_name
    assert evidence_storage().exists(name)
    CaseFileExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"] + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        from django.core.management import call_command

        call_command("purge_case_files", stdout=io.StringIO())
    export.refresh_from_db()
    assert (export.status, export.storage_name) == ("expired", "")
    assert not evidence_storage().exists(name)
    assert web("civil1").get(f"/documents/case-files/{export.pk}/download/").status_code == 404
    page = web("civil1").get(f"/documents/case-files/{export.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Export the case file again" in page.content.decode()
