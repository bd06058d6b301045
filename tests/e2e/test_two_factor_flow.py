"""A new account's first sign-in, in a real browser, on an instance that is not a demo (rules R5,
R6): the security administrator (who signs in with a code from their own authenticator) opens
the account and reads the temporary password off the page; the new officer signs in with it, is
sent to set up an authenticator (the secret is read from the page, the code worked out from it as
an app would), keeps the ten recovery codes, is asked to choose a password, chooses one and
reaches the workbench; then signs out and in again with the password and a code.

Selectors are ids, names and form actions, never translated text.
"""

from __future__ import annotations

import base64
import os
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from zhichi.accounts.models import RecoveryCode, User
from zhichi.audit.models import AuditEntry

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Dianchi-Lake-2027"
# ZHICHI_SCREENSHOTS=1 refreshes the picture in docs/SECURITY.md
SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"


@pytest.fixture
def production_sign_in(settings, e2e_users):
    """Not a demo instance: every account, the fixture ones included, needs the second factor.
    The live server runs in this process, so the setting reaches it."""
    settings.ZHICHI_DEMO = False
    return e2e_users


def code_for(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app with this secret shows (``steps_ahead`` periods from now)."""
    return f"{totp(key, drift=steps_ahead):06d}"


def sign_in_with_password(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form:has(#id_password) [type=submit]").click()


def give_code(page: Page, code: str) -> None:
    page.wait_for_url(re.compile(r"/login/verify/"))
    page.locator("#id_code").fill(code)
    page.locator("#verify-submit").click()


def sign_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    page.locator('form[action="/logout/"] [type=submit]').click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_new_officer_sets_up_the_authenticator_and_a_password_at_the_first_sign_in(
    page: Page, production_sign_in, orgs
):
    users = production_sign_in
    admin_key = TOTPDevice.objects.create(
        user=users["secadmin"], name="authenticator", confirmed=True
    ).bin_key

    # the security administrator: password, then a code, then the new account
    sign_in_with_password(page, "secadmin", PASSWORD)
    give_code(page, code_for(admin_key))
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/security/users/")
    page.locator("#new-user").click()
    page.wait_for_url(re.compile(r"/security/users/new/$"))
    page.locator("#id_username").fill("zhangwei")
    page.locator("#id_first_name").fill("张伟")
    page.locator("#id_organisation").select_option(str(orgs["proc"].pk))
    page.locator("#id_department").select_option(str(orgs["civil"].pk))
    page.locator("#id_role").select_option("officer")
    page.locator("#user-create").click()
    shown = page.locator("#temporary-password")
    expect(shown).to_be_visible()
    temporary = shown.input_value()
    assert len(temporary) >= 16
    assert User.objects.get(username="zhangwei").must_change_password
    sign_out(page)

    # the new officer: the temporary password, then the authenticator first
    sign_in_with_password(page, "zhangwei", temporary)
    page.wait_for_url(re.compile(r"/account/two-factor/\?next="))
    expect(page.locator("#zc-nav")).to_have_count(0)  # nothing else is open yet
    page.locator("#start-2fa").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path="docs/img/two-factor-setup.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("#id_code").fill(code_for(key))
    page.locator("#confirm-2fa").click()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    shown_codes = codes.all_inner_texts()
    assert all(re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", c.strip()) for c in shown_codes)
    assert RecoveryCode.objects.filter(user__username="zhangwei").count() == 10
    page.locator("#codes-kept").click()

    # then a password of their own
    page.wait_for_url(re.compile(r"/account/password/\?next="))
    page.locator("#id_old_password").fill(temporary)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("#password-submit").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#zc-nav")).to_have_count(1)  # the workbench, with the navigation
    officer = User.objects.get(username="zhangwei")
    assert officer.check_password(NEW_PASSWORD) and not officer.must_change_password

    # the next time: the password and a code
    sign_out(page)
    sign_in_with_password(page, "zhangwei", NEW_PASSWORD)
    page.wait_for_url(re.compile(r"/login/verify/"))
    expect(page.locator("#zc-nav")).to_have_count(0)
    give_code(page, code_for(key, 1))  # the next period: the one used at set-up is spent
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#zc-nav")).to_have_count(1)

    actions = list(
        AuditEntry.objects.filter(username="zhangwei")
        .order_by("id")
        .values_list("action", "outcome")
    )
    assert ("auth.otp_enrol", "ok") in actions
    assert ("auth.password_change", "ok") in actions
    last = AuditEntry.objects.filter(username="zhangwei", action="auth.otp").latest("id")
    assert (last.outcome, last.detail) == ("ok", {"method": "totp"})
    trail = str(list(AuditEntry.objects.values_list("detail", flat=True)))
    assert temporary not in trail and NEW_PASSWORD not in trail
    assert not any(c.strip() in trail for c in shown_codes)
