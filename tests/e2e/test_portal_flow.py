"""The public portal on a phone, in a real browser (issue 18 "## Tests"; UI.md "The public
portal"; QUALITY.md U1, R13): the whole wizard at 375 px with and without JavaScript, resuming a
draft on another phone with its code, the status lookup, the rate limit's 429 page, the language
switch, and axe-core on every page with no serious or critical violation.

No account is used: each test opens its own phone-sized browser context (375 x 667, touch) the
way a person's phone does. Selectors are ids, names, classes and href patterns, never translated
text: the pages are zh-hans by default and their translations change independently of these tests.
Where a test reads words on the page it takes them from the same catalogue the page uses, or, in
English, from the portal's msgids, which are English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import Page, expect

from tests.conftest import make_id
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import ARTIFACTS
from tests.evidence import samples
from tests.portal.factories import CLAIMANT, PHONE, make_filing
from zhichi.evidence.models import Attachment
from zhichi.intake.models import Lead
from zhichi.portal import throttle
from zhichi.portal.status import public_status

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {"width": 375, "height": 667}
MIN_TARGET_PX = 44  # UI.md: touch targets at least 44 px tall (the portal's CSS aims for 48+)
PAGE_LANGUAGE = "zh-hans"
CODE_SHOWN = re.compile(r"^[A-Z0-9]{5}-[A-Z0-9]{5}$")

# the answers of tests/portal/test_wizard.py, typed and tapped instead of posted
SUMMARY = "工地干了四个月，老板不给钱。"
RESPONDENT = "昆明某某建筑劳务有限公司"
APPLICANT = "张三"
APPLICANT_PHONE = "13912345678"

NEXT_BUTTON = "main form.pt-form button.pt-btn-primary[type=submit]"


# --- a phone of one's own ----------------------------------------------------------------------
@pytest.fixture
def phone(request, browser, live_server, law_library, browser_errors) -> Iterator[Callable]:
    """Opens a new phone: a browser context of its own (its own cookies, so its own session) at
    375 x 667 with touch, as in ``tests/e2e/conftest.py``'s ``page``: console errors fail the
    test, and a failed test leaves a screenshot of each phone's page in test-artifacts/."""
    opened: list = []

    def open_phone(**options) -> Page:
        context = browser.new_context(
            locale="zh-CN",
            viewport=PHONE_SCREEN,
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                browser_errors.add(f"console.{msg.type}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: browser_errors.add(f"uncaught exception: {exc}"))
        opened.append((context, page))
        return page

    yield open_phone
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    for number, (context, page) in enumerate(opened, start=1):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}-phone{number}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"could not save a screenshot: {exc}")
        context.close()


def check_layout(page: Page, what: str, *, targets: bool = True) -> None:
    """A page fits a 375 px screen: nothing scrolls sideways, and every button and every
    radio/checkbox label is at least 44 px tall. ``targets`` says the page has buttons or choices
    to measure (the status and privacy pages have none). The measurements run through the
    DevTools protocol, not as the page's scripts, so they work with JavaScript off too."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_SCREEN["width"]:
        # name what sticks out, so the report says which element to fix
        wide = page.evaluate(
            """limit => Array.from(document.body.querySelectorAll('*'))
                .filter(e => e.getBoundingClientRect().right > limit)
                .map(e => [e.outerHTML.slice(0, 160), Math.round(e.getBoundingClientRect().right)])""",
            PHONE_SCREEN["width"],
        )
        pytest.fail(f"{what}: the page is {width} px wide at 375 px; sticking out: {wide}")
    heights = page.locator(".pt-btn, .pt-choice").evaluate_all(
        """targets => targets
            .filter(t => t.getClientRects().length > 0)
            .map(t => [t.outerHTML.slice(0, 120), t.getBoundingClientRect().height])"""
    )
    assert bool(heights) == targets, f"{what}: buttons and choices measured: {heights}"
    too_small = [(html, height) for html, height in heights if height < MIN_TARGET_PX]
    assert too_small == [], f"{what}: touch targets under {MIN_TARGET_PX} px: {too_small}"


def check_phone_page(page: Page, what: str, *, targets: bool = True) -> None:
    """``check_layout``, and axe-core finds no serious or critical violation. (axe-core runs
    asynchronously, which a page with JavaScript off never completes.)"""
    check_layout(page, what, targets=targets)
    assert_accessible(page, what)


def no_check(page: Page, what: str) -> None:
    """For pages another test has checked already (the wizard's first steps)."""


def send_and_load(page: Page, button: str) -> None:
    """Taps a button that sends a form back to the same address, and waits until the page that
    answers has loaded, stylesheets included: a page measured before its styles have arrived is
    laid out without them (a URL wait returns at once when the address does not change)."""
    with page.expect_event("load"):
        page.locator(button).click()


def go_on(page: Page, step: str) -> None:
    """Taps the step's primary button and waits for the step that follows."""
    page.locator(NEXT_BUTTON).click()
    page.wait_for_url(re.compile(rf"/portal/apply/{step}/$"))


def fill_what_and_who(page: Page, check: Callable[[Page, str], None]) -> None:
    """From the start page through steps 1 and 2, onto step 3."""
    page.goto("/portal/")
    check(page, "home")
    page.locator('main a.pt-btn-primary[href="/portal/apply/"]').click()
    page.wait_for_url(re.compile(r"/portal/apply/start/$"))
    check(page, "before you start (the privacy notice)")
    page.locator("#id_consent_sensitive").check()
    go_on(page, "what")
    check(page, "step 1 (what)")
    page.locator('input[name=category][value="wages"]').check()
    page.locator("#id_summary").fill(SUMMARY)
    go_on(page, "who")

    check(page, "step 2 (who)")
    page.locator('input[name=kind][value="organisation"]').check()
    page.locator("#id_name").fill(RESPONDENT)
    page.locator("#id_address").fill("五华区")
    page.locator('input[name=labour_relationship][value="contractor_crew"]').check()
    page.locator('input[name=has_iou][value="yes"]').check()
    go_on(page, "money")


def file_application(page: Page, photo: Path, check: Callable[[Page, str], None]) -> str:
    """The whole wizard with one evidence photo, to the receipt; the receipt code shown."""
    fill_what_and_who(page, check)

    check(page, "step 3 (money)")
    page.locator("#id_amount").fill("12000")
    page.locator("#id_since").fill("2026-08")
    go_on(page, "you")

    check(page, "step 4 (you)")
    expect(page.locator('input[name=filed_by][value="self"]')).to_be_checked()
    page.locator("#id_name").fill(APPLICANT)
    page.locator("#id_phone").fill(APPLICANT_PHONE)
    page.locator("#id_id_number").fill(make_id())
    page.locator('input[name=groups][value="migrant_worker"]').check()
    page.locator('input[name=hardship][value="economic_hardship"]').check()
    # two active procuratorates (the fixtures' WHPROC and PJPROC): the person picks one
    expect(page.locator("#id_office option")).to_have_count(2)
    page.locator("#id_office").select_option("WHPROC")
    go_on(page, "evidence")

    check(page, "step 5 (evidence)")
    page.locator("#id_kind").select_option("iou")
    page.locator("#id_file").set_input_files(str(photo))
    send_and_load(page, "form.pt-upload button[type=submit]")
    expect(page.locator(".pt-files .pt-file-name")).to_have_text([photo.name])
    check(page, "step 5 (evidence, a photo added)")
    page.locator("main form:has(input[name=action][value=next]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/portal/apply/consent/$"))

    check(page, "step 6 (consent)")
    page.locator("#id_consent_voluntary").check()
    page.locator(NEXT_BUTTON).click()
    page.wait_for_url(re.compile(r"/portal/receipt/[A-Z0-9]{10}/$"))
    check(page, "receipt")
    shown = page.locator(".pt-code-big").inner_text().strip()
    assert CODE_SHOWN.match(shown), shown
    return shown


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "iou.png"
    path.write_bytes(samples.png())
    return path


def assert_filed(shown: str) -> None:
    lead = Lead.objects.get(source="portal")
    assert shown == f"{lead.receipt_code[:5]}-{lead.receipt_code[5:]}"
    assert lead.organisation.code == "WHPROC"
    assert list(Attachment.objects.filter(lead=lead).values_list("kind", flat=True)) == ["iou"]


# --- the tests -------------------------------------------------------------------------------------
def test_on_a_phone_the_whole_wizard_files_an_application_and_every_page_fits_and_passes_axe(
    phone, photo
):
    page = phone()
    shown = file_application(page, photo, check_phone_page)
    assert_filed(shown)

    code = shown.replace("-", "")
    page.locator(f'main a.pt-btn-primary[href="/portal/status/{code}/"]').click()
    page.wait_for_url(re.compile(r"/portal/status/[A-Z0-9]{10}/$"))
    check_phone_page(page, "status of the application", targets=False)
    expect(page.locator("main h1 .pt-code")).to_have_text(shown)

    for path, what, targets in (
        ("/portal/status/", "status lookup", True),
        ("/portal/about/", "about", True),
        ("/portal/privacy/", "privacy", False),
        ("/portal/resume/", "resume", True),
    ):
        page.goto(path)
        check_phone_page(page, what, targets=targets)


def test_without_javascript_the_whole_wizard_files_the_application_too(phone, photo):
    page = phone(java_script_enabled=False)
    shown = file_application(page, photo, check_layout)
    assert_filed(shown)
    # the print button needs JavaScript, so without it it stays hidden
    expect(page.locator("[data-pt-print]")).to_be_hidden()


def test_a_draft_is_resumed_on_another_phone_with_its_code_typed_loosely(phone):
    first = phone()
    fill_what_and_who(first, no_check)
    shown = first.locator(".pt-code-box .pt-code").inner_text().strip()
    assert CODE_SHOWN.match(shown), shown

    second = phone()
    second.goto("/portal/")
    second.locator('main a[href="/portal/resume/"]').click()
    second.wait_for_url(re.compile(r"/portal/resume/$"))
    check_phone_page(second, "resume")
    second.locator("#id_code").fill(shown.lower())  # as read aloud: a dash, lower case
    second.locator(NEXT_BUTTON).click()
    second.wait_for_url(re.compile(r"/portal/apply/money/$"))
    expect(second.locator(".pt-code-box .pt-code")).to_have_text(shown)

    second.locator('main a.pt-btn-secondary[href="/portal/apply/who/"]').click()
    second.wait_for_url(re.compile(r"/portal/apply/who/$"))
    expect(second.locator("#id_name")).to_have_value(RESPONDENT)
    expect(second.locator("#id_address")).to_have_value("五华区")
    expect(second.locator('input[name=kind][value="organisation"]')).to_be_checked()
    expect(
        second.locator('input[name=labour_relationship][value="contractor_crew"]')
    ).to_be_checked()
    expect(second.locator('input[name=has_iou][value="yes"]')).to_be_checked()


def test_status_lookup_shows_the_stage_only_with_the_right_phone_digits(phone, orgs):
    filing = make_filing(orgs)
    code = filing.lead.receipt_code
    with translation.override(PAGE_LANGUAGE):
        stage_words = public_status(filing).title
        no_match = pgettext(
            "portal",
            "The code and the 4 digits do not match an application. Check both and try again.",
        )
    page = phone()

    # wrong digits: the error at the top, above the form, and no status
    page.goto(f"/portal/status/?code={code}")
    expect(page.locator("#id_code")).to_have_value(code)
    page.locator("#id_last4").fill("0000")
    send_and_load(page, NEXT_BUTTON)
    alert = page.locator("main .pt-alert-error[role=alert]")
    expect(alert).to_be_visible()
    expect(alert.locator("li")).to_have_text([no_match])
    assert alert.bounding_box()["y"] < page.locator("main form.pt-form").bounding_box()["y"]
    expect(page.locator("#pt-status-now")).to_have_count(0)
    assert page.url.endswith("/portal/status/")
    check_phone_page(page, "status lookup, wrong digits")

    # the right digits, the code typed as shown on the receipt
    page.locator("#id_code").fill(f"{code[:5]}-{code[5:]}")
    page.locator("#id_last4").fill(PHONE[-4:])
    page.locator(NEXT_BUTTON).click()
    page.wait_for_url(re.compile(rf"/portal/status/{code}/$"))
    expect(page.locator("#pt-status-now")).to_be_visible()
    expect(page.locator("#pt-status-now")).to_have_text(stage_words)
    content = page.content()
    assert CLAIMANT not in content
    assert PHONE not in content
    check_phone_page(page, "status of the application (looked up)", targets=False)


def test_too_many_lookups_get_the_friendly_429_page_with_the_hotline(
    phone, monkeypatch, browser_errors
):
    # the live server runs in this process, so the lowered limit applies to its requests
    monkeypatch.setitem(throttle.LIMITS, "lookup", (3, 3600))
    browser_errors.allow(r"status of 429")  # the refused request itself
    page = phone()
    page.goto("/portal/status/")

    def look_up():
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/portal/status/")
        ) as answer:
            page.locator("#id_code").fill("ABCDE-FGHJK")
            page.locator("#id_last4").fill("1234")
            send_and_load(page, NEXT_BUTTON)
        return answer.value

    assert [look_up().status for _ in range(3)] == [200, 200, 200]
    refused = look_up()
    assert refused.status == 429
    retry_after = refused.headers.get("retry-after", "")
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 3600, retry_after
    expect(page.locator("#rate-limited-title")).to_be_visible()
    expect(page.locator("#rate-limited-hotline a")).to_have_text("12309")
    expect(page.locator("#rate-limited-hotline a")).to_have_attribute("href", "tel:12309")
    check_phone_page(page, "429 page")


def test_the_header_button_switches_the_portal_to_english_and_back(phone):
    page = phone()
    page.goto("/portal/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", PAGE_LANGUAGE)

    page.locator("header .pt-lang-btn").click()
    expect(html).to_have_attribute("lang", "en")
    assert page.url.endswith("/portal/")
    page.locator('main a.pt-btn-primary[href="/portal/apply/"]').click()
    page.wait_for_url(re.compile(r"/portal/apply/start/$"))
    expect(page.locator("main h1")).to_have_text("Before you start")
    page.locator("#id_consent_sensitive").check()
    page.locator(NEXT_BUTTON).click()
    page.wait_for_url(re.compile(r"/portal/apply/what/$"))
    expect(html).to_have_attribute("lang", "en")
    # the portal's msgids are English: the English page shows them as they are
    expect(page.locator("main h1")).to_have_text("What happened")
    expect(page.locator(".pt-progress-text")).to_have_text("Step 1 of 6")
    expect(page.locator(NEXT_BUTTON)).to_have_text("Save and go on")

    page.locator("header .pt-lang-btn").click()
    expect(html).to_have_attribute("lang", PAGE_LANGUAGE)
    assert page.url.endswith("/portal/apply/what/")
