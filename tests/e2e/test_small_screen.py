"""The page frame on a phone and on an office desktop (issue 13, items 8 and 9).

Before: at 375 px the left navigation was stacked above every page, so the content started about
790 px down, below the first screen; and the top bar never showed the unread notifications.

Selectors are ids, aria attributes and href patterns, never translated text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.transfers.conftest import wage_case
from zhichi.accounts.notify import notify

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}
FIRST_SCREEN_PX = 200  # the page's heading starts within this much of the top


def heading_top(page: Page) -> float:
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    return heading.bounding_box()["y"]


def test_on_a_phone_the_content_comes_first_and_the_navigation_folds_behind_a_menu_button(
    page: Page, law_library
):
    case = wage_case(law_library, consent=False, seq="77")
    page.emulate_media(reduced_motion="reduce")  # Bootstrap's collapse without its animation
    page.set_viewport_size(PHONE)
    log_in(page, "civil1")
    nav = page.locator("#zc-nav")
    toggle = page.locator('header button[aria-controls="zc-nav"]')

    for path in ("/", "/cases/", f"/cases/{case.pk}/"):
        page.goto(path)
        assert heading_top(page) < FIRST_SCREEN_PX, path
        expect(nav).to_be_hidden()
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")

    # a click opens it between the top bar and the content, a second click closes it
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.locator('a[href="/cases/"]')).to_be_visible()
    header_bottom = page.locator("header").bounding_box()
    nav_box = nav.bounding_box()
    assert nav_box["y"] >= header_bottom["y"] + header_bottom["height"] - 1
    assert page.locator("main").bounding_box()["y"] >= nav_box["y"] + nav_box["height"] - 1
    toggle.click()
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # by keyboard: Enter opens, Tab reaches the links, Escape closes and returns to the button
    toggle.focus()
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.getElementById('zc-nav').contains(document.activeElement)"):
            break
    else:
        pytest.fail("Tab never reached the opened navigation")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    # a link in the folded navigation works
    toggle.click()
    nav.locator('a[href="/cases/"]').click()
    page.wait_for_url(re.compile(r"/cases/$"))
    expect(nav).to_be_hidden()


def test_on_a_desktop_the_left_navigation_is_shown_as_before(page: Page, law_library):
    page.set_viewport_size(DESKTOP)
    log_in(page, "civil1")
    nav = page.locator("#zc-nav")

    for path in ("/", "/cases/"):
        page.goto(path)
        expect(nav).to_be_visible()
        expect(page.locator('header button[aria-controls="zc-nav"]')).to_be_hidden()
        nav_box = nav.bounding_box()
        main_box = page.locator("main").bounding_box()
        assert nav_box["x"] == 0
        assert main_box["x"] >= nav_box["width"]  # the content beside it, not below
        assert heading_top(page) < FIRST_SCREEN_PX


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_top_bar_counts_unread_notifications_and_marking_read_lowers_it(
    page: Page, law_library, viewport
):
    user = law_library["civil1"]
    for i in range(3):
        notify(user=user, kind="deadline_due", text=f"回访到期：第{i + 1}号")
    notify(user=law_library["civil2"], kind="deadline_due", text="别人的提醒")
    page.set_viewport_size(viewport)
    log_in(page, "civil1")
    count = page.locator("header #zc-unread-count")

    expect(count).to_have_text(re.compile(r"^3\b"))
    page.goto("/cases/")
    expect(count).to_have_text(re.compile(r"^3\b"))

    page.locator('header a[href="/notifications/"]').click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    page.locator("main li form:has(input[name=id]) button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/notifications/\?page=1$"))
    expect(count).to_have_text(re.compile(r"^2\b"))

    page.locator("main .zc-page-header form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/notifications/\?page=1$"))
    expect(count).to_have_count(0)
    page.goto("/")
    expect(count).to_have_count(0)
    expect(page.locator('header a[href="/notifications/"]')).to_be_visible()


def test_without_javascript_a_phone_shows_the_whole_navigation_and_no_menu_button(
    browser, live_server, law_library, browser_errors
):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and browser_errors.add(msg.text))
        log_in(page, "civil1")

        expect(page.locator("#zc-nav")).to_be_visible()
        expect(page.locator('#zc-nav a[href="/cases/"]')).to_be_visible()
        expect(page.locator('header button[aria-controls="zc-nav"]')).to_be_hidden()
    finally:
        context.close()
