"""Issue 12 item 8: API tokens have a name and an expiry, are revoked from the page, the API and the
command line, are never issued to the three administrators, and every issue and revocation is
audited without the token itself."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from zhichi.accounts.models import ApiToken, Role, TokenState
from zhichi.accounts.services import (
    issue_token,
    revoke_token,
    revoke_tokens_of,
    user_for_token,
)
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ADMINS = ["sysadmin", "secadmin", "auditor"]


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def api_status(raw: str) -> int:
    return Client().get("/api/v1/me", headers=bearer(raw)).status_code


# --- name and expiry ---------------------------------------------------------------------------
@override_settings(ZHICHI_TOKEN_DAYS=30)
def test_item8_a_token_has_its_name_and_expires_after_the_configured_days(users, clock):
    issued = issue_token(user=users["hrss1"], name="  劳动监察系统  ")

    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.name == "劳动监察系统"
    assert (token.created_at, token.expires_at) == (clock.at, clock.at + timedelta(days=30))


def test_item8_the_default_lifetime_is_90_days(users, clock):
    token = issue_token(user=users["hrss1"], name="x").token

    assert token.expires_at - token.created_at == timedelta(days=90)


@pytest.mark.parametrize(
    ("name", "code"), [("", "required"), ("   ", "required"), ("x" * 101, "max_length")]
)
def test_item8_a_token_needs_a_name_of_reasonable_length(users, name, code):
    with pytest.raises(InvalidInput) as caught:
        issue_token(user=users["hrss1"], name=name)

    assert [(e.field, e.code) for e in caught.value.errors] == [("name", code)]
    assert ApiToken.objects.count() == 0


def test_item8_an_expired_token_is_refused(users, clock):
    issued = issue_token(user=users["hrss1"], name="nightly sync")

    clock.advance(days=90, seconds=-1)
    assert user_for_token(issued.raw) == users["hrss1"]
    assert api_status(issued.raw) == 200

    clock.advance(seconds=1)
    assert user_for_token(issued.raw) is None
    assert api_status(issued.raw) == 401
    assert ApiToken.objects.get(pk=issued.token.pk).state() == TokenState.EXPIRED


# --- a new token does not end the old one; revoking does ----------------------------------------
def test_item8_a_second_token_leaves_the_first_valid_only_until_it_is_revoked(users):
    first = issue_token(user=users["hrss1"], name="old system")
    second = issue_token(user=users["hrss1"], name="new system")

    assert (api_status(first.raw), api_status(second.raw)) == (200, 200)

    assert revoke_token(token=first.token, actor=users["hrss1"]) is True

    assert (api_status(first.raw), api_status(second.raw)) == (401, 200)
    assert revoke_token(token=first.token, actor=users["hrss1"]) is False  # already revoked


def test_item8_nobody_else_revokes_a_users_token_through_the_service(users):
    issued = issue_token(user=users["hrss1"], name="x")

    with pytest.raises(NotPermitted):
        revoke_token(token=issued.token, actor=users["wf1"])

    assert api_status(issued.raw) == 200


# --- no tokens for the three administrators (rule R5) ---------------------------------------------
@pytest.mark.parametrize("username", ADMINS)
def test_item8_the_service_refuses_a_token_for_an_administrator(users, username):
    with pytest.raises(NotPermitted):
        issue_token(user=users[username], name="x")

    assert not ApiToken.objects.filter(user=users[username]).exists()


@pytest.mark.parametrize("username", ADMINS)
def test_item8_issue_token_command_refuses_an_administrator_with_exit_code_1(
    users, username, capsys
):
    # the real command line (its exit code and stderr); the test keeps its database connection
    with (
        mock.patch("django.core.management.base.connections.close_all"),
        pytest.raises(SystemExit) as exited,
    ):
        ManagementUtility(["manage.py", "issue_token", username]).execute()

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no token for '{username}'" in captured.err
    assert not ApiToken.objects.filter(user=users[username]).exists()


def test_item8_issue_token_command_refuses_a_disabled_user(users):
    users["hrss1"].is_active = False
    users["hrss1"].save()

    with pytest.raises(CommandError):
        call_command("issue_token", "hrss1")


def test_item8_a_token_stops_working_when_its_user_becomes_an_administrator(users):
    issued = issue_token(user=users["civil1"], name="x")
    users["civil1"].role = Role.AUDITOR
    users["civil1"].save()

    assert user_for_token(issued.raw) is None
    assert api_status(issued.raw) == 401


def test_item8_a_user_issues_tokens_only_for_themselves(users):
    with pytest.raises(NotPermitted):
        issue_token(user=users["hrss1"], name="x", actor=users["wf1"])


# --- revoke_token command --------------------------------------------------------------------------
def test_item8_revoke_token_command_revokes_every_token_of_the_user_and_says_how_many(
    users, capsys
):
    a = issue_token(user=users["hrss1"], name="a")
    b = issue_token(user=users["hrss1"], name="b")
    other = issue_token(user=users["wf1"], name="c")
    revoke_token(token=b.token, actor=users["hrss1"])

    call_command("revoke_token", "hrss1")

    assert capsys.readouterr().out.strip() == "1 token(s) of hrss1 revoked"
    assert (api_status(a.raw), api_status(b.raw), api_status(other.raw)) == (401, 401, 200)
    entry = AuditEntry.objects.filter(action="token.revoke").last()
    assert (entry.username, entry.detail["for"], entry.detail["prefixes"]) == (
        "manage.py",
        "hrss1",
        [a.token.prefix],
    )


def test_item8_revoke_token_command_names_an_unknown_user(users):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("revoke_token", "nobody")


def test_item8_only_the_security_admin_revokes_all_of_someones_tokens(users):
    issue_token(user=users["hrss1"], name="a")

    with pytest.raises(NotPermitted):
        revoke_tokens_of(user=users["hrss1"], actor=users["chief"])
    assert revoke_tokens_of(user=users["hrss1"], actor=users["secadmin"]) == 1


# --- the "My API tokens" page -----------------------------------------------------------------
def test_item8_my_tokens_page_shows_a_new_token_once_and_revokes_it(users, web):
    client = web("hrss1")

    created = client.post("/account/tokens/new/", {"name": "劳动监察系统"})

    assert created.status_code == 200
    raw = created.context["raw"]
    assert raw.startswith("zc_") and raw in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert api_status(raw) == 200
    listing = client.get("/account/tokens/")
    assert raw not in listing.content.decode()
    token = listing.context["page_obj"][0]
    assert (token.name, token.prefix, token.state()) == ("劳动监察系统", raw[:10], "active")

    r = client.post(f"/account/tokens/{token.pk}/revoke/")

    assert (r.status_code, r["Location"]) == (302, "/account/tokens/")
    assert api_status(raw) == 401
    assert client.get("/account/tokens/").context["page_obj"][0].state() == "revoked"


def test_item8_a_token_without_a_name_is_refused_at_the_field(users, web):
    r = web("hrss1").post("/account/tokens/new/", {"name": ""})

    assert r.status_code == 422
    assert r.context["form"].errors["name"]
    assert ApiToken.objects.count() == 0


def test_item8_the_page_revokes_only_the_users_own_token(users, web):
    theirs = issue_token(user=users["wf1"], name="x")

    r = web("hrss1").post(f"/account/tokens/{theirs.token.pk}/revoke/")

    assert r.status_code == 404
    assert api_status(theirs.raw) == 200


# --- the API: own tokens, no secrets -----------------------------------------------------------
def test_item8_the_api_lists_the_callers_tokens_without_secrets(users):
    mine = issue_token(user=users["hrss1"], name="mine")
    issue_token(user=users["wf1"], name="theirs")

    r = Client().get("/api/v1/me/tokens", headers=bearer(mine.raw))

    assert r.status_code == 200
    (item,) = r.json()["items"]
    assert sorted(item) == [
        "created_at",
        "expires_at",
        "id",
        "last_used_at",
        "name",
        "prefix",
        "revoked_at",
        "state",
    ]
    assert (item["id"], item["name"], item["state"]) == (mine.token.pk, "mine", "active")
    assert mine.raw not in r.content.decode()
    assert mine.token.digest not in r.content.decode()


def test_item8_the_api_revokes_the_callers_own_token_and_not_anyone_elses(users):
    mine = issue_token(user=users["hrss1"], name="mine")
    spare = issue_token(user=users["hrss1"], name="spare")
    theirs = issue_token(user=users["wf1"], name="theirs")

    other = Client().post(f"/api/v1/me/tokens/{theirs.token.pk}/revoke", headers=bearer(mine.raw))
    missing = Client().post("/api/v1/me/tokens/999999/revoke", headers=bearer(mine.raw))
    own = Client().post(f"/api/v1/me/tokens/{spare.token.pk}/revoke", headers=bearer(mine.raw))

    assert (other.status_code, other.json()) == (404, missing.json())
    assert api_status(theirs.raw) == 200
    assert (own.status_code, own.json()["state"]) == (200, "revoked")
    assert api_status(spare.raw) == 401


# --- the security administrator's page ---------------------------------------------------------
def test_item8_the_security_admin_sees_everyones_tokens_filters_and_revokes_any(users, web):
    a = issue_token(user=users["hrss1"], name="a")
    b = issue_token(user=users["wf1"], name="b")
    revoke_token(token=b.token, actor=users["wf1"])
    admin = web("secadmin")

    everything = admin.get("/security/tokens/").context["page_obj"]
    by_user = admin.get("/security/tokens/", {"user": "hrss1"}).context["page_obj"]
    revoked = admin.get("/security/tokens/", {"state": "revoked"}).context["page_obj"]
    assert {t.pk for t in everything} == {a.token.pk, b.token.pk}
    assert [t.pk for t in by_user] == [a.token.pk]
    assert [t.pk for t in revoked] == [b.token.pk]

    r = admin.post(f"/security/tokens/{a.token.pk}/revoke/")

    assert r.status_code == 302
    assert api_status(a.raw) == 401
    entry = AuditEntry.objects.filter(action="token.revoke").last()
    assert (entry.username, entry.detail) == (
        "secadmin",
        {"for": "hrss1", "prefix": a.token.prefix},
    )


# --- every issue and revocation is audited, never the token ------------------------------------
def test_item8_issue_and_revocation_are_audited_with_who_for_whom_and_prefix(users, web):
    client = web("hrss1")
    raw = client.post("/account/tokens/new/", {"name": "sync"}).context["raw"]
    token = ApiToken.objects.get(user=users["hrss1"])
    client.post(f"/account/tokens/{token.pk}/revoke/")

    issued = AuditEntry.objects.get(action="token.issue")
    revoked = AuditEntry.objects.get(action="token.revoke")
    assert (issued.username, issued.detail["for"], issued.detail["prefix"]) == (
        "hrss1",
        "hrss1",
        token.prefix,
    )
    assert (revoked.username, revoked.detail) == ("hrss1", {"for": "hrss1", "prefix": token.prefix})
    everything = json.dumps(list(AuditEntry.objects.values("detail", "object_id")))
    assert raw not in everything and token.digest not in everything


# --- lists: same queries for one row and three ---------------------------------------------------
@pytest.mark.parametrize(
    ("username", "path"), [("hrss1", "/account/tokens/"), ("secadmin", "/security/tokens/")]
)
def test_token_lists_make_the_same_queries_for_one_token_and_three(users, web, username, path):
    client = web(username)
    issue_token(user=users["hrss1"], name="1")
    client.get(path)  # the session's first request stamps it (SessionLimitsMiddleware)
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    issue_token(user=users["hrss1"], name="2")
    issue_token(user=users["hrss1"], name="3")
    with CaptureQueriesContext(connection) as three:
        r = client.get(path)

    assert len(r.context["page_obj"]) == 3
    assert len(three) == len(one)


def test_item8_the_api_pages_the_callers_tokens_with_a_cursor(users):
    made = [issue_token(user=users["hrss1"], name=str(n)) for n in range(3)]
    headers = bearer(made[0].raw)

    first = Client().get("/api/v1/me/tokens", {"limit": 2}, headers=headers).json()
    second = (
        Client()
        .get("/api/v1/me/tokens", {"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
        .json()
    )
    bad = Client().get("/api/v1/me/tokens", {"cursor": "nonsense"}, headers=headers)

    assert [i["id"] for i in first["items"] + second["items"]] == [
        t.token.pk for t in reversed(made)
    ]
    assert second["next_cursor"] is None
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "cursor")
