"""The case file (卷宗) export's progress bar, and replacing a document template, in a browser.

The export page polls its progress (htmx, every second): an export waiting in the queue shows 0 %,
the test builds it the way the background worker would, and the page turns to 100 % with the
download by itself. The system administrator's broken template is refused at the file field; a
good one is used for the next document's DOCX.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Page, expect

from tests.documents.conftest import build_full_case, docx_text, docx_with
from tests.e2e.conftest import log_in
from zhichi.documents import casefile_build, services
from zhichi.documents.models import CaseFileExport, DocumentTemplate, IssuedDocument

pytestmark = pytest.mark.e2e


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_case_file_progress_moves_and_the_zip_downloads(page: Page, law_library):
    users = law_library
    case = build_full_case(users)
    services.issue_document(case_id=case.pk, kind="support_opinion", actor=users["civil1"])
    # queued as the page's button queues it, not yet taken by a worker
    export = CaseFileExport.objects.create(case=case, requested_by=users["civil1"])

    log_in(page, "civil1")
    page.goto(f"/documents/case-files/{export.pk}/")
    box = page.locator("#export-progress")
    expect(box.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", "0")
    expect(box.locator('[data-testid="export-status"]')).to_have_text(
        zh(gettext_lazy("Waiting to start"))
    )
    expect(box.locator("a[href$='/download/']")).to_have_count(0)

    casefile_build.build(export.pk)  # what the worker does

    # the page polls and turns to done by itself
    expect(box.locator('[data-testid="export-status"]')).to_have_text(
        zh(gettext_lazy("Ready")), timeout=10000
    )
    expect(box.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as caught:
        box.locator(f'a[href="/documents/case-files/{export.pk}/download/"]').click()
    data = Path(caught.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "目录.pdf" in names and any(n.startswith("文书/") for n in names)


def test_the_case_page_button_exports_the_case_file(page: Page, law_library):
    users = law_library
    case = build_full_case(users)
    log_in(page, "civil1")
    page.goto(f"/cases/{case.pk}/")
    page.locator(
        f'section#documents form[action="/documents/cases/{case.pk}/case-file/"] button'
    ).click()
    page.wait_for_url(re.compile(r"/documents/case-files/\d+/$"))
    # the test settings run background work at once: the export is ready on arrival
    expect(page.locator('[data-testid="export-status"]')).to_have_text(zh(gettext_lazy("Ready")))
    assert CaseFileExport.objects.get(case=case).status == "done"


def test_administrator_replaces_a_template_and_the_next_docx_uses_it(
    page: Page, browser_errors, law_library
):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    users = law_library
    log_in(page, "sysadmin")
    page.goto("/documents/templates/")
    form = page.locator("form#template-form")
    form.locator("#id_kind").select_option("acceptance_notice")
    form.locator("#id_file").set_input_files(
        {
            "name": "坏模板.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_with("{{ 不存在 }}"),
        }
    )
    with page.expect_navigation() as nav:
        form.locator("[type=submit]").click()
    assert nav.value.status == 422
    expect(page.locator("#id_file_error")).to_be_visible()
    assert not DocumentTemplate.objects.exists()

    form = page.locator("form#template-form")
    form.locator("#id_kind").select_option("acceptance_notice")
    form.locator("#id_file").set_input_files(
        {
            "name": "新模板.docx",
            "mimeType": "application/octet-stream",
            "buffer": docx_with(
                "受理通知书（新版） {{ number }}", "{{ applicants_line }}：{{ case_number }}"
            ),
        }
    )
    with page.expect_navigation() as nav:
        form.locator("[type=submit]").click()
    assert nav.value.status == 200
    template = DocumentTemplate.objects.get()
    assert (template.version, template.active) == (1, True)
    expect(page.locator('a[href="/documents/templates/acceptance_notice/1.docx"]')).to_have_count(1)

    case = build_full_case(users)
    doc = services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert doc.template_version == "v1"
    assert docx_text(bytes(IssuedDocument.objects.get(pk=doc.pk).docx)).startswith(
        "受理通知书（新版）"
    )
