"""The desk officer's day in a real browser: file a lead, accept it, find the case again.

Selectors are ids, names, data- attributes and href patterns, never translated text: the UI
is zh-hans by default and its translations change independently of these tests.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_credit_code, make_id

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"

CLAIMANT_1_ID = make_id(seq="135")
CLAIMANT_2_ID = make_id(birth="19920505", seq="246")
SUMMARY = "某建筑工地拖欠农民工工资四个月，工人多次讨要未果，请求支持起诉。"


def masked(id_number: str) -> str:
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def log_in(page: Page, username: str = "civil1") -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def fill_matter(page: Page, summary: str = SUMMARY) -> None:
    received = timezone.localdate() - timedelta(days=3)
    page.locator("#id_source").select_option("walk_in")
    page.locator("#id_received_on").fill(received.isoformat())
    page.locator("#id_category").select_option("wages")
    page.locator("#id_summary").fill(summary)


def fill_claimant(page: Page, i: int, *, name, id_number, amount, phone="", months="", groups=()):
    prefix = f"#id_claimants-{i}-"
    page.locator(prefix + "name").fill(name)
    page.locator(prefix + "id_number").fill(id_number)
    if phone:
        page.locator(prefix + "phone").fill(phone)
    page.locator(prefix + "amount_claimed").fill(amount)
    if months:
        page.locator(prefix + "months_unpaid").fill(months)
    for group in groups:
        page.locator(f'input[name="claimants-{i}-groups"][value="{group}"]').check()


def screenshot(page: Page, path: str) -> None:
    """A full-page picture from the top (the sticky sidebar follows the scroll position)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def submit_lead(page: Page) -> None:
    # the visible primary button, not the hidden one that makes Enter save
    page.locator("form.zc-lead-form button.btn-primary[type=submit][name=save]").click()


def test_civil1_files_lead_with_two_claimants_accepts_and_finds_case_by_two_character_search(
    page: Page,
):
    year = timezone.localdate().year
    log_in(page)

    # the workbench is the landing page and marks itself current in the left navigation
    expect(page.locator('nav.zc-sidebar a[href="/"]')).to_have_attribute("aria-current", "page")

    # New lead, from the left navigation
    page.locator('nav.zc-sidebar a[href="/leads/new/"]').click()
    page.wait_for_url(re.compile(r"/leads/new/$"))
    expect(page.locator("form.zc-lead-form")).to_be_visible()

    fill_matter(page)
    fill_claimant(
        page,
        0,
        name="张伟明",
        id_number=CLAIMANT_1_ID,
        phone="13812345678",
        amount="12000.00",
        months="4",
        groups=["migrant_worker"],
    )

    # a second claimant row, added through htmx
    page.locator("[data-formset-add]").click()
    expect(page.locator("#id_claimants-1-name")).to_be_visible()
    expect(page.locator("#id_claimants-TOTAL_FORMS")).to_have_value("2")
    # still the form page: the row came by htmx, not by a full "add a row" submit
    assert re.search(r"/leads/new/$", page.url)
    fill_claimant(page, 1, name="刘小红", id_number=CLAIMANT_2_ID, amount="8000.00")

    page.locator("#id_respondents-0-kind").select_option("organisation")
    page.locator("#id_respondents-0-name").fill("云南某建筑劳务有限公司")
    page.locator("#id_respondents-0-credit_code").fill(make_credit_code())

    page.locator("#id_voluntary").check()
    page.locator("#id_labour_relationship").select_option("employee")

    if SCREENSHOTS:
        screenshot(page, "/tmp/lead_form.png")

    submit_lead(page)

    # the lead's page, with a success message naming the receipt code
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    receipt = page.locator("main h1 .font-monospace").inner_text().strip()
    assert receipt
    expect(page.locator(".zc-messages .alert-success")).to_contain_text(receipt)
    expect(page.locator("#h-claimants .badge")).to_have_text("2")

    # accept: the form asks window.confirm first
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.locator('form[action$="/accept/"] [type=submit]').click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert dialogs == ["confirm"]
    case_path = re.search(r"/cases/\d+/$", page.url).group(0)

    number_re = re.compile(rf"^五华检民支〔{year}〕\d+号$")
    number = page.locator("main h1").inner_text().strip()
    assert number_re.match(number), number

    timeline = page.locator("#timeline ol.timeline > li")
    # the lead's received, duplicate check and acceptance, then "case opened" (issue 13, item 11)
    expect(timeline).to_have_count(4)

    overview = page.locator("#overview")
    expect(overview).to_contain_text(masked(CLAIMANT_1_ID))
    expect(overview).to_contain_text(masked(CLAIMANT_2_ID))
    html = page.content()
    assert CLAIMANT_1_ID not in html
    assert CLAIMANT_2_ID not in html

    if SCREENSHOTS:
        screenshot(page, "/tmp/case_page.png")

    # "/" focuses the global search when nothing editable has focus
    page.evaluate("document.activeElement && document.activeElement.blur()")
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("/")
    search = page.locator("#global-search")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" itself was not typed into the box
    page.keyboard.type("伟明")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/cases/\?(.*&)?q="))
    expect(search).to_have_value("伟明")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    link = rows.first.locator(f'a[href="{case_path}"]')
    expect(link).to_have_text(number)
    link.click()

    page.wait_for_url(re.compile(re.escape(case_path) + "$"))
    expect(page.locator("main h1")).to_have_text(number)
    expect(page.locator("#timeline ol.timeline > li")).to_have_count(4)


def test_language_switch_to_english_and_back(page: Page):
    page.goto("/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    page.locator('form.zc-lang button[name="language"][value="en"]').click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator('form.zc-lang button[value="en"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    assert re.search(r"/login/$", page.url)

    page.locator('form.zc-lang button[name="language"][value="zh-hans"]').click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator('form.zc-lang button[value="zh-hans"]')).to_have_attribute(
        "aria-pressed", "true"
    )


def test_lead_form_shows_field_errors_and_keeps_input(page: Page, browser_errors):
    # a failed submit answers HTTP 422 by design; Chromium logs that as a failed resource load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page)
    page.goto("/leads/new/")

    summary = "工资拖欠三个月，身份证号码待核实。"
    fill_matter(page, summary)
    fill_claimant(page, 0, name="张伟明", id_number="110105194912310021", amount="5000.00")
    page.locator("#id_voluntary").check()
    submit_lead(page)

    page.wait_for_load_state()
    assert re.search(r"/leads/new/$", page.url)
    id_field = page.locator("#id_claimants-0-id_number")
    error = page.locator("#id_claimants-0-id_number_error")
    expect(error.or_(page.locator("#id_claimants-0-id_number.is-invalid")).first).to_be_visible()
    assert "is-invalid" in (id_field.get_attribute("class") or "") or error.is_visible()
    expect(id_field).to_have_attribute("aria-invalid", "true")

    # the summary at the top, focused, links to the field
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator('#form-errors a[href="#id_claimants-0-id_number"]')).to_have_count(1)

    # nothing typed is lost
    expect(page.locator("#id_summary")).to_have_value(summary)
    expect(id_field).to_have_value("110105194912310021")
    expect(page.locator("#id_claimants-0-name")).to_have_value("张伟明")
    expect(page.locator("#id_voluntary")).to_be_checked()
