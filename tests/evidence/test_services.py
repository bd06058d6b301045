"""Upload and download services: SHA-256, storage, audit, rollback, who sees what."""

from __future__ import annotations

import hashlib

import pytest
from django.http import Http404

from tests.evidence import samples
from tests.evidence.conftest import put, state, stored_files
from zhichi.audit.models import AuditEntry
from zhichi.cases.services import disposal
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.evidence import rules, services
from zhichi.evidence.models import Attachment
from zhichi.intake import services as intake_services
from zhichi.parties import crypto

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_records_the_sha256_size_and_sniffed_type(users, shared, evidence_dir):
    data = samples.ACCEPTED["docx"][0]

    a = put(users["civil1"], case=shared["case"], name="劳动合同.docx", data=data, kind="contract")

    assert (a.sha256, a.size, a.extension, a.original_name) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
        "docx",
        "劳动合同.docx",
    )
    assert a.content_type.endswith("wordprocessingml.document")
    assert (a.organisation.code, a.uploaded_by.username, a.case_id, a.lead_id) == (
        "WHPROC",
        "civil1",
        shared["case"],
        None,
    )
    stored = (evidence_dir / a.storage_name).read_bytes()
    assert stored.startswith(crypto.SEAL_MAGIC) and crypto.unseal(stored) == data  # rule R4
    assert services.verify_attachment(a) is True


def test_upload_is_audited_with_the_hash(users, shared):
    a = put(users["civil1"], case=shared["case"])

    entry = AuditEntry.objects.get(action="attachment.upload")
    assert (entry.username, entry.object_id, entry.outcome) == ("civil1", str(a.pk), "ok")
    assert (entry.detail["sha256"], entry.detail["case"], entry.detail["storage_name"]) == (
        a.sha256,
        shared["case"],
        a.storage_name,
    )


def test_round_trip_download_is_byte_for_byte_with_safe_headers(users, shared):
    data = samples.ACCEPTED["jpeg"][0]
    a = put(users["civil1"], case=shared["case"], name="现场照片.jpg", data=data, kind="photo")

    response = services.attachment_response(attachment=a, actor=users["civil2"], via="page")

    body = _body(response)
    assert hashlib.sha256(body).hexdigest() == a.sha256
    assert (response["Content-Type"], response["Content-Length"]) == ("image/jpeg", str(len(data)))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_every_download_writes_an_audit_row(users, shared):
    a = put(users["civil1"], case=shared["case"])

    for via in ("page", "api", "transfer"):
        _body(services.attachment_response(attachment=a, actor=users["chief"], via=via))

    rows = AuditEntry.objects.filter(action="attachment.download").order_by("id")
    assert [(r.username, r.object_id, r.detail["via"], r.detail["sha256"]) for r in rows] == [
        ("chief", str(a.pk), via, a.sha256) for via in ("page", "api", "transfer")
    ]


def test_a_tampered_file_fails_verification(users, shared, evidence_dir):
    a = put(users["civil1"], case=shared["case"])
    (evidence_dir / a.storage_name).write_bytes(samples.PDF + b"% changed")

    assert services.verify_attachment(a) is False


def test_a_file_changed_while_sealed_fails_verification(users, shared, evidence_dir):
    a = put(users["civil1"], case=shared["case"])
    path = evidence_dir / a.storage_name
    sealed = bytearray(path.read_bytes())
    sealed[-20] ^= 0x01
    path.write_bytes(bytes(sealed))

    assert services.verify_attachment(a) is False


def test_a_missing_file_fails_verification_and_its_download_is_audited_as_failed(
    users, shared, evidence_dir
):
    a = put(users["civil1"], case=shared["case"])
    (evidence_dir / a.storage_name).unlink()

    assert services.verify_attachment(a) is False
    with pytest.raises(OSError):
        services.attachment_response(attachment=a, actor=users["civil1"], via="page")
    entry = AuditEntry.objects.filter(action="attachment.download").get()
    assert entry.outcome == "failed"


def test_when_the_database_write_fails_the_stored_file_is_removed(
    users, shared, evidence_dir, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Attachment.objects, "create", broken)

    with pytest.raises(RuntimeError):
        put(users["civil1"], case=shared["case"])

    assert stored_files(evidence_dir) == []
    assert not AuditEntry.objects.filter(action="attachment.upload", outcome="ok").exists()


def test_a_closed_case_takes_no_evidence(users, shared, evidence_dir):
    disposal.close_case(
        case_id=shared["case"], actor=users["civil1"], data={"outcome": "withdrawn", "note": "撤回"}
    )

    with pytest.raises(InvalidInput) as refused:
        put(users["civil1"], case=shared["case"])
    with pytest.raises(InvalidInput):
        put(users["hrss1"], lead=shared["lead"])  # nor through the lead it came from

    assert [(e.field, e.code) for e in refused.value.errors] == [("case", "closed")]
    assert state(evidence_dir) == ([], [])


def test_kind_and_description_are_checked(users, shared, evidence_dir):
    with pytest.raises(InvalidInput) as refused:
        services.upload_attachment(
            actor=users["civil1"],
            file=None,
            kind="virus",
            description="长" * 501,
            case_id=shared["case"],
        )

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("kind", "choice"),
        ("description", "max_length"),
        ("file", "required"),
    ]
    assert state(evidence_dir) == ([], [])


def test_attach_to_exactly_one_of_case_or_lead(users, shared):
    with pytest.raises(ValueError):
        put(users["civil1"], case=shared["case"], lead=shared["lead"])
    with pytest.raises(ValueError):
        put(users["civil1"])


def test_who_may_add_evidence(users, shared, world):
    # a partner on a case it may see (consent to share), not on one it may not see
    assert put(users["hrss1"], case=shared["case"]).organisation.code == "WHHRSS"
    with pytest.raises(Http404):
        put(users["hrss1"], case=world["case"])
    # a colleague who may see the case but not work on it
    with pytest.raises(NotPermitted):
        put(users["civil2"], case=shared["case"])
    # a lead: the partner that referred it, the procuratorate's case officers
    assert put(users["hrss1"], lead=world["lead"]).lead_id == world["lead"]
    assert put(users["civil2"], lead=world["lead"]).lead_id == world["lead"]
    with pytest.raises(NotPermitted):
        put(users["registrar1"], lead=world["lead"])
    with pytest.raises(Http404):
        put(users["wf1"], lead=world["lead"])
    with pytest.raises(Http404):
        put(users["sysadmin"], lead=world["lead"])


def test_a_partner_downloads_its_own_upload_but_not_the_procuratorates(users, shared):
    own = put(users["hrss1"], case=shared["case"], name="工资表.pdf")
    theirs = put(users["civil1"], case=shared["case"], name="询问笔录.pdf")

    assert rules.get_attachment_for(users["hrss1"], own.pk) == own
    with pytest.raises(Http404):
        rules.get_attachment_for(users["hrss1"], theirs.pk)
    with pytest.raises(Http404):
        rules.get_attachment_for(users["wf1"], own.pk)
    # the procuratorate sees both
    assert {a.pk for a in rules.case_attachments(users["civil2"], own.case)} == {own.pk, theirs.pk}


def test_administrators_never_see_evidence(users, shared):
    a = put(users["civil1"], case=shared["case"])

    for admin in ("sysadmin", "secadmin", "auditor"):
        with pytest.raises(Http404):
            rules.get_attachment_for(users[admin], a.pk)


def test_the_leads_attachments_appear_on_the_case_after_acceptance(users, world):
    lead_id = world["lead"]
    case = intake_services.accept_lead(lead_id=lead_id, actor=users["civil1"])
    on_case = put(users["civil1"], case=case.pk)

    seen = {a.pk for a in rules.case_attachments(users["civil1"], case)}

    assert seen == {world["partner_att"], world["staff_att"], on_case.pk}
    # the referring partner, which may not see the case (no consent), still sees its own upload
    # on the lead
    assert {a.pk for a in rules.lead_attachments(users["hrss1"], case.lead)} == {
        world["partner_att"]
    }


def test_gb18030_text_is_kept_as_uploaded(users, shared):
    data = samples.TEXT_GB18030

    a = put(users["civil1"], case=shared["case"], name="欠条.txt", data=data)
    response = services.attachment_response(attachment=a, actor=users["civil1"], via="api")

    assert (a.content_type, _body(response)) == ("text/plain; charset=gb18030", data)
