"""Rule R6: the second factor (a time-based code from an authenticator app, django-otp) for every
account, with one-time recovery codes, and its reset by the security administrator (rule R5).

- Enrolment: "Begin" makes an unconfirmed authenticator whose secret the page shows as an inline
  SVG QR code and as text; a right code confirms it and shows ten recovery codes once, of which
  only SHA-256 digests are kept; a wrong code is a 422 at ``code``, audited.
- Sign-in: after the password, every page but the second step (and signing out) sends the user
  to /login/verify/, and a form sent elsewhere does nothing; a right code or an unused recovery
  code opens the rest; each wrong code makes the next try wait (django-otp's throttle).
- A demo account on a demo instance (ZHICHI_DEMO=1 and ``is_demo``) needs no second factor;
  every other account does.
- The security administrator's reset removes the authenticator and the recovery codes and ends
  the user's sessions; not for their own account nor another administrator's (403, audited).
- Every step is audited (``auth.otp*``) and no code or secret is ever written to the trail.

The fixture users are demo accounts (tests/conftest.py); here the officer ``civil1`` is made an
ordinary account (``staff``) so that, on the demo test instance, the security administrator
still signs in without a code while the officer needs one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import client_at
from tests.conftest import PASSWORD
from zhichi.accounts import passwords, twofactor
from zhichi.accounts.models import ApiToken, RecoveryCode, User
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

WRONG_CODE_TEXT = "That code is not right"
WAIT_TEXT = "Too many wrong codes"


# --- helpers -----------------------------------------------------------------------------------
def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The six digits an authenticator app shows now for ``device`` (or that many steps on)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that no step near now accepts."""
    near = {code_of(device, k) for k in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(0, 10**6, 7919)) if c not in near)


def digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    path = f"/login/?next={quote(next_url)}" if next_url else "/login/"
    r = client.post(path, {"username": username, "password": password})
    assert r.status_code == 302, r.content[:300]
    return r


def enrol(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    """Set up the authenticator through the pages; the device and the recovery codes shown."""
    assert client.post("/account/two-factor/start/", {"next": "/"}).status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = client.post("/account/two-factor/confirm/", {"code": code_of(device), "next": "/"})
    assert r.status_code == 200, r.content[:300]
    return device, list(r.context["codes"])


def details() -> str:
    """Every audit row's detail, as one text."""
    return json.dumps(list(AuditEntry.objects.values_list("detail", flat=True)))


def otp_rows(username: str, action: str = "auth.otp") -> list[tuple[str, dict]]:
    return list(
        AuditEntry.objects.filter(username=username, action=action)
        .order_by("id")
        .values_list("outcome", "detail")
    )


@pytest.fixture
def staff(users) -> User:
    """civil1 as an ordinary (not demo) account: it needs the second factor."""
    User.objects.filter(pk=users["civil1"].pk).update(is_demo=False)
    users["civil1"].refresh_from_db()
    return users["civil1"]


@pytest.fixture
def frozen():
    """The clock stopped at now; the test moves it on (``frozen.shift(seconds)``)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- enrolment ---------------------------------------------------------------------------------
def test_r6_enrolment_shows_a_qr_code_and_the_secret_then_confirms_with_a_right_code(staff):
    client = client_at("198.51.100.7")
    client.force_login(staff)

    first = client.get("/account/two-factor/")
    assert first.status_code == 200
    assert 'id="start-2fa"' in first.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()  # the GET made nothing

    r = client.post("/account/two-factor/start/", {"next": "/cases/"})
    assert (r.status_code, r["Location"]) == (302, "/account/two-factor/?next=%2Fcases%2F")
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False

    page = client.get("/account/two-factor/?next=/cases/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    qr = html.split('id="totp-qr"', 1)[1].split("</div>", 1)[0]
    assert "<svg" in qr and "<script" not in qr and "<style" not in qr
    secret = page.context["secret"]
    assert f'id="totp-secret">{secret}<' in html
    raw = secret.replace(" ", "")
    assert base64.b32decode(raw + "=" * (-len(raw) % 8)) == device.bin_key

    done = client.post("/account/two-factor/confirm/", {"code": code_of(device), "next": "/cases/"})

    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed is True
    codes = done.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    shown = done.content.decode()
    assert all(code in shown for code in codes)
    assert 'href="/cases/" id="codes-kept"' in shown
    stored = set(RecoveryCode.objects.filter(user=staff).values_list("digest", flat=True))
    assert stored == {digest(c) for c in codes}  # only the SHA-256 of each is kept
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)
    assert client.get("/cases/").status_code == 200  # the session counts as verified
    assert [o for o, _d in otp_rows("civil1", "auth.otp_enrol_start")] == ["ok"]
    assert [o for o, _d in otp_rows("civil1", "auth.otp_enrol")] == ["ok"]
    # shown once: the page of the authenticator now lists how many are left, not the codes
    again = client.get("/account/two-factor/").content.decode()
    assert 'id="recovery-left"' in again and not any(c in again for c in codes)


def test_r6_a_wrong_enrolment_code_is_422_at_the_field_and_audited(staff, frozen):
    client = client_at("198.51.100.7")
    client.force_login(staff)
    client.post("/account/two-factor/start/", {"next": "/"})
    device = TOTPDevice.objects.get(user=staff)
    bad = wrong_code(device)

    r = client.post("/account/two-factor/confirm/", {"code": bad, "next": "/"})

    assert r.status_code == 422
    assert list(r.context["form"].errors) == ["code"]
    assert WRONG_CODE_TEXT in r.context["form"].errors["code"][0]
    assert r.context["secret"] == twofactor.secret_text(device)  # the same QR code, to retry
    device.refresh_from_db()
    assert device.confirmed is False
    assert not RecoveryCode.objects.filter(user=staff).exists()
    assert otp_rows("civil1", "auth.otp_enrol") == [("failed", {})]
    assert client.get("/").status_code == 302  # still not through

    frozen.shift(2)  # django-otp makes the next try wait a second after a wrong code
    ok = client.post("/account/two-factor/confirm/", {"code": code_of(device), "next": "/"})
    assert ok.status_code == 200
    assert bad not in details()


def test_r6_a_retry_too_soon_after_a_wrong_enrolment_code_says_wait(staff, frozen):
    client = client_at("198.51.100.7")
    client.force_login(staff)
    client.post("/account/two-factor/start/", {"next": "/"})
    device = TOTPDevice.objects.get(user=staff)
    client.post("/account/two-factor/confirm/", {"code": wrong_code(device), "next": "/"})

    r = client.post("/account/two-factor/confirm/", {"code": code_of(device), "next": "/"})

    assert r.status_code == 422
    assert WAIT_TEXT in r.context["form"].errors["code"][0]
    device.refresh_from_db()
    assert device.confirmed is False
    assert otp_rows("civil1", "auth.otp_enrol") == [("failed", {}), ("denied", {"reason": "wait"})]


def test_r6_confirming_without_a_pending_authenticator_is_422(staff):
    client = client_at("198.51.100.7")
    client.force_login(staff)

    r = client.post("/account/two-factor/confirm/", {"code": "123456"})

    assert r.status_code == 422
    assert list(r.context["form"].errors) == ["code"]
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_r6_beginning_again_replaces_the_unconfirmed_secret_and_a_confirmed_one_stays(staff):
    client = client_at("198.51.100.7")
    client.force_login(staff)
    client.post("/account/two-factor/start/")
    first = TOTPDevice.objects.get(user=staff)
    client.post("/account/two-factor/start/")
    second = TOTPDevice.objects.get(user=staff)
    assert second.pk != first.pk and second.key != first.key

    device, _codes = enrol(client, staff)
    r = client.post("/account/two-factor/start/")

    assert r.status_code == 302
    assert list(TOTPDevice.objects.filter(user=staff).values_list("pk", "confirmed")) == [
        (device.pk, True)
    ]


# --- signing in with the second factor ---------------------------------------------------------
def test_r6_after_the_password_every_page_waits_for_the_code(staff):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    tokens_before = ApiToken.objects.count()

    r = sign_in(client, "civil1", next_url="/cases/")

    assert r["Location"] == "/cases/"
    r = client.get("/cases/")
    assert (r.status_code, r["Location"]) == (302, "/login/verify/?next=%2Fcases%2F")
    for path in ("/", "/leads/", "/account/password/", "/account/tokens/", "/notifications/"):
        r = client.get(path)
        assert r.status_code == 302, path
        assert r["Location"] == f"/login/verify/?next={quote(path, safe='')}", path
    # the set-up page sends a user who has an authenticator to the code
    r = client.get("/account/two-factor/")
    assert (r.status_code, r["Location"]) == (302, "/login/verify/?next=%2F")
    page = client.get("/login/verify/?next=/cases/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert 'id="zc-nav"' not in page.content.decode()  # nothing else is offered yet

    # a form sent to another page is refused by a redirect and does nothing
    r = client.post("/account/tokens/new/", {"name": "sync"})
    assert (r.status_code, r["Location"]) == (302, "/login/verify/")
    assert ApiToken.objects.count() == tokens_before

    code = code_of(device)
    r = client.post("/login/verify/", {"code": code, "next": "/cases/"})

    assert (r.status_code, r["Location"]) == (302, "/cases/")
    assert client.get("/cases/").status_code == 200
    assert client.get("/login/verify/?next=/leads/")["Location"] == "/leads/"
    assert otp_rows("civil1") == [("ok", {"method": "totp"})]
    assert code not in details()


def test_r6_the_code_page_goes_nowhere_but_this_site(staff):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    r = client.post(
        "/login/verify/", {"code": code_of(device), "next": "https://evil.example.org/"}
    )

    assert (r.status_code, r["Location"]) == (302, "/")


def test_r6_a_user_without_an_authenticator_is_sent_to_set_one_up(staff):
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    r = client.get("/cases/")

    assert (r.status_code, r["Location"]) == (302, "/account/two-factor/?next=%2Fcases%2F")
    assert client.get("/login/verify/")["Location"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/?next=/cases/")
    assert page.status_code == 200
    assert 'id="zc-nav"' not in page.content.decode()
    r = client.post("/account/tokens/new/", {"name": "sync"})
    assert (r.status_code, r["Location"]) == (302, "/account/two-factor/")
    assert not ApiToken.objects.filter(user=staff).exists()


def test_r6_the_page_asked_for_comes_back_whole_through_the_set_up(staff):
    wanted = "/cases/?stage=filed&page=2"
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    r = client.get(wanted)
    assert r["Location"] == f"/account/two-factor/?{urlencode({'next': wanted})}"
    r = client.get(f"/login/verify/?{urlencode({'next': wanted})}")  # no authenticator yet
    assert r["Location"] == f"/account/two-factor/?{urlencode({'next': wanted})}"
    r = client.post("/account/two-factor/start/", {"next": wanted})
    assert r["Location"] == f"/account/two-factor/?{urlencode({'next': wanted})}"
    page = client.get(r["Location"])
    assert f'name="next" value="{escape(wanted)}"' in page.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    done = client.post("/account/two-factor/confirm/", {"code": code_of(device), "next": wanted})
    assert f'href="{escape(wanted)}" id="codes-kept"' in done.content.decode()

    later = client_at("198.51.100.8")
    sign_in(later, "civil1")
    r = later.get(f"/account/two-factor/?{urlencode({'next': wanted})}")
    assert r["Location"] == f"/login/verify/?{urlencode({'next': wanted})}"
    r = later.post("/login/verify/", {"code": code_of(device, 1), "next": wanted})
    assert r["Location"] == wanted


def test_r6_signing_out_and_the_language_stay_open_before_the_code(staff):
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    lang = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/verify/"})
    out = client.post("/logout/")

    assert (lang.status_code, lang["Location"]) == (302, "/login/verify/")
    assert (out.status_code, out["Location"]) == (302, "/login/")
    assert client.get("/")["Location"] == "/login/?next=/"


def test_r6_a_wrong_code_is_refused_and_the_next_try_must_wait(staff, frozen):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")
    bad = wrong_code(device)

    r = client.post("/login/verify/", {"code": bad})
    assert r.status_code == 422
    assert list(r.context["form"].errors) == ["code"]
    assert WRONG_CODE_TEXT in r.context["form"].errors["code"][0]

    r = client.post("/login/verify/", {"code": code_of(device)})  # right, but too soon
    assert r.status_code == 422
    assert WAIT_TEXT in r.context["form"].errors["code"][0]
    assert client.get("/")["Location"].startswith("/login/verify/")

    frozen.shift(1.5)  # one failure: one second
    r = client.post("/login/verify/", {"code": code_of(device)})
    assert (r.status_code, r["Location"]) == (302, "/")
    assert otp_rows("civil1") == [
        ("failed", {}),
        ("denied", {"reason": "wait"}),
        ("ok", {"method": "totp"}),
    ]
    assert bad not in details()


def test_r6_each_wrong_code_doubles_the_wait(staff, frozen):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    client.post("/login/verify/", {"code": wrong_code(device)})
    frozen.shift(1.5)
    client.post("/login/verify/", {"code": wrong_code(device)})  # second failure: two seconds
    frozen.shift(1.5)
    too_soon = client.post("/login/verify/", {"code": code_of(device)})
    frozen.shift(1)
    in_time = client.post("/login/verify/", {"code": code_of(device)})

    assert WAIT_TEXT in too_soon.context["form"].errors["code"][0]
    assert in_time.status_code == 302


def test_r6_a_recovery_code_signs_in_once_and_not_twice(staff, frozen):
    setup = client_at("198.51.100.7")
    setup.force_login(staff)
    _device, codes = enrol(setup, staff)

    first = client_at("198.51.100.8")
    sign_in(first, "civil1", next_url="/cases/")
    r = first.post("/login/verify/", {"code": codes[0], "next": "/cases/"})

    assert (r.status_code, r["Location"]) == (302, "/cases/")
    page = first.get("/cases/")
    assert page.status_code == 200
    assert "9 are left" in page.content.decode()
    assert RecoveryCode.objects.get(user=staff, digest=digest(codes[0])).used_at is not None

    second = client_at("198.51.100.9")
    sign_in(second, "civil1")
    again = second.post("/login/verify/", {"code": codes[0]})

    assert again.status_code == 422
    assert WRONG_CODE_TEXT in again.context["form"].errors["code"][0]
    assert second.get("/")["Location"].startswith("/login/verify/")

    frozen.shift(2)
    # another one, typed in capitals without its dash, works
    r = second.post("/login/verify/", {"code": codes[1].replace("-", "").upper()})
    assert r.status_code == 302
    assert twofactor.recovery_codes_left(staff) == 8
    assert otp_rows("civil1") == [
        ("ok", {"method": "recovery", "recovery_codes_left": 9}),
        ("failed", {}),
        ("ok", {"method": "recovery", "recovery_codes_left": 8}),
    ]
    trail = details()
    assert not any(c in trail or c.replace("-", "") in trail for c in codes)


def test_r6_new_recovery_codes_replace_the_old_ones(staff):
    client = client_at("198.51.100.7")
    client.force_login(staff)
    _device, old = enrol(client, staff)

    r = client.post("/account/two-factor/recovery-codes/")

    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    new = r.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(RecoveryCode.objects.filter(user=staff).values_list("digest", flat=True)) == {
        digest(c) for c in new
    }
    assert [o for o, _d in otp_rows("civil1", "auth.otp_recovery_renew")] == ["ok"]
    later = client_at("198.51.100.8")
    sign_in(later, "civil1")
    assert later.post("/login/verify/", {"code": old[0]}).status_code == 422


def test_r6_new_recovery_codes_need_the_second_factor_first(staff):
    TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")

    r = client.post("/account/two-factor/recovery-codes/")

    assert (r.status_code, r["Location"]) == (302, "/login/verify/")
    assert not RecoveryCode.objects.filter(user=staff).exists()


# --- who needs it ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("demo_instance", "demo_account", "exempt"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_r6_only_a_demo_account_on_a_demo_instance_skips_the_second_factor(
    users, settings, demo_instance, demo_account, exempt
):
    settings.ZHICHI_DEMO = demo_instance
    User.objects.filter(pk=users["civil1"].pk).update(is_demo=demo_account)
    client = client_at("198.51.100.7")

    sign_in(client, "civil1")
    r = client.get("/cases/")

    user = User.objects.get(pk=users["civil1"].pk)
    assert passwords.demo_exempt(user) is exempt
    if exempt:
        assert r.status_code == 200
    else:
        assert (r.status_code, r["Location"]) == (302, "/account/two-factor/?next=%2Fcases%2F")


def test_r6_on_a_demo_instance_an_ordinary_account_still_enrols_and_gives_codes(staff, settings):
    assert settings.ZHICHI_DEMO  # the test instance is a demo instance
    client = client_at("198.51.100.7")
    sign_in(client, "civil1")
    assert client.get("/")["Location"] == "/account/two-factor/?next=%2F"

    device, _codes = enrol(client, staff)
    assert client.get("/").status_code == 200

    later = client_at("198.51.100.8")
    sign_in(later, "civil1")
    assert later.get("/")["Location"] == "/login/verify/?next=%2F"
    assert later.post("/login/verify/", {"code": code_of(device, 1)}).status_code == 302


def test_r6_a_demo_account_may_still_set_up_an_authenticator(users):
    client = client_at("198.51.100.7")
    client.force_login(users["civil2"])

    page = client.get("/account/two-factor/")

    assert page.status_code == 200
    assert page.context["exempt"] is True
    device, codes = enrol(client, users["civil2"])
    assert device.pk and len(codes) == 10


# --- the security administrator's reset --------------------------------------------------------
def test_r6_the_security_administrator_resets_the_second_factor_and_ends_the_sessions(
    staff, users, web
):
    officer = client_at("198.51.100.7")
    officer.force_login(staff)
    enrol(officer, staff)
    assert officer.get("/cases/").status_code == 200
    admin = web("secadmin")
    user_page = admin.get(f"/security/users/{staff.pk}/").content.decode()
    assert 'id="reset-2fa"' in user_page and 'id="reset-2fa" disabled' not in user_page

    r = admin.post(f"/security/users/{staff.pk}/two-factor/reset/")

    assert (r.status_code, r["Location"]) == (302, f"/security/users/{staff.pk}/")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not RecoveryCode.objects.filter(user=staff).exists()
    r = officer.get("/cases/")  # the next request is signed out
    assert (r.status_code, r["Location"]) == (302, "/login/?next=/cases/")
    row = AuditEntry.objects.get(action="auth.otp_reset")
    assert (row.username, row.outcome, row.object_id) == ("secadmin", "ok", str(staff.pk))
    assert row.detail == {"username": "civil1", "devices_removed": 1}

    again = client_at("198.51.100.8")
    sign_in(again, "civil1")
    assert again.get("/")["Location"] == "/account/two-factor/?next=%2F"  # enrols again


@pytest.mark.parametrize("target", ["secadmin", "sysadmin", "auditor"])
def test_r5_the_security_administrator_cannot_reset_their_own_or_an_administrators(
    users, web, target
):
    victim = users[target]
    device = TOTPDevice.objects.create(user=victim, name="authenticator", confirmed=True)
    RecoveryCode.objects.create(user=victim, digest=digest("abcde-12345"))
    stamp = User.objects.get(pk=victim.pk).security_stamp

    r = web("secadmin").post(f"/security/users/{victim.pk}/two-factor/reset/")

    assert r.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert RecoveryCode.objects.filter(user=victim).count() == 1
    assert User.objects.get(pk=victim.pk).security_stamp == stamp
    assert list(
        AuditEntry.objects.filter(action="auth.otp_reset").values_list("username", "outcome")
    ) == [("secadmin", "denied")]


@pytest.mark.parametrize("who", ["civilhead", "sysadmin", "auditor"])
def test_r5_only_the_security_administrator_resets_a_second_factor(staff, web, who):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)

    r = web(who).post(f"/security/users/{staff.pk}/two-factor/reset/")

    assert r.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(
        action="auth.otp_reset", username=who, outcome="denied"
    ).exists()


# --- the trail -----------------------------------------------------------------------------------
def test_r7_no_code_or_secret_reaches_the_audit_trail(staff, web, frozen):
    setup = client_at("198.51.100.7")
    setup.force_login(staff)
    setup.post("/account/two-factor/start/")
    device = TOTPDevice.objects.get(user=staff)
    used = [wrong_code(device)]
    setup.post("/account/two-factor/confirm/", {"code": used[-1]})
    frozen.shift(2)
    used.append(code_of(device))
    codes = setup.post("/account/two-factor/confirm/", {"code": used[-1]}).context["codes"]
    frozen.shift(60)
    signing_in = client_at("198.51.100.8")
    sign_in(signing_in, "civil1")
    used.append(wrong_code(device))
    signing_in.post("/login/verify/", {"code": used[-1]})
    frozen.shift(2)
    signing_in.post("/login/verify/", {"code": codes[3]})
    frozen.shift(60)
    used.append(code_of(device))
    later = client_at("198.51.100.9")
    sign_in(later, "civil1")
    later.post("/login/verify/", {"code": used[-1]})
    renewed = later.post("/account/two-factor/recovery-codes/").context["codes"]
    web("secadmin").post(f"/security/users/{staff.pk}/two-factor/reset/")

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "auth.otp_enrol_start",
        "auth.otp_enrol",
        "auth.otp",
        "auth.otp_recovery_renew",
        "auth.otp_reset",
    } <= actions
    trail = json.dumps(
        list(AuditEntry.objects.values_list("detail", "username", "object_type", "object_id"))
    )
    secret = twofactor.secret_text(device).replace(" ", "")
    for secret_thing in [*used, *codes, *renewed, secret, device.key]:
        assert secret_thing not in trail
        assert secret_thing.replace("-", "") not in trail
