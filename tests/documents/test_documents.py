"""Documents (rules DOC-1, DOC-2): every kind in both formats with the same content, numbering,
re-issue, identifiers by addressee, and the pages and API."""

from __future__ import annotations

import hashlib
import io
import threading

import docx
import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.documents.conftest import build_full_case, docx_text, pdf_fonts, pdf_text
from tests.transfers.conftest import wage_case
from zhichi.accounts.models import NumberSequence
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.core.money import rmb_capital
from zhichi.documents import services
from zhichi.documents.models import DocumentKind, IssuedDocument, NumberPattern

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

YEAR = timezone.localdate().year


def not_supported_case(users):
    from zhichi.cases.services import disposal
    from zhichi.cases.services.approvals import decide_approval

    case = wage_case(users, consent=False, seq="87")
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=users["civil1"],
        data={"decision": "not_support", "reasons": "申请人具有诉讼能力，且已委托律师。"},
    )
    decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)
    return case


def issue(users, case, kind, **kw):
    return services.issue_document(case_id=case.pk, kind=kind, actor=users["civil1"], **kw)


CASE_KINDS = [k for k in DocumentKind.values if k != "not_acceptance_notice"]


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_doc1_each_kind_renders_both_formats_with_the_same_content(users, full_case, kind):
    if kind == "not_support_decision":
        full_case = not_supported_case(users)
    doc = issue(users, full_case, kind)
    pdf, word = pdf_text(bytes(doc.pdf)), docx_text(bytes(doc.docx))
    for text in (pdf, word):
        flat = text.replace("\n", "")
        assert doc.number in flat
        assert full_case.number in flat or kind == "mediation_agreement"
    # the same words in both: every line of the DOCX is in the PDF's text
    flat_pdf = pdf.replace("\n", "").replace(" ", "")
    for line in word.splitlines():
        if line.strip():
            assert line.replace(" ", "") in flat_pdf, line
    assert doc.docx_sha256 == hashlib.sha256(bytes(doc.docx)).hexdigest()
    assert doc.pdf_sha256 == hashlib.sha256(bytes(doc.pdf)).hexdigest()
    # CJK fonts embedded in the PDF
    fonts = pdf_fonts(bytes(doc.pdf))
    assert any(name.startswith("embedded:") and "CJK" in name for name in fonts), fonts


def test_doc2_amounts_in_capitals_and_names(users, full_case):
    opinion = issue(users, full_case, "support_opinion")
    text = pdf_text(bytes(opinion.pdf)).replace("\n", "")
    assert rmb_capital(full_case.claimed_total) in text
    claimant = full_case.parties.filter(role="claimant").first().party
    assert claimant.name in text
    agreement = issue(users, full_case, "mediation_agreement")
    words = docx_text(bytes(agreement.docx))
    assert "人民币壹万捌仟元整" in words and "人民币玖仟元整" in words


def test_doc1_court_document_carries_full_identifiers_copies_are_masked(users, full_case, web):
    doc = issue(users, full_case, "support_opinion")
    party = full_case.parties.filter(role="claimant").first().party
    original = pdf_text(bytes(doc.pdf)).replace("\n", "")
    assert party.id_number in original
    copy = web("civil1").get(f"/documents/{doc.pk}/pdf/?copy=1")
    assert copy.status_code == 200
    masked = pdf_text(copy.content).replace("\n", "")
    assert party.id_number not in masked and party.id_number_masked in masked
    # a notice to the applicant is masked
    notice = issue(users, full_case, "acceptance_notice")
    assert party.id_number not in docx_text(bytes(notice.docx))


def test_docx_is_chinese_for_wps_and_word(users, full_case):
    doc = issue(users, full_case, "acceptance_notice")
    d = docx.Document(io.BytesIO(bytes(doc.docx)))
    xml = d.styles["Normal"].element.xml
    assert 'w:eastAsia="zh-CN"' in xml and "仿宋" in xml


def test_numbering_by_pattern_gap_free_and_per_kind(users, full_case):
    first = issue(users, full_case, "acceptance_notice")
    assert first.number == f"五华检民支受〔{YEAR}〕1号"
    other = wage_case(users, consent=False, seq="82")
    assert issue(users, other, "acceptance_notice").number == f"五华检民支受〔{YEAR}〕2号"
    assert issue(users, full_case, "support_opinion").number == f"五华检民支诉〔{YEAR}〕1号"
    # a failed issue takes no number
    third = wage_case(users, consent=False, seq="83")
    with pytest.raises(InvalidInput):
        issue(users, third, "support_opinion")  # no approved support decision
    assert issue(users, third, "acceptance_notice").number == f"五华检民支受〔{YEAR}〕3号"


def test_numbering_pattern_is_configurable_per_organisation(users, full_case):
    NumberPattern.objects.create(
        organisation=full_case.organisation,
        kind="acceptance_notice",
        pattern="{short}受〔{year}〕{seq}号",
    )
    assert issue(users, full_case, "acceptance_notice").number == f"五华检受〔{YEAR}〕1号"


def test_transfer_letter_and_suggestion_carry_their_own_numbers(users, full_case):
    transfer = full_case.transfers.get()
    assert issue(users, full_case, "transfer_letter").number == transfer.number
    suggestion = full_case.suggestions.get()
    assert issue(users, full_case, "suggestion").number == suggestion.number


def test_reissue_needs_a_reason_keeps_the_number_and_the_old_one(users, full_case):
    first = issue(users, full_case, "acceptance_notice")
    with pytest.raises(InvalidInput) as exc:
        issue(users, full_case, "acceptance_notice")
    assert exc.value.errors[0].field == "reason"
    second = issue(users, full_case, "acceptance_notice", reason="更正承办人")
    assert second.number == first.number and second.replaces_id == first.pk
    first.refresh_from_db()
    assert not first.current and second.current
    assert IssuedDocument.objects.filter(case=full_case).count() == 2
    assert AuditEntry.objects.filter(action="document.reissue").count() == 1


def test_documents_need_their_record(users):
    case = wage_case(users, consent=False, seq="84")
    for kind in (
        "support_opinion",
        "not_support_decision",
        "transfer_letter",
        "suggestion",
        "assistance_decision",
        "visit_record",
        "mediation_agreement",
    ):
        with pytest.raises(InvalidInput) as exc:
            issue(users, case, kind)
        assert exc.value.errors[0].field == "kind"
    assert IssuedDocument.objects.count() == 0


def test_only_officer_or_head_issue(users, full_case):
    for who in ("civil2", "chief", "criminal1", "hrss1"):
        with pytest.raises(NotPermitted):
            services.issue_document(
                case_id=full_case.pk, kind="acceptance_notice", actor=users[who]
            )
    assert AuditEntry.objects.filter(action="document.issue", outcome="denied").count() == 4


@pytest.mark.django_db(transaction=True)
def test_numbering_unique_under_concurrent_issuing(users):
    cases = [wage_case(users, consent=False, seq=f"9{i}") for i in range(4)]
    numbers: list[str] = []
    errors: list[BaseException] = []

    def worker(case):
        try:
            with transaction.atomic():
                pass
            numbers.append(issue(users, case, "acceptance_notice").number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == sorted(f"五华检民支受〔{YEAR}〕{n}号" for n in range(1, 5))


# --- pages and API --------------------------------------------------------------------------------
def test_issue_page_and_case_section(users, web, full_case):
    client = web("civil1")
    bad = client.post(f"/documents/cases/{full_case.pk}/issue/", {"kind": "nonsense"})
    assert bad.status_code == 422 and IssuedDocument.objects.count() == 0
    ok = client.post(f"/documents/cases/{full_case.pk}/issue/", {"kind": "acceptance_notice"})
    assert ok.status_code == 302
    doc = IssuedDocument.objects.get()
    page = client.get(f"/cases/{full_case.pk}/").content.decode()
    assert doc.number in page and f"/documents/{doc.pk}/pdf/" in page
    pdf = client.get(f"/documents/{doc.pk}/pdf/?inline=1")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    word = client.get(f"/documents/{doc.pk}/docx/")
    assert word.content == bytes(doc.docx) and word["Content-Disposition"].startswith("attachment")
    assert web("outsider").get(f"/documents/{doc.pk}/pdf/").status_code == 404
    assert web("hrss1").get(f"/documents/{doc.pk}/pdf/").status_code == 404
    assert web("chief").get(f"/documents/cases/{full_case.pk}/issue/").status_code == 403


def test_item16_api_get_never_issues_and_answers_404_until_a_post_issues(users, api, full_case):
    url = f"/api/v1/cases/{full_case.pk}/documents/support_opinion"
    before = AuditEntry.objects.filter(action="document.issue").count()
    assert api("civil1").get(url, {"format": "docx"}).status_code == 404
    assert not IssuedDocument.objects.exists()
    assert NumberSequence.objects.filter(kind__startswith="doc:").count() == 0
    assert AuditEntry.objects.filter(action="document.issue").count() == before
    issued = api("civil1").post(
        f"/api/v1/cases/{full_case.pk}/documents", {"kind": "support_opinion"}
    )
    assert issued.status_code == 201, issued.content[:300]
    r = api("civil1").get(url, {"format": "docx"})
    assert r.status_code == 200, r.content[:300]
    doc = IssuedDocument.objects.get()
    assert r.content == bytes(doc.docx)
    again = api("civil1").get(url, {"format": "pdf"})
    assert again.content == bytes(doc.pdf) and IssuedDocument.objects.count() == 1
    assert api("civil1").get(f"/api/v1/cases/{full_case.pk}/documents/nope").status_code == 404
    assert (
        api("civil1")
        .get(f"/api/v1/cases/{full_case.pk}/documents/acceptance_notice", {"format": "odt"})
        .status_code
        == 422
    )
    listing = api("chief").get(f"/api/v1/cases/{full_case.pk}/documents").json()
    assert [d["number"] for d in listing] == [doc.number]
    assert api("hrss1").get(f"/api/v1/cases/{full_case.pk}/documents").status_code == 404
    assert (
        api("outsider").get(f"/api/v1/cases/{full_case.pk}/documents/support_opinion").status_code
        == 404
    )


def test_api_post_issues_and_reissues(users, api, full_case):
    url = f"/api/v1/cases/{full_case.pk}/documents"
    first = api("civil1").post(url, {"kind": "visit_record"})
    assert first.status_code == 201 and first.json()["number"] == f"五华检民支访〔{YEAR}〕1号"
    again = api("civil1").post(url, {"kind": "visit_record"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "reason"
    second = api("civil1").post(url, {"kind": "visit_record", "reason": "补充回访内容"})
    assert second.status_code == 201 and second.json()["replaces"] == first.json()["id"]
    assert api("chief").post(url, {"kind": "visit_record"}).status_code == 403


def test_full_case_builder_is_usable_twice(users):
    # the builder makes independent cases (the concurrency and access tests build more than one)
    a, b = build_full_case(users, "85"), build_full_case(users, "86")
    assert a.pk != b.pk


def test_documents_are_chinese_whatever_the_issuers_language(users, full_case):
    from django.utils import translation

    with translation.override("en"):
        doc = issue(users, full_case, "visit_record")
    text = docx_text(bytes(doc.docx))
    assert "电话" in text and "Phone" not in text and "Claimant" not in text


def test_a_first_issue_keeps_no_reason_and_a_bad_record_id_is_refused(users, web, full_case):
    doc = issue(users, full_case, "acceptance_notice", reason="无需理由")
    assert doc.reason == ""
    r = web("civil1").post(
        f"/documents/cases/{full_case.pk}/issue/", {"kind": "visit_record", "subject_id": "abc"}
    )
    assert r.status_code == 422 and "subject_id" in r.context["form"].errors
    assert IssuedDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": {"a": 1}}, "kind"),
        ({"kind": ["visit_record"]}, "kind"),
        ({"kind": "visit_record", "subject_id": "²"}, "subject_id"),
        ({"kind": "visit_record", "subject_id": {}}, "subject_id"),
        ({"kind": "visit_record", "reason": {"why": "x"}}, "reason"),
    ],
    ids=["kind-object", "kind-list", "subject-superscript", "subject-object", "reason-object"],
)
def test_api_issue_refuses_values_of_the_wrong_type_at_the_field_issue12_item10(
    users, api, full_case, body, field
):
    """A subject id of "²" passed str.isdigit() and raised ValueError in int() (a 500); an object
    was taken as the reason's text."""
    response = api("civil1").post(f"/api/v1/cases/{full_case.pk}/documents", body)

    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert IssuedDocument.objects.count() == 0


def test_api_lead_notice_refuses_a_reason_that_is_not_text(users, api):
    from tests.documents.conftest import declined_lead

    lead = declined_lead(users)
    response = api("civil1").post(f"/api/v1/leads/{lead.pk}/documents", {"reason": ["x"]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
