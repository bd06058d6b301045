"""Documents of a case in a real browser (C11, rules DOC-1, DOC-2).

A case from which every kind of document can be issued (``build_full_case`` of
tests/documents/conftest.py, set up through the services in the live server's database). In the
browser civil1 opens the case page, whose documents section says nothing is issued yet; issues
the notice of acceptance from "Issue a document" and is brought back to the case page with its
number listed; issues the support opinion; tries to re-issue the notice without a reason — refused
at the reason field (HTTP 422), nothing issued — then with a reason: the number is kept and the
old notice is listed as replaced. The Preview link answers the PDF (its text holds the number)
and the DOCX link downloads the Word file (its text holds the case number).

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page it takes them from the translation catalogue the page uses (zh-hans).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from playwright.sync_api import Locator, Page, expect

from tests.documents.conftest import build_full_case, docx_text, pdf_text
from tests.e2e.conftest import log_in
from zhichi.documents.models import DocumentKind, IssuedDocument

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
SECTION_SCREENSHOT = "docs/img/documents-section.png"
PAGE_LANGUAGE = "zh-hans"

REISSUE_REASON = "申请人姓名有误，更正后重新出具（E2E-重新出具）"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def zh_format(msgid: str, **values) -> str:
    """A message with placeholders, as the page shows it."""
    with translation.override(PAGE_LANGUAGE):
        return gettext(msgid) % values


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces the layout puts in."""
    return re.sub(r"\s+", "", text)


# --- set-up through the services ------------------------------------------------------------


# --- browser helpers --------------------------------------------------------------------------


def submit(page: Page, button: Locator, *, expected_status: int = 200) -> None:
    """Click a submit button and wait for the page the server answers with (after redirects)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


def issue_from_case_page(page: Page, case_path: str, issue_path: str) -> Locator:
    """Follow "Issue a document" from the case's documents section; the issue form."""
    page.locator(f'section#documents a[href="{issue_path}"]').click()
    page.wait_for_url(re.compile(re.escape(issue_path) + "$"))
    form = page.locator("form#issue-form")
    expect(form).to_be_visible()
    expect(page.locator("main h1")).to_have_text(zh(gettext_lazy("Issue a document")))
    # Cancel leads back to the case, at its documents section
    expect(form.locator(f'a[href="{case_path}#documents"]')).to_have_count(1)
    return form


def document_rows(page: Page) -> Locator:
    return page.locator("section#documents tbody tr")


def row_of(page: Page, doc: IssuedDocument) -> Locator:
    """The row of one issued document (its download links carry its id)."""
    row = document_rows(page).filter(has=page.locator(f'a[href="/documents/{doc.pk}/docx/"]'))
    expect(row).to_have_count(1)
    return row


def expect_row(page: Page, doc: IssuedDocument, *, current: bool, reason: str = "") -> None:
    row = row_of(page, doc)
    cells = row.locator("td")
    replaced = cells.nth(0).locator(".badge")
    if current:
        expect(cells.nth(0)).to_have_text(doc.number)
        expect(replaced).to_have_count(0)
    else:
        expect(cells.nth(0)).to_contain_text(doc.number)
        expect(replaced).to_have_text(zh(gettext_lazy("replaced")))
    expect(cells.nth(1)).to_contain_text(zh(DocumentKind(doc.kind).label))
    if reason:
        expect(cells.nth(1).locator(".small")).to_have_text(
            f"{zh(gettext_lazy('Re-issued'))}{zh(pgettext_lazy('after a label', ':'))} {reason}"
        )
    else:
        expect(cells.nth(1).locator(".small")).to_have_count(0)
    expect(cells.nth(2)).to_contain_text(doc.issued_by.display_name)
    files = cells.nth(3)
    expect(files.locator(f'a[href="/documents/{doc.pk}/pdf/?inline=1"]')).to_have_text(
        zh(gettext_lazy("Preview"))
    )
    expect(files.locator(f'a[href="/documents/{doc.pk}/pdf/"]')).to_have_text("PDF")
    expect(files.locator(f'a[href="/documents/{doc.pk}/docx/"]')).to_have_text("DOCX")
    expect(files.locator(".font-monospace")).to_have_text(doc.pdf_sha256[:12])


def section_screenshot(page: Page, case_path: str) -> None:
    """The case page (reloaded without the #documents fragment, so the browser does not scroll
    smoothly to it on its own) scrolled at once to just above the documents section."""
    page.emulate_media(reduced_motion="reduce")
    page.goto(case_path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.locator("section#documents").evaluate(
        "el => window.scrollTo({top: el.getBoundingClientRect().top + window.scrollY - 16,"
        " behavior: 'instant'})"
    )
    top = page.locator("section#documents").evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top <= 32, top
    Path(SECTION_SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SECTION_SCREENSHOT)


# --- the test ---------------------------------------------------------------------------------


def test_officer_issues_reissues_previews_and_downloads_documents(
    page: Page, browser_errors, law_library
):
    # the refused re-issue answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    users = law_library
    year = timezone.localdate().year
    notice_number = f"五华检民支受〔{year}〕1号"
    opinion_number = f"五华检民支诉〔{year}〕1号"
    case = build_full_case(users)
    case_path = f"/cases/{case.pk}/"
    issue_path = f"/documents/cases/{case.pk}/issue/"
    assert not IssuedDocument.objects.exists()

    # --- civil1 opens the case: nothing issued yet ------------------------------------------------
    log_in(page, "civil1")
    page.goto(case_path)
    section = page.locator("section#documents")
    expect(section.locator("#h-documents")).to_have_text(zh(gettext_lazy("Documents")))
    expect(section.locator("table")).to_have_count(0)
    expect(section.locator(".card-body")).to_have_text(
        zh(
            gettext_lazy(
                "No document issued yet. Issue the notice of acceptance, the support opinion, "
                "letters and records from here once the case has what they need."
            )
        )
    )
    expect(section.locator(f'a[href="{issue_path}"]')).to_have_text(
        zh(gettext_lazy("Issue a document"))
    )

    # --- the notice of acceptance: numbered, back on the case page ---------------------------------
    form = issue_from_case_page(page, case_path, issue_path)
    form.locator("#id_kind").select_option(DocumentKind.ACCEPTANCE_NOTICE.value)
    submit(page, form.locator("button[type=submit]"))
    assert page.url.endswith(f"{case_path}#documents"), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh_format("Issued %(number)s.", number=notice_number)
    )
    notice = IssuedDocument.objects.select_related("issued_by").get()
    assert (notice.kind, notice.number, notice.reason) == (
        DocumentKind.ACCEPTANCE_NOTICE,
        notice_number,
        "",
    )
    expect(document_rows(page)).to_have_count(1)
    expect_row(page, notice, current=True)
    expect(page.locator("section#documents .card-body")).to_have_count(0)

    # --- the support opinion, from the approved support decision ---------------------------------
    form = issue_from_case_page(page, case_path, issue_path)
    form.locator("#id_kind").select_option(DocumentKind.SUPPORT_OPINION.value)
    submit(page, form.locator("button[type=submit]"))
    assert page.url.endswith(f"{case_path}#documents"), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh_format("Issued %(number)s.", number=opinion_number)
    )
    opinion = IssuedDocument.objects.select_related("issued_by").get(
        kind=DocumentKind.SUPPORT_OPINION
    )
    assert opinion.number == opinion_number
    expect(document_rows(page)).to_have_count(2)
    expect_row(page, notice, current=True)
    expect_row(page, opinion, current=True)
    # the court document offers the masked copy for the applicant
    expect(
        row_of(page, opinion).locator(f'a[href="/documents/{opinion.pk}/pdf/?copy=1"]')
    ).to_have_text(zh(gettext_lazy("masked copy")))
    expect(
        row_of(page, notice).locator(f'a[href="/documents/{notice.pk}/pdf/?copy=1"]')
    ).to_have_count(0)

    # --- re-issuing the notice without a reason: refused at the field, nothing issued ------------
    form = issue_from_case_page(page, case_path, issue_path)
    form.locator("#id_kind").select_option(DocumentKind.ACCEPTANCE_NOTICE.value)
    submit(page, form.locator("button[type=submit]"), expected_status=422)
    assert page.url.endswith(issue_path), page.url
    form = page.locator("form#issue-form")
    reason = form.locator("#id_reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#id_reason_error")).to_have_text(
        zh_format(
            "This document was issued as %(number)s: give the reason to re-issue it.",
            number=notice_number,
        )
    )
    # the reason is the only field in error, and the kind chosen is kept
    expect(form.locator("[aria-invalid=true]")).to_have_count(1)
    expect(form.locator("#id_kind")).to_have_value(DocumentKind.ACCEPTANCE_NOTICE.value)
    assert IssuedDocument.objects.count() == 2

    # --- with a reason: re-issued under the same number, the old one replaced --------------------
    reason.fill(REISSUE_REASON)
    submit(page, form.locator("button[type=submit]"))
    assert page.url.endswith(f"{case_path}#documents"), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh_format("Issued %(number)s.", number=notice_number)
    )
    assert IssuedDocument.objects.count() == 3
    reissued = IssuedDocument.objects.select_related("issued_by").get(replaces=notice)
    assert (reissued.kind, reissued.number, reissued.reason) == (
        DocumentKind.ACCEPTANCE_NOTICE,
        notice_number,
        REISSUE_REASON,
    )
    expect(document_rows(page)).to_have_count(3)
    expect_row(page, reissued, current=True, reason=REISSUE_REASON)
    expect_row(page, notice, current=False)
    expect_row(page, opinion, current=True)
    # the current notice is listed before the one it replaced
    expect(document_rows(page).nth(0).locator("td").nth(0)).to_have_text(notice_number)
    expect(row_of(page, notice)).to_have_class(re.compile(r"\btext-body-secondary\b"))
    if SCREENSHOTS:
        section_screenshot(page, case_path)

    # --- Preview: the PDF of the re-issued notice, shown in the browser -------------------------
    preview = row_of(page, reissued).locator(f'a[href="/documents/{reissued.pk}/pdf/?inline=1"]')
    expect(preview).to_have_attribute("target", "_blank")
    response = page.request.get(preview.get_attribute("href"))
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf", response.headers
    assert response.headers["content-disposition"].startswith("inline"), response.headers
    body = response.body()
    assert body.startswith(b"%PDF-")
    assert body == bytes(reissued.pdf)
    text = flat(pdf_text(body))
    assert notice_number in text, text[:400]
    assert case.number in text

    # --- DOCX: the Word file of the support opinion downloads ------------------------------------
    before = page.url
    with page.expect_download() as download_info:
        row_of(page, opinion).locator(f'a[href="/documents/{opinion.pk}/docx/"]').click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == f"{opinion_number}.docx"
    data = Path(download.path()).read_bytes()
    assert data == bytes(opinion.docx)
    words = flat(docx_text(data))
    assert case.number in words, words[:400]
    assert opinion_number in words
    # a download: the page stays where it was
    assert page.url == before, page.url
    expect(document_rows(page)).to_have_count(3)
    # sent as the Word type, as an attachment
    again = page.request.get(f"/documents/{opinion.pk}/docx/")
    assert again.headers["content-type"] == DOCX_TYPE, again.headers
    assert again.headers["content-disposition"].startswith("attachment"), again.headers
