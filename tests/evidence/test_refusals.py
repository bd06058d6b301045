"""Refused evidence uploads (issue 12 items 9 and 15, rules R7 and R11): hostile PDFs are refused
through the service, the page and the API with nothing stored, and every refusal, whatever its
reason, leaves exactly one "denied" audit row that outlives the refusal. The row keeps the
reasons, the file's size, SHA-256 and cleaned name, and never any of its content."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection

from tests.evidence import samples
from tests.evidence.conftest import put, state
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case, CaseStatus
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.evidence import services
from zhichi.evidence.models import Attachment

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

JS_PDF = samples.pdf_file(
    samples.pdf_objects(catalog=b" /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>")
)
PDFS = [
    pytest.param(name, data, code, id=label) for label, name, data, code in samples.hostile_pdfs()
]


def refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=services.UPLOAD).order_by("id"))


def fingerprint(name: str, data: bytes) -> dict:
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def api_upload(api, user, path, name, data, **fields):
    client = api(user)
    return client.client.post(
        path,
        {"file": samples.upload(name, data), "kind": "iou", **fields},
        headers=client._headers(None),
    )


# --- hostile PDFs through the service --------------------------------------------------------
@pytest.mark.parametrize(("name", "data", "code"), PDFS)
def test_the_service_refuses_a_hostile_pdf_stores_nothing_and_audits_it(
    name, data, code, users, shared, evidence_dir
):
    with pytest.raises(InvalidInput) as refused:
        put(users["civil1"], case=shared["case"], name=name, data=data)

    assert [(e.field, e.code) for e in refused.value.errors] == [("file", code)]
    assert state(evidence_dir) == ([], [])
    [entry] = refusals()
    assert (entry.outcome, entry.object_type, entry.object_id) == (
        "denied",
        "cases.case",
        str(shared["case"]),
    )
    assert entry.detail == {"reasons": [f"file:{code}"], **fingerprint(name, data)}


@pytest.mark.parametrize(
    "data",
    [
        samples.PDF,
        samples.pdf_compressed(
            {n: samples.pdf_objects()[n] for n in (1, 4)},
            {n: samples.pdf_objects()[n] for n in (2, 3, 5)},
        ),
        samples.pdf_update(samples.PDF, {1: b"<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>"}),
    ],
    ids=["one page", "PDF 1.5 object streams", "incremental update"],
)
def test_ordinary_pdfs_are_kept(data, users, shared):
    a = put(users["civil1"], case=shared["case"], data=data)

    assert (a.content_type, a.size, a.sha256) == (
        "application/pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert [e.outcome for e in refusals()] == ["ok"]


def test_a_pdf_rendered_by_the_documents_app_is_kept(users, shared):
    from zhichi.documents.context import sample_context
    from zhichi.documents.render import render_pdf

    data = render_pdf("support_opinion", sample_context("support_opinion"))

    a = put(users["civil1"], case=shared["case"], name="支持起诉意见书.pdf", data=data)

    assert (a.content_type, a.sha256) == ("application/pdf", hashlib.sha256(data).hexdigest())


# --- every reason writes one denied row ------------------------------------------------------
def test_a_file_of_the_wrong_type_is_audited(users, shared):
    data = bytes(range(256)) * 4

    with pytest.raises(InvalidInput):
        put(users["civil1"], case=shared["case"], name="合同.pdf", data=data)

    [entry] = refusals()
    assert (entry.outcome, entry.detail) == (
        "denied",
        {"reasons": ["file:type"], **fingerprint("合同.pdf", data)},
    )


def test_an_oversized_file_is_audited_with_its_real_size(settings, users, shared):
    settings.ZHICHI = {**settings.ZHICHI, "MAX_UPLOAD_BYTES": 1024}
    data = samples.pdf_padded(4096)

    with pytest.raises(InvalidInput):
        put(users["civil1"], case=shared["case"], name="big.pdf", data=data)

    [entry] = refusals()
    assert entry.detail == {"reasons": ["file:too_large"], **fingerprint("big.pdf", data)}


def test_bad_fields_are_audited_with_every_reason(users, shared):
    with pytest.raises(InvalidInput):
        services.upload_attachment(
            actor=users["civil1"],
            file=samples.upload("a.exe", b"MZ" + b"\x00" * 10),
            kind="virus",
            description="",
            case_id=shared["case"],
        )

    [entry] = refusals()
    assert entry.detail["reasons"] == ["file:executable", "kind:choice"]


def test_an_upload_without_a_file_is_audited(users, shared):
    with pytest.raises(InvalidInput):
        services.upload_attachment(
            actor=users["civil1"], file=None, kind="iou", case_id=shared["case"]
        )

    [entry] = refusals()
    assert entry.detail == {"reasons": ["file:required"], "name": "", "size": 0, "sha256": ""}


def test_a_refusal_of_permission_is_audited_with_the_file(users, shared):
    """civil2 sees civil1's case but may not add evidence to it: 403, one denied row."""
    with pytest.raises(NotPermitted):
        put(users["civil2"], case=shared["case"], name="欠条.pdf", data=samples.PDF)

    [entry] = refusals()
    assert (entry.username, entry.outcome, entry.detail) == (
        "civil2",
        "denied",
        {"reasons": ["permission"], **fingerprint("欠条.pdf", samples.PDF)},
    )


def test_the_audit_row_never_holds_the_files_content(users, shared):
    secret = b"ID 530102198503121110 (app.alert(document.cookie))"
    data = samples.pdf_file(
        samples.pdf_objects(catalog=b" /OpenAction << /S /JavaScript /JS (" + secret + b") >>")
    )

    with pytest.raises(InvalidInput):
        put(users["civil1"], case=shared["case"], data=data)

    stored = json.dumps(refusals()[0].detail, ensure_ascii=False)
    assert "530102198503121110" not in stored
    assert "alert" not in stored


def test_a_long_or_hostile_name_is_cleaned_and_shortened(users, shared):
    name = "../../" + "证" * 300 + "\u202e.pdf"

    with pytest.raises(InvalidInput):
        put(users["civil1"], case=shared["case"], name=name, data=b"MZ\x00\x00")

    kept = refusals()[0].detail["name"]
    assert len(kept) == services.REFUSED_NAME_MAX
    assert "/" not in kept and "\u202e" not in kept
    assert kept.endswith(".pdf")


def test_the_refusal_of_a_case_closed_meanwhile_is_kept_when_the_write_rolls_back(
    users, shared, evidence_dir, monkeypatch
):
    """The case closes while the file is being stored: the transaction that would have kept the
    attachment rolls back, the stored file is removed, and the refusal's audit row stays."""
    store = services.evidence_storage()
    real_save = store.save

    def save_then_close(name, content, *args, **kwargs):
        saved = real_save(name, content, *args, **kwargs)
        Case.objects.filter(pk=shared["case"]).update(status=CaseStatus.CLOSED)
        return saved

    monkeypatch.setattr(store, "save", save_then_close)
    monkeypatch.setattr(services, "evidence_storage", lambda: store)

    with pytest.raises(InvalidInput) as refused:
        put(users["civil1"], case=shared["case"], data=samples.PDF)

    assert [(e.field, e.code) for e in refused.value.errors] == [("case", "closed")]
    assert state(evidence_dir) == ([], [])
    [entry] = refusals()
    assert (entry.outcome, entry.detail["reasons"]) == ("denied", ["case:closed"])


# --- the page and the API --------------------------------------------------------------------
def test_the_case_page_refuses_a_hostile_pdf_with_one_audit_row(web, shared, evidence_dir):
    r = web("civil1").post(
        f"/attachments/case/{shared['case']}/upload/",
        {"file": samples.upload("通知.pdf", JS_PDF), "kind": "iou"},
    )

    assert r.status_code == 422
    assert state(evidence_dir) == ([], [])
    [entry] = refusals()
    assert (entry.username, entry.outcome, entry.detail) == (
        "civil1",
        "denied",
        {"reasons": ["file:active_content"], **fingerprint("通知.pdf", JS_PDF)},
    )


def test_the_lead_page_refuses_a_hostile_pdf_with_one_audit_row(web, world, evidence_dir):
    before = state(evidence_dir)
    count = AuditEntry.objects.filter(action=services.UPLOAD).count()

    r = web("hrss1").post(
        f"/attachments/lead/{world['lead']}/upload/",
        {"file": samples.upload("工资表.pdf", JS_PDF), "kind": "payroll"},
    )

    assert r.status_code == 422
    assert state(evidence_dir) == before
    rows = refusals()[count:]
    assert [(e.username, e.outcome, e.object_id) for e in rows] == [
        ("hrss1", "denied", str(world["lead"]))
    ]


@pytest.mark.parametrize(("name", "data", "code"), PDFS)
def test_the_api_refuses_a_hostile_pdf_with_one_audit_row(
    name, data, code, api, shared, evidence_dir
):
    r = api_upload(api, "civil1", f"/api/v1/cases/{shared['case']}/attachments", name, data)

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", code)]
    assert Attachment.objects.count() == 0
    assert state(evidence_dir) == ([], [])
    assert [(e.outcome, e.detail["reasons"]) for e in refusals()] == [("denied", [f"file:{code}"])]


def test_the_api_audits_a_forbidden_upload(api, shared):
    r = api_upload(api, "civil2", f"/api/v1/cases/{shared['case']}/attachments", "a.pdf", b"x")

    assert r.status_code == 403
    assert [(e.username, e.outcome, e.detail["reasons"]) for e in refusals()] == [
        ("civil2", "denied", ["permission"])
    ]


@pytest.mark.django_db(transaction=True)
def test_the_refusal_row_is_committed_by_the_api_request(api, shared):
    """Without a test transaction around it: the row is in the database for good after the 422
    (a row written inside the refused write's transaction would have been rolled back)."""
    r = api_upload(api, "civil1", f"/api/v1/cases/{shared['case']}/attachments", "a.pdf", JS_PDF)

    assert r.status_code == 422
    assert not connection.in_atomic_block
    assert [(e.outcome, e.detail["sha256"]) for e in refusals()] == [
        ("denied", hashlib.sha256(JS_PDF).hexdigest())
    ]
