"""The notice of non-acceptance (不予受理通知书, rule DOC-1) of a declined lead."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import lead_payload
from tests.documents.conftest import declined_lead, docx_text, pdf_text
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.documents import services
from zhichi.documents.models import IssuedDocument
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
YEAR = timezone.localdate().year


def test_doc1_notice_of_non_acceptance_says_why_and_where_to_turn(users):
    lead = declined_lead(users)
    doc = services.issue_lead_document(lead_id=lead.pk, actor=users["civil1"])
    assert doc.number == f"五华检民支不受〔{YEAR}〕1号" and doc.case_id is None
    for text in (pdf_text(bytes(doc.pdf)), docx_text(bytes(doc.docx))):
        flat = text.replace("\n", "")
        assert "不予受理通知书" in flat and lead.receipt_code in flat
        assert "该纠纷已经人民法院立案受理" in flat and "劳动人事争议仲裁委员会申请仲裁" in flat
        assert "申请人71" in flat
    with pytest.raises(InvalidInput):
        services.issue_lead_document(lead_id=lead.pk, actor=users["civil1"])
    again = services.issue_lead_document(lead_id=lead.pk, actor=users["civil1"], reason="更正")
    assert again.number == doc.number and again.replaces_id == doc.pk


def test_only_a_declined_lead_and_only_its_deciders(users):
    lead = intake_services.create_lead(actor=users["hrss1"], data=validate_lead(lead_payload()))
    with pytest.raises(InvalidInput):
        services.issue_lead_document(lead_id=lead.pk, actor=users["civil1"])
    declined = declined_lead(users, "72")
    for who in ("hrss1", "criminal1", "outsider", "registrar1"):
        with pytest.raises(NotPermitted):
            services.issue_lead_document(lead_id=declined.pk, actor=users[who])
    assert not IssuedDocument.objects.exists()


def test_lead_page_and_api(users, web, api):
    lead = declined_lead(users, "73")
    page = web("civil1").get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="documents"' in page and "Issue the notice" in page
    assert 'id="documents"' not in web("hrss1").get(f"/leads/{lead.pk}/").content.decode()
    r = web("civil1").post(f"/documents/leads/{lead.pk}/issue/")
    assert r.status_code == 302 and r["Location"].endswith("#documents")
    doc = IssuedDocument.objects.get()
    assert web("civil1").get(f"/documents/{doc.pk}/pdf/").status_code == 200
    assert web("hrss1").get(f"/documents/{doc.pk}/pdf/").status_code == 404
    got = api("civil1").get(
        f"/api/v1/leads/{lead.pk}/documents/not_acceptance_notice", {"format": "docx"}
    )
    assert got.status_code == 200 and got.content == bytes(doc.docx)
    re_issue = api("civil1").post(f"/api/v1/leads/{lead.pk}/documents", {"reason": "补正"})
    assert re_issue.status_code == 201 and re_issue.json()["replaces"] == doc.pk
    assert (
        api("hrss1").get(f"/api/v1/leads/{lead.pk}/documents/not_acceptance_notice").status_code
        == 404
    )
