"""Rule R4 (and issue 12 item 2): a raw dump of the database and of the private file store holds
none of the seeded identifiers in plaintext — every table, every file — after the demo data, every
kind of document, an evidence file that spells a number out, and a case file."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from zhichi.accounts.models import User
from zhichi.cases.models import Case
from zhichi.common.errors import InvalidInput
from zhichi.documents import casefile, services
from zhichi.documents.models import DocumentKind, IssuedDocument
from zhichi.evidence.services import upload_attachment
from zhichi.intake.models import Lead, LeadStatus
from zhichi.parties import crypto
from zhichi.parties.models import Party, PartyKind

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.integration]


def _text(value) -> str:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("latin-1") + bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _issue_every_kind() -> set[str]:
    issued: set[str] = set()
    for case in Case.objects.select_related("officer").order_by("id"):
        if case.officer is None:
            continue
        for kind in set(DocumentKind.values) - issued - {"not_acceptance_notice"}:
            try:
                services.issue_document(case_id=case.pk, kind=kind, actor=case.officer)
            except InvalidInput:
                continue
            issued.add(kind)
    # and a court document on an open case, which can still take evidence
    for case in Case.objects.filter(status="open").exclude(officer=None).order_by("id"):
        try:
            services.issue_document(case_id=case.pk, kind="support_opinion", actor=case.officer)
            break
        except InvalidInput:
            continue
    lead = Lead.objects.filter(status=LeadStatus.DECLINED).first()
    services.issue_lead_document(lead_id=lead.pk, actor=User.objects.get(username="civil1"))
    return issued | {"not_acceptance_notice"}


def test_r4_no_seeded_identifier_in_any_table_or_stored_file(django_capture_on_commit_callbacks):
    call_command("seed_demo", "--force", "--leads=60", stdout=StringIO())
    people = list(Party.objects.filter(kind=PartyKind.PERSON))
    ids = {p.id_number for p in people if p.id_number}
    phones = {p.phone for p in people if p.phone}
    assert len(ids) > 30 and len(phones) > 10

    issued = _issue_every_kind()
    assert {"support_opinion", "acceptance_notice", "visit_record"} <= issued
    opinion = IssuedDocument.objects.filter(kind="support_opinion", case__status="open").first()
    case = opinion.case  # open, so evidence can still be added
    claimant = case.parties.filter(role="claimant").first().party
    officer = case.officer
    # an evidence file that spells a claimant's number and phone out, in plain text
    upload_attachment(
        actor=officer,
        file=SimpleUploadedFile(
            "说明.txt",
            f"申请人身份证号{claimant.id_number}，电话{claimant.phone}".encode(),
            content_type="text/plain",
        ),
        kind="other",
        case_id=case.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        export = casefile.request_export(case_id=case.pk, actor=officer)
    export.refresh_from_db()
    assert export.status == "done" and export.full_identifiers

    secrets = ids | phones
    tables = connection.introspection.table_names()
    assert len(tables) > 40
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None or isinstance(value, (int, float, bool)):
                        continue
                    text = _text(value)
                    leaked = [s for s in secrets if s in text]
                    assert not leaked, (table, leaked[:1])

    root = Path(settings.ZHICHI["EVIDENCE_DIR"])
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 2  # the evidence file and the case file
    for path in files:
        data = path.read_bytes()
        assert data.startswith(crypto.SEAL_MAGIC), path
        text = _text(data)
        leaked = [s for s in secrets if s in text]
        assert not leaked, (path.name, leaked[:1])
