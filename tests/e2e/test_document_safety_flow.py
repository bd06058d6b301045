"""Issue 12 items 1 and 3 in a browser: the system administrator's template that tries to run code
is refused at the file field with what it used, and the registrar, who may not unmask, sees and
downloads only the masked copy of the support opinion."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.documents.conftest import build_full_case, docx_with, pdf_text
from tests.e2e.conftest import log_in
from zhichi.audit.models import AuditEntry
from zhichi.documents import services
from zhichi.documents.models import DocumentTemplate

pytestmark = pytest.mark.e2e

PROBE = "{{ {}[cycler.__init__.__globals__.os.popen('id').read()] }}"


def test_item1_a_template_that_runs_code_is_refused_at_the_field(
    page: Page, law_library, browser_errors
):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page, "sysadmin")
    page.goto("/documents/templates/")
    form = page.locator("form#template-form")
    form.locator("#id_kind").select_option("support_opinion")
    form.locator("#id_file").set_input_files(
        {
            "name": "看似正常.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_with("{{ number }}", PROBE),
        }
    )
    with page.expect_navigation() as nav:
        form.locator("[type=submit]").click()
    assert nav.value.status == 422
    error = page.locator("#id_file_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("cycler")
    expect(error).to_contain_text("__init__")
    expect(error).not_to_contain_text("uid=")
    assert not DocumentTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="document.template", outcome="denied").count() == 1


def test_item3_the_registrar_gets_the_masked_copy_of_the_support_opinion(page: Page, law_library):
    users = law_library
    case = build_full_case(users)
    doc = services.issue_document(case_id=case.pk, kind="support_opinion", actor=users["civil1"])
    party = case.parties.filter(role="claimant").first().party

    log_in(page, "registrar1")
    page.goto(f"/cases/{case.pk}/#documents")
    row = page.locator("#documents tbody tr", has_text=doc.number)
    expect(row.locator(f'a[href="/documents/{doc.pk}/pdf/?copy=1"]')).to_have_count(1)
    expect(row.locator(f'a[href="/documents/{doc.pk}/pdf/"]')).to_have_count(0)
    with page.expect_download() as download:
        row.locator(f'a[href="/documents/{doc.pk}/pdf/?copy=1"]').click()
    text = pdf_text(download.value.path().read_bytes()).replace("\n", "")
    assert party.id_number not in text and party.id_number_masked in text
    assert not AuditEntry.objects.filter(action="case.unmask", username="registrar1").exists()
