"""API tokens and sign-in locks in a real browser (issue 12 items 7 and 8).

A partner (hrss1) opens "My API tokens" from the user menu, creates a token, sees it once (it
works against the API), and revokes it (it stops working). Someone types five wrong passwords
for the chief in a browser: that browser is locked out of the chief's account, and the lock page
says whom to ask; the security administrator finds the lock on "Sign-in locks", lifts it, and the
chief signs in.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page it takes them from the translation catalogue (zh-hans).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from zhichi.accounts.models import ApiToken, TokenState
from zhichi.audit.models import AuditEntry

pytestmark = pytest.mark.e2e

PAGE_LANGUAGE = "zh-hans"
TOKEN_NAME = "劳动保障监察系统（E2E）"


def zh(text) -> str:
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def api_status(raw: str) -> int:
    """What the API answers the token (in this process, on the live server's database)."""
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def sign_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    page.locator('form[action="/logout/"] [type=submit]').click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_partner_creates_a_token_sees_it_once_and_revokes_it(page: Page):
    log_in(page, "hrss1")
    page.locator("#user-menu-button").click()
    page.locator('a.dropdown-item[href="/account/tokens/"]').click()
    page.wait_for_url(re.compile(r"/account/tokens/$"))

    page.locator("#id_name").fill(TOKEN_NAME)
    page.locator('form[action="/account/tokens/new/"] [type=submit]').click()

    shown = page.locator("#api-token")
    expect(shown).to_be_visible()
    raw = shown.input_value()
    assert raw.startswith("zc_")
    assert api_status(raw) == 200

    page.locator("#token-copied").click()
    page.wait_for_url(re.compile(r"/account/tokens/$"))
    row = page.locator("#my-tokens tbody tr").first
    expect(row).to_contain_text(TOKEN_NAME)
    expect(row).to_contain_text(raw[:10])
    assert raw not in page.content()  # shown once, never again

    row.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/account/tokens/$"))
    row = page.locator("#my-tokens tbody tr").first
    expect(row.locator(".badge")).to_have_text(zh(TokenState.REVOKED.label))
    expect(row.locator("button[type=submit]")).to_have_count(0)
    assert api_status(raw) == 401
    assert ApiToken.objects.get(name=TOKEN_NAME).revoked_at is not None


def test_the_security_admin_lifts_a_lock_and_the_chief_signs_in(page: Page, browser_errors):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 429")
    # someone at this computer guesses the chief's password five times
    for n in range(5):
        page.goto("/login/")
        page.locator("#id_username").fill("chief")
        page.locator("#id_password").fill(f"Guess-number-{n}!")
        page.locator("main form:has(#id_password) [type=submit]").click()
    page.goto("/login/")
    page.locator("#id_username").fill("chief")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#security-contact")).to_be_visible()

    # the lock is for the chief's account only: the security administrator signs in here
    log_in(page, "secadmin")
    page.locator('nav a[href="/security/locks/"]').click()
    row = page.locator('#locks tr[data-username="chief"]')
    expect(row).to_contain_text("127.0.0.1")
    row.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/security/locks/$"))
    expect(page.locator("#locks")).to_have_count(0)
    assert AuditEntry.objects.filter(action="auth.unlock", username="secadmin").count() == 1
    sign_out(page)

    log_in(page, "chief")
    expect(page.locator("#user-menu-button")).to_contain_text("chief")
