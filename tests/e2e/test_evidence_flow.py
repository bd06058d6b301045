"""Evidence on the case page in a real browser (rule R11): upload, refusal, download.

civil1 attaches a small real PDF to a case through the attachments section's file input and sees
it listed with the start of its SHA-256; an HTML page renamed .pdf is refused at the field (HTTP
422) with nothing new listed or stored; and the PDF downloads back byte for byte.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page (the refusal) it takes them from the same translation catalogue the page
uses (the UI's default language, zh-hans).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, lead_payload, make_credit_code, make_id
from tests.evidence.samples import PDF
from zhichi.cases.models import Case
from zhichi.evidence import sniff
from zhichi.evidence.models import Attachment
from zhichi.evidence.services import refusal_message
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
SCREENSHOT_PATH = "docs/img/attachments.png"
PAGE_LANGUAGE = "zh-hans"

PDF_NAME = "劳动合同（E2E）.pdf"
PDF_SHA256 = hashlib.sha256(PDF).hexdigest()
DESCRIPTION = "用工单位与申请人签订的劳动合同（E2E-证据）"
HTML_AS_PDF = b"<html><body><script>alert(1)</script>hi</body></html>"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


# --- set-up ---------------------------------------------------------------------------------


@pytest.fixture
def evidence_dir(settings, tmp_path) -> Path:
    """This test's own evidence store (the live server runs in this process and reads the same
    settings), so "nothing stored" can be checked on disk."""
    path = tmp_path / "evidence"
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_DIR": path, "EVIDENCE_STORAGE": "filesystem"}
    return path


def stored_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def open_case(users) -> Case:
    """An open wage case of civil1 (filed and accepted by civil1), with no attachment."""
    lead = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(
                claimants=[
                    {
                        "name": "郑春华",
                        "id_number": make_id(birth="19910214", seq="731"),
                        "amount_claimed": "9000.00",
                        "months_unpaid": 3,
                    }
                ],
                respondents=[
                    {
                        "kind": "organisation",
                        "name": "昆明某餐饮管理有限公司（E2E）",
                        "credit_code": make_credit_code(),
                    }
                ],
            )
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


# --- browser helpers --------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def submit(page: Page, button: Locator, *, expected_status: int = 200) -> None:
    """Click a submit button and wait for the page the server answers with (after redirects)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


def choose_file(page: Page, name: str, data: bytes, mime: str = "application/pdf") -> None:
    page.locator("#id_attachment_file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


# --- the test -------------------------------------------------------------------------------


def test_officer_uploads_a_pdf_is_refused_an_html_file_and_downloads_the_pdf_intact(
    page: Page, browser_errors, e2e_users, evidence_dir
):
    # the refused upload answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    case = open_case(e2e_users)
    case_path = f"/cases/{case.pk}/"
    upload_action = f"/attachments/case/{case.pk}/upload/"

    log_in(page, "civil1")
    page.goto(case_path)
    section = page.locator("section#attachments")
    expect(section.locator("tbody tr")).to_have_count(0)
    form = section.locator(f'form[action="{upload_action}"][enctype="multipart/form-data"]')
    expect(form).to_be_visible()

    # --- a small real PDF ------------------------------------------------------------------------
    choose_file(page, PDF_NAME, PDF)
    form.locator("#id_attachment_kind").select_option("contract")
    form.locator("#id_attachment_description").fill(DESCRIPTION)
    submit(page, form.locator("[type=submit]"))
    page.wait_for_url(re.compile(re.escape(case_path) + "(#attachments)?$"))
    expect(page.locator(".zc-messages .alert-success")).to_be_visible()

    attachment = Attachment.objects.get(case=case)
    assert attachment.sha256 == PDF_SHA256 and attachment.size == len(PDF)
    assert len(stored_files(evidence_dir)) == 1
    download_path = f"/attachments/{attachment.pk}/download/"
    section = page.locator("section#attachments")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(f'a[href="{download_path}"]')).to_contain_text(PDF_NAME)
    sha = row.locator("abbr.font-monospace")
    expect(sha).to_have_text(PDF_SHA256[:12])
    expect(sha).to_have_attribute("title", PDF_SHA256)
    expect(row).to_contain_text(DESCRIPTION)
    if SCREENSHOTS:
        section.scroll_into_view_if_needed()
        section.screenshot(path=SCREENSHOT_PATH)

    # --- an HTML page renamed .pdf: refused at the field, nothing stored ------------------------
    form = section.locator(f'form[action="{upload_action}"]')
    choose_file(page, "证据材料.pdf", HTML_AS_PDF)
    form.locator("#id_attachment_kind").select_option("other")
    submit(page, form.locator("[type=submit]"), expected_status=422)
    field = page.locator("#id_attachment_file")
    expect(field).to_have_attribute("aria-invalid", "true")
    with translation.override(PAGE_LANGUAGE):
        refusal = refusal_message(sniff.ACTIVE)
    expect(page.locator("#id_attachment_file_error")).to_have_text(refusal)
    # the file is the only field in error, and the kind chosen is kept
    expect(page.locator("section#attachments form [aria-invalid=true]")).to_have_count(1)
    expect(page.locator("#id_attachment_kind")).to_have_value("other")
    rows = page.locator("section#attachments tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(f'a[href="{download_path}"]')).to_have_count(1)
    assert list(Attachment.objects.filter(case=case).values_list("pk", flat=True)) == [
        attachment.pk
    ]
    assert len(stored_files(evidence_dir)) == 1

    # --- the PDF downloads back exactly as it was uploaded -------------------------------------
    with page.expect_download() as info:
        rows.first.locator(f'a[href="{download_path}"]').click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data == PDF
    assert hashlib.sha256(data).hexdigest() == PDF_SHA256
