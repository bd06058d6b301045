"""The case file (卷宗) export: a ZIP of the current documents and the evidence with an index PDF,
built in the background with progress; scoped like the documents."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from tests.documents.conftest import build_full_case, pdf_text
from tests.transfers.conftest import upload
from zhichi.common.errors import NotPermitted
from zhichi.documents import casefile, casefile_build, services
from zhichi.documents.models import CaseFileExport

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def filed_case(users):
    case = build_full_case(users)
    upload(users["civil1"], case, "劳动合同.pdf")
    for kind in ("acceptance_notice", "support_opinion"):
        services.issue_document(case_id=case.pk, kind=kind, actor=users["civil1"])
    services.issue_document(
        case_id=case.pk, kind="acceptance_notice", actor=users["civil1"], reason="更正"
    )
    return case


def test_case_file_zip_has_current_documents_evidence_and_an_index(
    users, filed_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = casefile.request_export(case_id=filed_case.pk, actor=users["civil1"])
    export.refresh_from_db()
    assert (export.status, export.progress) == ("done", 100)
    assert export.items_done == export.items_total == 2 * 2 + 1 + casefile_build.RECORDS + 1
    with casefile.open_zip(export) as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == export.sha256 and len(data) == export.size
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    # the replaced acceptance notice is not in the file; its re-issue is (same number, once)
    assert sum(n.startswith("文书/") for n in names) == 4
    assert any(n.startswith("证据/") and n.endswith("劳动合同.pdf") for n in names)
    index = pdf_text(archive.read("目录.pdf")).replace("\n", "")
    assert filed_case.number in index and "卷宗目录" in index
    # issue 13 item 10: the case file's own records, each listed in the index
    for name in ("封面.pdf", "案件摘要.pdf", "时间线.pdf", "资金台账.pdf"):
        assert f"案件材料/{name}" in names and name.removesuffix(".pdf") in index
    cover = pdf_text(archive.read("案件材料/封面.pdf")).replace("\n", "")
    assert filed_case.number in cover and "卷" in cover and "宗" in cover
    timeline = pdf_text(archive.read("案件材料/时间线.pdf")).replace("\n", "")
    assert "document_issued" not in timeline and filed_case.number in timeline
    ledger = pdf_text(archive.read("案件材料/资金台账.pdf")).replace("\n", "")
    assert "资金台账" in ledger and "合计" in ledger
    contract = next(n for n in names if n.startswith("证据/"))
    assert hashlib.sha256(archive.read(contract)).hexdigest()[:20] in index.replace(" ", "")


def test_case_file_pages_show_progress_and_download(
    users, web, filed_case, django_capture_on_commit_callbacks
):
    client = web("civil1")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/documents/cases/{filed_case.pk}/case-file/")
    export = CaseFileExport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/documents/case-files/{export.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert 'aria-valuenow="100"' in page and f"/documents/case-files/{export.pk}/download/" in page
    partial = client.get(r["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="export-progress"') and "hx-trigger" not in partial
    zipped = client.get(f"/documents/case-files/{export.pk}/download/")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    assert web("outsider").get(f"/documents/case-files/{export.pk}/").status_code == 404
    assert web("hrss1").get(f"/documents/case-files/{export.pk}/download/").status_code == 404


def test_a_queued_export_polls_and_has_no_download(users, web, filed_case):
    export = casefile.request_export(case_id=filed_case.pk, actor=users["civil1"])  # not run
    page = web("civil1").get(f"/documents/case-files/{export.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="0"' in page
    assert web("civil1").get(f"/documents/case-files/{export.pk}/download/").status_code == 404


def test_case_file_api(users, api, filed_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api("chief").post(f"/api/v1/cases/{filed_case.pk}/case-file")
    assert r.status_code == 202
    export_id = r.json()["id"]
    body = api("chief").get(f"/api/v1/case-files/{export_id}").json()
    assert (body["status"], body["progress"]) == ("done", 100)
    zipped = api("chief").get(f"/api/v1/case-files/{export_id}/download")
    assert zipped.status_code == 200 and zipfile.is_zipfile(
        io.BytesIO(b"".join(zipped.streaming_content))
    )
    assert api("hrss1").post(f"/api/v1/cases/{filed_case.pk}/case-file").status_code == 404
    assert api("outsider").get(f"/api/v1/case-files/{export_id}").status_code == 404


def test_only_the_procuratorate_exports(users, filed_case):
    with pytest.raises(NotPermitted):
        casefile.request_export(case_id=filed_case.pk, actor=users["hrss1"])
    assert not CaseFileExport.objects.exists()


def test_issue13_item10_the_ledger_record_lists_every_payment_reversed_and_overpaid_marked(
    users, django_capture_on_commit_callbacks
):
    from tests.cases.ledger_cases import judge, party_ids, pay, three_worker_case
    from zhichi.cases.services.payments import reverse_payment

    officer = users["civil1"]
    case = three_worker_case(officer)
    judge(case, officer)
    first = party_ids(case)[0]
    wrong = pay(case, officer, first, "5000.00")
    reverse_payment(payment_id=wrong.pk, actor=officer, data={"reason": "误录为王小明的款项"})
    pay(case, officer, first, "9479.03", overpayment_reason="用人单位多汇一百元")

    with django_capture_on_commit_callbacks(execute=True):
        export = casefile.request_export(case_id=case.pk, actor=officer)
    export.refresh_from_db()
    with casefile.open_zip(export) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    ledger = pdf_text(archive.read("案件材料/资金台账.pdf")).replace("\n", "")

    assert "支付记录" in ledger
    assert "5,000.00" in ledger and "已冲正" in ledger and "误录为王小明的款项" in ledger
    assert "9,479.03" in ledger and "用人单位多汇一百元" in ledger
    assert "多付" in ledger and "100.00" in ledger  # the overpaid column, never a negative
