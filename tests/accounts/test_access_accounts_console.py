"""Rule R2 for the security administrator's accounts console and every user's own sign-in safety
pages (rules R5, R6): every fixture user × every route, with the exact status.

- The security administrator's pages (users, a user, a new user, the changes to an account,
  sessions, the password policy): 403 for every other role, audited, and nothing changes.
- The user's own pages (the second step of sign-in, setting up the authenticator, recovery codes,
  changing the password): every signed-in user. The fixture users are demo accounts on the demo
  test instance, so each has given the second factor: the code page sends them on (302), and
  confirming with an empty code is a 422 at the field (nothing to confirm).
``ENDPOINTS`` feeds the coverage check in tests/test_access_matrix.py.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.access import USERS, Endpoint, anonymous_response, call_endpoint
from tests.conftest import PASSWORD
from zhichi.accounts.models import PasswordPolicy, RecoveryCode, User, UserSession
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SECADMIN = frozenset({"secadmin"})


@pytest.fixture
def world(users, orgs) -> dict:
    """wf1 (a partner) as the account the security administrator acts on, with a session."""
    signed_in = Client().post("/login/", {"username": "wf1", "password": PASSWORD})
    assert signed_in.status_code == 302
    session = UserSession.objects.get(user=users["wf1"])
    return {
        "target": users["wf1"].pk,
        "session": session.pk,
        "wf": orgs["wf"].pk,
        "proc": orgs["proc"].pk,
        "civil": orgs["civil"].pk,
    }


NEW_USER = {
    "username": "matrixofficer",
    "first_name": "新同事",
    "organisation": "{proc}",
    "department": "{civil}",
    "role": "officer",
    "phone": "",
}
POLICY = {"min_length": 14, "classes": 3, "max_age_days": 60, "history": 6}
WRONG_CHANGE = {
    "old_password": "Not-my-passw0rd",
    "new_password1": "Kunming-Lake-42x",
    "new_password2": "Kunming-Lake-42x",
}

ENDPOINTS = [
    # the security administrator's accounts console
    Endpoint("security:user_new", "page", "get", "/security/users/new/", 200, None, SECADMIN),
    Endpoint(
        "security:user_new",
        "page",
        "post",
        "/security/users/new/",
        200,  # the temporary password, shown once
        None,
        SECADMIN,
        NEW_USER,
        label="security:user_new POST",
    ),
    Endpoint("security:user", "page", "get", "/security/users/{target}/", 200, None, SECADMIN),
    Endpoint(
        "security:user_edit",
        "page",
        "post",
        "/security/users/{target}/edit/",
        302,
        None,
        SECADMIN,
        {"first_name": "妇联新名", "organisation": "{wf}", "role": "partner", "phone": ""},
    ),
    Endpoint(
        "security:user_password",
        "page",
        "post",
        "/security/users/{target}/password/",
        200,  # the temporary password, shown once
        None,
        SECADMIN,
    ),
    Endpoint(
        "security:user_two_factor_reset",
        "page",
        "post",
        "/security/users/{target}/two-factor/reset/",
        302,
        None,
        SECADMIN,
    ),
    Endpoint("security:sessions", "page", "get", "/security/sessions/", 200, None, SECADMIN),
    Endpoint(
        "security:session_end",
        "page",
        "post",
        "/security/sessions/{session}/end/",
        302,
        None,
        SECADMIN,
    ),
    Endpoint(
        "security:password_policy",
        "page",
        "get",
        "/security/password-policy/",
        200,
        None,
        SECADMIN,
    ),
    Endpoint(
        "security:password_policy",
        "page",
        "post",
        "/security/password-policy/",
        302,
        None,
        SECADMIN,
        POLICY,
        label="security:password_policy POST",
    ),
    # every user's own sign-in safety
    Endpoint("login_verify", "page", "get", "/login/verify/", 302),  # already verified: on
    Endpoint("accounts:two_factor", "page", "get", "/account/two-factor/", 200),
    Endpoint("accounts:two_factor_start", "page", "post", "/account/two-factor/start/", 302),
    Endpoint(
        "accounts:two_factor_confirm",
        "page",
        "post",
        "/account/two-factor/confirm/",
        422,
        data={"code": ""},
    ),
    # the fixture users have no authenticator: the page says so and makes no codes
    Endpoint(
        "accounts:recovery_codes_renew", "page", "post", "/account/two-factor/recovery-codes/", 302
    ),
    Endpoint("accounts:password", "page", "get", "/account/password/", 200),
    Endpoint(
        "accounts:password",
        "page",
        "post",
        "/account/password/",
        422,
        data=WRONG_CHANGE,
        label="accounts:password POST",
    ),
]


def _state() -> tuple:
    """Accounts, authenticators, recovery codes, sessions and the policy."""
    return (
        sorted(
            User.objects.values_list(
                "pk",
                "username",
                "role",
                "organisation_id",
                "department_id",
                "first_name",
                "phone",
                "password",
                "must_change_password",
                "is_active",
                "security_stamp",
            )
        ),
        sorted(TOTPDevice.objects.values_list("pk", "user_id", "confirmed")),
        sorted(RecoveryCode.objects.values_list("pk", "used_at")),
        sorted(UserSession.objects.values_list("pk", "ended_at")),
        sorted(Session.objects.values_list("session_key", flat=True)),
        sorted(PasswordPolicy.objects.values_list("min_length", "classes", "max_age_days")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_accounts_console_and_own_sign_in_safety_access(endpoint, user, world, web, api):
    client = web(user)  # signed in before the state is read: the sign-in is not the request
    before = _state()

    r = call_endpoint(endpoint, user, world, lambda _username: client, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404):
        assert _state() == before  # a refused request changes nothing
    if r.status_code == 403:
        assert AuditEntry.objects.filter(username=user, outcome="denied").exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_requests_are_sent_to_sign_in(endpoint, world):
    before = _state()

    r = anonymous_response(endpoint, world)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")
    assert _state() == before
