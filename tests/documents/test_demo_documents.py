"""Done when (issue: documents): a case officer can produce every document of the demo cases in
both formats, with the right numbers and amounts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.documents.conftest import docx_text, pdf_text
from zhichi.accounts.models import User
from zhichi.cases.models import Case
from zhichi.common.errors import InvalidInput
from zhichi.core.money import rmb_capital
from zhichi.documents import services
from zhichi.documents.models import DocumentKind, IssuedDocument
from zhichi.intake.models import Lead, LeadStatus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_every_kind_can_be_issued_from_the_demo_data():
    call_command("seed_demo", "--force", "--leads=120", stdout=StringIO())
    issued: dict[str, int] = {}
    for case in Case.objects.select_related("officer").order_by("id"):
        if case.officer is None:
            continue
        for kind in DocumentKind.values:
            if kind == "not_acceptance_notice" or issued.get(kind, 0) >= 2:
                continue
            try:
                doc = services.issue_document(case_id=case.pk, kind=kind, actor=case.officer)
            except InvalidInput as exc:
                # the case lacks the record this document is made from (never another error)
                assert exc.errors[0].field == "kind", exc.errors
                continue
            issued[kind] = issued.get(kind, 0) + 1
            text = pdf_text(bytes(doc.pdf)).replace("\n", "")
            assert doc.number in text and doc.number in docx_text(bytes(doc.docx))
            if kind == "support_opinion":
                assert rmb_capital(case.claimed_total) in text
    lead = Lead.objects.filter(status=LeadStatus.DECLINED).first()
    decider = User.objects.get(username="civil1")
    notice = services.issue_lead_document(lead_id=lead.pk, actor=decider)
    issued["not_acceptance_notice"] = 1
    assert lead.receipt_code in pdf_text(bytes(notice.pdf))
    assert set(issued) == set(DocumentKind.values), issued
    # numbers are gap-free per kind
    for kind in ("acceptance_notice", "support_opinion", "visit_record"):
        numbers = list(
            IssuedDocument.objects.filter(kind=kind).order_by("id").values_list("number", flat=True)
        )
        assert [n.split("〕")[1] for n in numbers] == [f"{i}号" for i in range(1, len(numbers) + 1)]
