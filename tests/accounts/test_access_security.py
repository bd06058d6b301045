"""Rule R2 for the API-token and sign-in safety pages and routes (issue 12 items 7, 8, 12): every
fixture user × every route, with the exact status.

- "My API tokens" and /api/v1/me/tokens: every user but the three administrators (403 on the
  pages; the API answers them 401, as they hold no token); someone else's token is 404.
- The security administrator's pages: 403 for every other role.
``ENDPOINTS`` feeds the coverage check in tests/test_access_matrix.py.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from tests.access import (
    ADMINS,
    USERS,
    Endpoint,
    anonymous_response,
    call_endpoint,
    hidden_cells,
)
from zhichi.accounts.models import ApiToken, User
from zhichi.accounts.services import issue_token
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

HOLDERS = frozenset(USERS) - ADMINS
SECADMIN = frozenset({"secadmin"})
LOCKED_IP = "203.0.113.9"


@pytest.fixture
def world(users) -> dict:
    """A token of civil1's, and a lock of chief's from one client."""
    token = issue_token(user=users["civil1"], name="civil1's sync").token
    AccessAttempt.objects.create(
        username="chief",
        ip_address=LOCKED_IP,
        user_agent="probe",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/login/",
        failures_since_start=5,
    )
    return {"token": token.pk, "target": users["wf1"].pk}


ENDPOINTS = [
    # My API tokens
    Endpoint("accounts:tokens", "page", "get", "/account/tokens/", 200, None, HOLDERS),
    Endpoint(
        "accounts:token_create",
        "page",
        "post",
        "/account/tokens/new/",
        200,
        None,
        HOLDERS,
        {"name": "my system"},
    ),
    Endpoint(
        "accounts:token_revoke",
        "page",
        "post",
        "/account/tokens/{token}/revoke/",
        302,
        frozenset({"civil1"}),
    ),
    Endpoint("api:list_my_tokens", "api", "get", "/api/v1/me/tokens", 200),
    Endpoint(
        "api:revoke_my_token",
        "api",
        "post",
        "/api/v1/me/tokens/{token}/revoke",
        200,
        frozenset({"civil1"}),
    ),
    # the security administrator
    Endpoint("security:locks", "page", "get", "/security/locks/", 200, None, SECADMIN),
    Endpoint(
        "security:unlock",
        "page",
        "post",
        "/security/locks/unlock/",
        302,
        None,
        SECADMIN,
        {"username": "chief", "ip_address": LOCKED_IP},
    ),
    Endpoint("security:tokens", "page", "get", "/security/tokens/", 200, None, SECADMIN),
    Endpoint(
        "security:token_revoke",
        "page",
        "post",
        "/security/tokens/{token}/revoke/",
        302,
        None,
        SECADMIN,
    ),
    Endpoint("security:users", "page", "get", "/security/users/", 200, None, SECADMIN),
    Endpoint(
        "security:user_active",
        "page",
        "post",
        "/security/users/{target}/active/",
        302,
        None,
        SECADMIN,
        {"active": "0"},
    ),
]


def _state() -> tuple:
    """Tokens (other than the API clients' own), users and recorded sign-in failures."""
    return (
        sorted(
            ApiToken.objects.exclude(name__in=API_CLIENT_TOKENS).values_list("pk", "revoked_at")
        ),
        sorted(User.objects.values_list("pk", "is_active", "security_stamp")),
        sorted(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")),
    )


# the names tests/conftest.py gives the API clients' tokens
API_CLIENT_TOKENS = ["tests", "made before issue 12"]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_token_and_security_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (401, 403, 404):
        assert _state() == before  # a refused request changes nothing
    if r.status_code == 403:
        assert AuditEntry.objects.filter(username=user, outcome="denied").exists()


@pytest.mark.parametrize(("endpoint", "user"), hidden_cells(ENDPOINTS))
def test_r2_someone_elses_token_looks_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    missing = call_endpoint(endpoint, user, world, web, api, ids={**world, "token": 999999})

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_requests_are_sent_to_sign_in_or_refused(endpoint, world):
    r = anonymous_response(endpoint, world)

    if endpoint.kind == "page":
        assert r.status_code == 302
        assert r["Location"].startswith("/login/?next=")
    else:
        assert r.status_code == 401
        assert list(r.json()) == ["detail"]


def test_the_menu_offers_my_tokens_to_holders_and_the_security_pages_to_secadmin(users, web):
    partner = web("hrss1").get("/").content.decode()
    admin = web("secadmin").get("/").content.decode()
    chief = web("chief").get("/").content.decode()

    assert 'href="/account/tokens/"' in partner and 'href="/security/locks/"' not in partner
    assert 'href="/account/tokens/"' not in admin
    assert all(f'href="/security/{p}/"' in admin for p in ("locks", "tokens", "users"))
    assert 'href="/security/users/"' not in chief
