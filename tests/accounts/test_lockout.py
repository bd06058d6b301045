"""Issue 12 item 7 and rule R6: the sign-in lock is per username and client, a waiting time per
username slows guessing spread over many clients, the lock page says whom to ask, the security
administrator lifts a lock, and every step is audited (rule R7)."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import translation

from tests.accounts.conftest import WRONG, client_at, fail, sign_in
from tests.conftest import PASSWORD
from zhichi.accounts import lockout
from zhichi.accounts.lockout import delay_seconds
from zhichi.audit.models import AuditEntry

ATTACKER = "203.0.113.9"
OFFICE = "10.20.30.40"

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def failures_recorded(username: str) -> int:
    return sum(
        AccessAttempt.objects.filter(username=username).values_list(
            "failures_since_start", flat=True
        )
    )


# --- the lock is per username and client -------------------------------------------------------
def test_item7_five_anonymous_failures_from_one_client_do_not_lock_the_chief_out_elsewhere(
    users, clock
):
    fail(client_at(ATTACKER), "chief", 5)
    clock.advance(seconds=2)  # the short wait a sixth failure for "chief" has earned (below)

    office = client_at(OFFICE)
    r = sign_in(office, "chief")

    assert r.status_code == 302
    assert signed_in(office)


def test_item7_the_sixth_attempt_from_the_attacking_client_is_refused_even_with_the_password(
    users, clock
):
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)
    clock.advance(minutes=5)

    r = sign_in(attacker, "chief")

    assert r.status_code == 429
    assert not signed_in(attacker)
    assert 'id="locked-out"' in r.content.decode()
    assert not AuditEntry.objects.filter(action="auth.login", outcome="ok").exists()


def test_item7_the_lock_lasts_30_minutes_from_the_failure_that_set_it(users, clock):
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)
    ends = lockout.lock_ends_at("chief", ATTACKER)

    clock.advance(minutes=20)
    assert sign_in(attacker, "chief", WRONG).status_code == 429  # refused, not counted
    assert lockout.lock_ends_at("chief", ATTACKER) == ends
    assert failures_recorded("chief") == 5

    clock.advance(minutes=11)
    r = sign_in(attacker, "chief")
    assert r.status_code == 302


def test_item7_the_lock_does_not_reach_other_users_on_the_same_client(users, clock):
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)

    assert sign_in(attacker, "civil2").status_code == 302


# --- the waiting time per username, whatever the client ----------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (13, 256), (14, 300), (80, 300)],
)
def test_item7_the_wait_doubles_after_five_failures_and_is_capped(failures, seconds):
    assert delay_seconds(failures, after=5, cap=300) == seconds


def test_item7_guessing_spread_over_many_clients_must_wait_longer_after_each_failure(users, clock):
    for n in range(5):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")
    fresh = client_at("198.51.100.77")

    early = sign_in(fresh, "chief", PASSWORD)  # even the right password is not looked at

    assert early.status_code == 429
    assert early["Retry-After"] == "1"
    assert not signed_in(fresh)
    with translation.override("en"):
        text = sign_in(fresh, "chief", WRONG).content.decode()
    assert "wait 1 second before trying again" in text
    assert failures_recorded("chief") == 5  # a too-early attempt is no guess

    clock.advance(seconds=1)
    fail(client_at("198.51.100.6"), "chief")  # the sixth failure: the next one waits 2 s
    r = sign_in(client_at("198.51.100.8"), "chief", WRONG)
    assert (r.status_code, r["Retry-After"]) == (429, "2")

    clock.advance(seconds=2)
    fail(client_at("198.51.100.9"), "chief")  # the seventh: 4 s
    assert sign_in(client_at("198.51.100.10"), "chief", WRONG)["Retry-After"] == "4"

    clock.advance(seconds=4)
    assert sign_in(client_at("198.51.100.11"), "chief").status_code == 302


def test_item7_a_too_early_attempt_is_audited_as_refused(users, clock):
    for n in range(5):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")

    sign_in(client_at("198.51.100.50"), "chief", "Another-guess-1")

    entry = AuditEntry.objects.filter(action="auth.login", outcome="denied").get()
    assert (entry.username, entry.detail, entry.ip) == (
        "chief",
        {"reason": "wait", "seconds": 1},
        "198.51.100.50",
    )
    assert "Another-guess-1" not in json.dumps(entry.detail)


def test_item7_the_users_own_browser_does_not_wait(users, clock):
    browser = client_at(OFFICE)
    assert sign_in(browser, "chief").status_code == 302
    browser.post("/logout/")
    for n in range(9):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")

    assert sign_in(client_at("198.51.100.99"), "chief").status_code == 429
    assert sign_in(browser, "chief").status_code == 302


def test_item7_a_new_password_forgets_the_known_browsers(users, clock):
    browser = client_at(OFFICE)
    sign_in(browser, "chief")
    browser.post("/logout/")
    users["chief"].set_password("Changed-passw0rd!")
    users["chief"].save()
    for n in range(9):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")

    assert sign_in(browser, "chief", "Changed-passw0rd!").status_code == 429


def test_item7_a_forged_known_device_cookie_is_ignored(users, clock):
    for n in range(9):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")
    forger = client_at("198.51.100.99")
    forger.cookies[lockout.KNOWN_DEVICE_COOKIE] = '[["chief","0000000000000000"]]'

    assert sign_in(forger, "chief").status_code == 429


# --- the lock page says whom to ask ---------------------------------------------------------------
def _locked_page(users) -> str:
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)
    with translation.override("en"):
        r = sign_in(attacker, "chief")
    assert r.status_code == 429
    return r.content.decode()


def test_item7_the_lock_page_names_the_configured_contact(users):
    with override_settings(ZHICHI_SECURITY_CONTACT="Call the IT office on 0871-6512 3456"):
        text = _locked_page(users)

    assert "Call the IT office on 0871-6512 3456" in text
    assert "You can try again after" in text


def test_item7_the_lock_page_says_to_ask_the_security_administrator_by_default(users):
    text = _locked_page(users)

    assert "ask the security administrator to unlock it" in text
    assert "Signing in from another computer still works" in text


# --- the security administrator lifts a lock ----------------------------------------------------
def test_item7_the_locks_page_lists_the_lock_and_unlock_lifts_it_audited(users, web, clock):
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)
    admin = web("secadmin")

    rows = admin.get("/security/locks/").context["locks"]
    assert [(r.username, r.ip_address, r.failures) for r in rows] == [("chief", ATTACKER, 5)]
    assert rows[0].until - rows[0].since == lockout._cool_off()

    r = admin.post("/security/locks/unlock/", {"username": "chief", "ip_address": ATTACKER})

    assert (r.status_code, r["Location"]) == (302, "/security/locks/")
    assert admin.get("/security/locks/").context["locks"] == []
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert (entry.username, entry.object_id, entry.detail) == (
        "secadmin",
        str(users["chief"].pk),
        {"username": "chief", "ip_address": ATTACKER, "records_cleared": 1},
    )
    assert sign_in(attacker, "chief").status_code == 302


def test_item7_clearing_every_failure_of_a_username_ends_its_wait(users, web, clock):
    for n in range(7):
        fail(client_at(f"198.51.100.{n + 1}"), "chief")
    admin = web("secadmin")
    assert [d.username for d in admin.get("/security/locks/").context["delays"]] == ["chief"]

    admin.post("/security/locks/unlock/", {"username": "chief", "every_client": "1"})

    assert sign_in(client_at("198.51.100.99"), "chief").status_code == 302
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert entry.detail["ip_address"] == "all clients"


def test_item7_an_unlock_without_a_lock_named_is_refused_and_changes_nothing(users, web):
    fail(client_at(ATTACKER), "chief", 5)

    r = web("secadmin").post("/security/locks/unlock/", {"username": "chief"})

    assert r.status_code == 422
    assert failures_recorded("chief") == 5
    assert not AuditEntry.objects.filter(action="auth.unlock").exists()


# --- rule R7: failures, the lock and the unlock are audited -------------------------------------
def test_r7_failed_sign_ins_the_lock_and_refused_attempts_are_audited(users, clock):
    attacker = client_at(ATTACKER)
    fail(attacker, "chief", 5)
    clock.advance(seconds=30)
    sign_in(attacker, "chief")  # refused by the lock

    failed = AuditEntry.objects.filter(action="auth.login", outcome="failed", username="chief")
    assert failed.count() == 6
    lock = AuditEntry.objects.get(action="auth.lockout")
    assert (lock.username, lock.outcome, lock.ip) == ("chief", "denied", ATTACKER)
    assert (lock.detail["ip_address"], lock.detail["failures"]) == (ATTACKER, 5)
    everything = json.dumps(list(AuditEntry.objects.values("detail")))
    assert WRONG not in everything and PASSWORD not in everything


def test_the_locks_page_makes_the_same_queries_for_one_lock_and_three(users, web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = web("secadmin")
    fail(client_at("192.0.2.1"), "chief", 5)
    admin.get("/security/locks/")  # the session's first request stamps it
    with CaptureQueriesContext(connection) as one:
        admin.get("/security/locks/")
    fail(client_at("192.0.2.2"), "civil1", 5)
    fail(client_at("192.0.2.3"), "civil2", 5)
    with CaptureQueriesContext(connection) as three:
        r = admin.get("/security/locks/")

    assert len(r.context["locks"]) == 3
    assert len(three) == len(one)
