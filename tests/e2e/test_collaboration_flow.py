"""Collaboration across agencies and departments in a real browser (C7, C8).

The labour bureau (hrss1, a partner) files a lead with the person's consent to share; the civil
officer (civil1) accepts it and transfers the case to the criminal department as a refusal-to-
pay-wages lead; the criminal officer (criminal1) accepts the transfer and answers it; civil1 reads
the answer; and the bureau follows the case — number, stage and the transfer's state — without
ever receiving an unmasked identifier, and without reaching a transfer it is not a side of.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page (status badges, an error message) it takes them from the same
translation catalogue the page uses (the UI's default language, zh-hans).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, make_credit_code, make_id
from zhichi.cases.models import Case, Stage
from zhichi.core import stages
from zhichi.transfers.models import FeedbackResult, Transfer, TransferStatus

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
SCREENSHOT_PATH = "docs/img/transfer-detail.png"
PAGE_LANGUAGE = "zh-hans"

# what the partner types: none of it may come back unmasked to a partner
CLAIMANT_NAME = "赵德胜"
ID_NUMBER = make_id(birth="19870923", seq="417")
ID_MASKED = ID_NUMBER[:6] + "*" * (len(ID_NUMBER) - 10) + ID_NUMBER[-4:]
ID_HIDDEN_PART = ID_NUMBER[6:-4]  # the birth date and sequence the mask hides
PHONE = "13907654321"
PHONE_MASKED = PHONE[:3] + "****" + PHONE[-4:]
SUMMARY = "某物流公司拖欠搬运工工资五个月，经劳动保障监察责令支付后仍未支付，请求支持起诉。"
RESPONDENT = "昆明某物流有限公司（E2E）"

TRANSFER_REASON = "用人单位经责令支付后逾期仍不支付劳动报酬，涉嫌拒不支付劳动报酬罪（E2E-移送）"
ANSWER_TEXT = "经审查已立案侦查，将依法追究刑事责任（E2E-答复）"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def status_label(status: str) -> str:
    return zh(TransferStatus(status).label)


# --- browser helpers --------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def log_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def submit(page: Page, button: Locator, *, expected_status: int = 200) -> None:
    """Click a submit button and wait for the page the server answers with (after redirects)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


def transfer_badge(page: Page) -> Locator:
    """The status badge next to the transfer page's title."""
    return page.locator(".zc-page-header h1 + .badge")


def assert_no_unmasked_identifier(page: Page, where: str) -> None:
    html = page.content()
    assert ID_NUMBER not in html, f"full resident ID number in the page at {where}"
    assert ID_NUMBER.lower() not in html, f"full resident ID number in the page at {where}"
    assert ID_HIDDEN_PART not in html, f"the masked part of the ID number is in the page at {where}"
    assert PHONE not in html, f"full phone number in the page at {where}"


def screenshot(page: Page, path: str) -> None:
    """A full-page picture from the top (the sticky sidebar follows the scroll position)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


# --- the test -------------------------------------------------------------------------------


def test_partner_lead_becomes_case_transferred_to_criminal_department_and_answered(
    page: Page, browser_errors
):
    # the refused send form answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    today = timezone.localdate()

    # --- the labour bureau files a lead, with the person's consent to share ------------------------
    log_in(page, "hrss1")
    page.goto("/leads/new/")
    expect(page.locator("form.zc-lead-form")).to_be_visible()
    # a partner files as an agency: the only source offered, and no "referred by" field
    assert page.locator("#id_source option").evaluate_all("os => os.map(o => o.value)") == [
        "agency"
    ]
    expect(page.locator("#id_referring_org")).to_have_count(0)
    page.locator("#id_received_on").fill((today - timedelta(days=1)).isoformat())
    page.locator("#id_category").select_option("wages")
    page.locator("#id_summary").fill(SUMMARY)
    page.locator("#id_claimants-0-name").fill(CLAIMANT_NAME)
    page.locator("#id_claimants-0-id_number").fill(ID_NUMBER)
    page.locator("#id_claimants-0-phone").fill(PHONE)
    page.locator("#id_claimants-0-amount_claimed").fill("15000.00")
    page.locator("#id_claimants-0-months_unpaid").fill("5")
    page.locator('input[name="claimants-0-groups"][value="migrant_worker"]').check()
    page.locator("#id_respondents-0-kind").select_option("organisation")
    page.locator("#id_respondents-0-name").fill(RESPONDENT)
    page.locator("#id_respondents-0-credit_code").fill(make_credit_code())
    page.locator("#id_voluntary").check()
    page.locator("#id_consent_to_share").check()
    page.locator("#id_labour_relationship").select_option("employee")
    page.locator("#id_has_iou").check()  # an IOU: no labour arbitration first (rule SP-6)
    submit(page, page.locator("form.zc-lead-form button.btn-primary[type=submit][name=save]"))

    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    lead_path = re.search(r"/leads/\d+/$", page.url).group(0)
    receipt = page.locator("main h1 .font-monospace").inner_text().strip()
    assert receipt
    expect(page.locator(".zc-messages .alert-success")).to_contain_text(receipt)
    # even the partner who typed them sees the identifiers masked once filed
    claimants = page.locator("section[aria-labelledby='h-claimants'] tbody tr")
    expect(claimants).to_have_count(1)
    expect(claimants.first).to_contain_text(ID_MASKED)
    expect(claimants.first).to_contain_text(PHONE_MASKED)
    assert_no_unmasked_identifier(page, f"{lead_path} (hrss1, just filed)")
    log_out(page)

    # --- the civil officer accepts it and opens a case ----------------------------------------------
    log_in(page, "civil1")
    page.goto(lead_path)
    accept = page.locator('form[action$="/accept/"] [type=submit]')
    expect(accept).to_be_visible()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    accept.click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    page.remove_listener("dialog", on_dialog)
    assert dialogs == ["confirm"]
    case_path = re.search(r"/cases/\d+/$", page.url).group(0)
    case = Case.objects.get(pk=int(re.search(r"\d+", case_path).group(0)))
    assert case.referring_org.code == "WHHRSS" and case.consent_to_share
    expect(page.locator("main h1")).to_have_text(case.number)
    stage_text = zh(Stage(stages.REVIEW).label)
    expect(page.locator(".zc-page-header h1 + .badge")).to_have_text(stage_text)

    # --- ... and transfers it to the criminal department ------------------------------------------
    section = page.locator("section#transfers")
    expect(section.locator("tbody tr")).to_have_count(0)
    send_path = f"/transfers/new/case/{case.pk}/"
    section.locator(f'a[href="{send_path}"]').click()
    page.wait_for_url(re.compile(re.escape(send_path) + "$"))
    page.locator("#id_kind").select_option("criminal_lead")
    page.locator("#id_receiver").select_option("WHPROC/criminal")

    # first without a reason: refused at the field, nothing sent
    send = page.locator("main form[method=post] button[type=submit]")
    submit(page, send, expected_status=422)
    assert re.search(re.escape(send_path) + "$", page.url), page.url
    reason = page.locator("#id_reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_reason_error")).to_be_visible()
    expect(page.locator("#id_reason_error")).to_have_text(
        zh(gettext_lazy("This field is required."))
    )
    expect(page.locator('#form-errors a[href="#id_reason"]')).to_have_count(1)
    # the reason is the only field in error, and what was chosen is kept
    expect(page.locator("main form [aria-invalid=true]")).to_have_count(1)
    expect(page.locator("#id_kind")).to_have_value("criminal_lead")
    expect(page.locator("#id_receiver")).to_have_value("WHPROC/criminal")
    assert not Transfer.objects.filter(case=case).exists()

    reason.fill(TRANSFER_REASON)
    submit(page, send)
    page.wait_for_url(re.compile(r"/transfers/\d+/$"))
    transfer_path = re.search(r"/transfers/\d+/$", page.url).group(0)
    transfer = Transfer.objects.get(case=case)
    assert transfer_path == f"/transfers/{transfer.pk}/"
    assert (transfer.to_org.code, transfer.to_department.code) == ("WHPROC", "criminal")
    expect(page.locator(".zc-messages .alert-success")).to_contain_text(transfer.number)
    expect(page.locator("main h1")).to_contain_text(transfer.number)
    expect(transfer_badge(page)).to_have_text(status_label(TransferStatus.SENT))
    expect(page.locator("section[aria-labelledby='h-reason']")).to_contain_text(TRANSFER_REASON)
    # the sender waits: no receiving step is offered to it
    expect(page.locator(f'form[action$="{transfer_path}accept/"]')).to_have_count(0)
    log_out(page)

    # --- the criminal officer finds it in the inbox, accepts and answers -------------------------
    log_in(page, "criminal1")
    page.goto("/transfers/inbox/")
    row = page.locator("main table tbody tr").filter(has=page.locator(f'a[href="{transfer_path}"]'))
    expect(row).to_have_count(1)
    expect(row.locator(f'a[href="{transfer_path}"]')).to_have_text(transfer.number)
    expect(row.locator(".badge")).to_have_text(status_label(TransferStatus.SENT))
    expect(row).to_contain_text(case.number)
    row.locator(f'a[href="{transfer_path}"]').click()
    page.wait_for_url(re.compile(re.escape(transfer_path) + "$"))
    expect(transfer_badge(page)).to_have_text(status_label(TransferStatus.SENT))
    # the receiving department reads the case it was sent, identifiers masked
    subject = page.locator("section[aria-labelledby='h-subject']")
    expect(subject.locator(f'a[href="{case_path}"]')).to_have_text(case.number)
    expect(subject).to_contain_text(ID_MASKED)
    assert_no_unmasked_identifier(page, f"{transfer_path} (criminal1)")

    submit(page, page.locator(f'form[action$="{transfer_path}accept/"] [type=submit]'))
    assert re.search(re.escape(transfer_path) + "$", page.url), page.url
    expect(page.locator(".zc-messages .alert-success")).to_be_visible()
    expect(transfer_badge(page)).to_have_text(status_label(TransferStatus.ACCEPTED))
    expect(page.locator(f'form[action$="{transfer_path}accept/"]')).to_have_count(0)

    answer = page.locator("form#act-feedback")
    expect(answer).to_be_visible()
    answer.locator("#id_feedback-result").select_option(FeedbackResult.FILED.value)
    answer.locator("#id_feedback-text").fill(ANSWER_TEXT)
    submit(page, answer.locator("[type=submit]"))
    assert re.search(re.escape(transfer_path) + "$", page.url), page.url
    expect(page.locator(".zc-messages .alert-success")).to_be_visible()
    expect(transfer_badge(page)).to_have_text(status_label(TransferStatus.ANSWERED))
    expect(page.locator("form#act-feedback")).to_have_count(0)
    answered = page.locator("section[aria-labelledby='h-answer']")
    expect(answered).to_contain_text(ANSWER_TEXT)
    expect(answered).to_contain_text(zh(FeedbackResult.FILED.label))
    if SCREENSHOTS:
        screenshot(page, SCREENSHOT_PATH)
    log_out(page)

    # --- the civil officer reads the answer --------------------------------------------------------
    log_in(page, "civil1")
    page.goto(transfer_path)
    expect(transfer_badge(page)).to_have_text(status_label(TransferStatus.ANSWERED))
    answered = page.locator("section[aria-labelledby='h-answer']")
    expect(answered).to_contain_text(ANSWER_TEXT)
    expect(answered).to_contain_text(zh(FeedbackResult.FILED.label))
    expect(page.locator(f'form[action$="{transfer_path}close/"]')).to_have_count(1)
    page.goto(case_path)
    rows = page.locator("section#transfers tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(f'a[href="{transfer_path}"]')).to_have_text(transfer.number)
    expect(rows.first.locator(".badge")).to_have_text(status_label(TransferStatus.ANSWERED))
    log_out(page)

    # --- the labour bureau follows the case, identifiers masked ---------------------------------
    log_in(page, "hrss1")
    page.goto(case_path)
    expect(page.locator("main h1")).to_have_text(case.number)
    expect(page.locator(".zc-page-header h1 + .badge")).to_have_text(stage_text)
    # the transfer to the criminal department is the procuratorate's own (issue 12 item 6): the
    # bureau sees neither it nor a link to it, and nothing to send
    expect(page.locator("section#transfers tbody tr")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(transfer.number)
    expect(page.locator(f'a[href="{transfer_path}"]')).to_have_count(0)
    expect(page.locator('a[href^="/transfers/new/"]')).to_have_count(0)
    overview = page.locator("section#overview")
    expect(overview).to_contain_text(ID_MASKED)
    expect(overview).to_contain_text(PHONE_MASKED)
    assert_no_unmasked_identifier(page, f"{case_path} (hrss1)")

    page.goto(lead_path)
    expect(page.locator("main h1 .font-monospace")).to_have_text(receipt)
    expect(page.locator("section[aria-labelledby='h-claimants'] tbody tr").first).to_contain_text(
        ID_MASKED
    )
    assert_no_unmasked_identifier(page, f"{lead_path} (hrss1)")

    # the bureau is no side of the transfer: the page does not exist for it
    browser_errors.allow(rf"status of 404 .*\(https?://[^/]+{re.escape(transfer_path)}(:\d+)?\)$")
    response = page.goto(transfer_path)
    assert response is not None and response.status == 404, response and response.status
    assert_no_unmasked_identifier(page, f"{transfer_path} (hrss1, 404)")
    assert transfer.number not in page.content()
