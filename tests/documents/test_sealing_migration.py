"""Rule R14 for documents 0002: documents stored in clear before are sealed by the migration, and
going back gives them in clear again; evidence files written in clear are sealed too."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests.migrating import migrate as _migrate
from tests.migrating import migrate_to_latest
from tests.transfers.conftest import wage_case
from zhichi.evidence.storage import evidence_storage
from zhichi.parties import crypto

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

BEFORE = [("documents", "0001_initial")]
AFTER = [("documents", "0002_sealed_documents_and_case_files")]


def test_r14_the_sealing_migration_seals_and_unseals_existing_documents_and_files(users):
    case = wage_case(users, consent=True, seq="91")
    store = evidence_storage()
    plain_evidence = store.inner.save("2026/12/legacy", ContentFile(b"%PDF-1.4 legacy evidence"))
    from zhichi.evidence.models import Attachment

    Attachment.objects.create(
        case=case,
        organisation=case.organisation,
        uploaded_by=users["civil1"],
        extension="pdf",
        kind="contract",
        original_name="旧合同.pdf",
        content_type="application/pdf",
        size=24,
        sha256="0" * 64,
        storage_name=plain_evidence,
    )
    try:
        old = _migrate(BEFORE)
        Doc = old.get_model("documents", "IssuedDocument")
        doc = Doc.objects.create(
            case_id=case.pk,
            kind="acceptance_notice",
            number="五华检民支受〔2026〕9号",
            context={"number": "五华检民支受〔2026〕9号", "claimant_lines": ["张三"]},
            template_version="builtin-1",
            docx=b"PK\x03\x04 docx bytes",
            docx_sha256="a" * 64,
            pdf=b"%PDF-1.4 pdf bytes",
            pdf_sha256="b" * 64,
            issued_by_id=users["civil1"].pk,
        )

        new = _migrate(AFTER)
        row = new.get_model("documents", "IssuedDocument").objects.get(pk=doc.pk)
        assert bytes(row.pdf_sealed).startswith(crypto.SEAL_MAGIC)
        assert crypto.unseal(bytes(row.pdf_sealed)) == b"%PDF-1.4 pdf bytes"
        assert crypto.unseal(bytes(row.docx_sealed)) == b"PK\x03\x04 docx bytes"
        assert "张三" in crypto.decrypt(row.context_sealed)
        assert "张三" not in row.context_sealed
        attachment = Attachment.objects.get(case=case)
        with store.inner.open(attachment.storage_name, "rb") as raw:
            assert raw.read(4) == crypto.SEAL_MAGIC
        with store.open(attachment.storage_name) as handle:
            assert handle.read() == b"%PDF-1.4 legacy evidence"
        assert not store.inner.exists(plain_evidence)

        back = _migrate(BEFORE)
        again = back.get_model("documents", "IssuedDocument").objects.get(pk=doc.pk)
        assert bytes(again.pdf) == b"%PDF-1.4 pdf bytes"
        assert again.context["claimant_lines"] == ["张三"]
        attachment.refresh_from_db()
        with store.inner.open(attachment.storage_name, "rb") as raw:
            assert raw.read() == b"%PDF-1.4 legacy evidence"
    finally:
        migrate_to_latest()
