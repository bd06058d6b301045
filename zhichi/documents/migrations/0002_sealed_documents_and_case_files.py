# Issued documents and case files sealed at rest (rule R4); masked copies of court documents;
# one pending case-file build per case and variant.

import json

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    """Seal what was stored in clear: each document's context and files, every evidence file and
    every built case file in the private store."""
    from zhichi.evidence.storage import evidence_storage
    from zhichi.parties import crypto

    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for doc in IssuedDocument.objects.all().iterator(chunk_size=100):
        doc.context_sealed = crypto.encrypt(json.dumps(doc.context or {}, ensure_ascii=False))
        doc.docx_sealed = crypto.seal(bytes(doc.docx))
        doc.pdf_sealed = crypto.seal(bytes(doc.pdf))
        doc.save(update_fields=["context_sealed", "docx_sealed", "pdf_sealed"])

    store = evidence_storage()
    Attachment = apps.get_model("evidence", "Attachment")
    CaseFileExport = apps.get_model("documents", "CaseFileExport")
    for model in (Attachment, CaseFileExport):
        for row in model.objects.exclude(storage_name="").iterator(chunk_size=100):
            if not store.inner.exists(row.storage_name):
                continue
            resealed = store.reseal(row.storage_name)
            if resealed:
                old = row.storage_name
                model.objects.filter(pk=row.pk).update(storage_name=resealed)
                store.delete(old)
    # case files built before held the court documents' originals
    CaseFileExport.objects.update(full_identifiers=True)
    # one pending build per case: the older duplicates of a burst are marked failed
    seen = set()
    for export in CaseFileExport.objects.filter(status__in=["queued", "running"]).order_by(
        "-requested_at", "-id"
    ):
        if export.case_id in seen:
            CaseFileExport.objects.filter(pk=export.pk).update(
                status="failed", error="superseded by a newer request"
            )
        seen.add(export.case_id)


def unseal_existing(apps, schema_editor):
    """Back to the schema before: documents and files in clear again (what that schema means)."""
    from django.core.files.base import ContentFile

    from zhichi.evidence.storage import evidence_storage
    from zhichi.parties import crypto

    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for doc in IssuedDocument.objects.all().iterator(chunk_size=100):
        if doc.context_sealed:
            doc.context = json.loads(crypto.decrypt(doc.context_sealed))
        doc.docx = crypto.unseal(bytes(doc.docx_sealed)) if doc.docx_sealed else b""
        doc.pdf = crypto.unseal(bytes(doc.pdf_sealed)) if doc.pdf_sealed else b""
        doc.save(update_fields=["context", "docx", "pdf"])
    store = evidence_storage()
    Attachment = apps.get_model("evidence", "Attachment")
    CaseFileExport = apps.get_model("documents", "CaseFileExport")
    for model in (Attachment, CaseFileExport):
        for row in model.objects.exclude(storage_name="").iterator(chunk_size=100):
            if not store.inner.exists(row.storage_name):
                continue
            with store.inner.open(row.storage_name, "rb") as raw:
                if not crypto.is_sealed(raw.read(crypto.SEAL_HEADER)):
                    continue
            with store.open(row.storage_name) as plain:
                data = plain.read()
            name = store.inner.save(row.storage_name + ".plain", ContentFile(data))
            old = row.storage_name
            model.objects.filter(pk=row.pk).update(storage_name=name)
            store.inner.delete(old)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("evidence", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="casefileexport",
            name="fingerprint",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="casefileexport",
            name="full_identifiers",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="context_sealed",
            field=models.TextField(default=""),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="copy_docx_sealed",
            field=models.BinaryField(default=b""),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="copy_pdf_sealed",
            field=models.BinaryField(default=b""),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="docx_sealed",
            field=models.BinaryField(default=b""),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="pdf_sealed",
            field=models.BinaryField(default=b""),
        ),
        migrations.AlterField(
            model_name="casefileexport",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting to start"),
                    ("running", "Being built"),
                    ("done", "Ready"),
                    ("failed", "Failed"),
                    ("expired", "Expired"),
                ],
                default="queued",
                max_length=8,
            ),
        ),
        # defaults on the clear fields, so that going back can add them again to existing rows
        migrations.AlterField(
            model_name="issueddocument", name="docx", field=models.BinaryField(default=b"")
        ),
        migrations.AlterField(
            model_name="issueddocument", name="pdf", field=models.BinaryField(default=b"")
        ),
        migrations.RunPython(seal_existing, unseal_existing, elidable=False),
        migrations.RemoveField(model_name="issueddocument", name="context"),
        migrations.RemoveField(model_name="issueddocument", name="docx"),
        migrations.RemoveField(model_name="issueddocument", name="pdf"),
        migrations.AddConstraint(
            model_name="casefileexport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("case", "full_identifiers"),
                name="case_file_one_pending",
            ),
        ),
    ]
