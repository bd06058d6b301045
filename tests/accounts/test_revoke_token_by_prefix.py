"""`manage.py revoke_token <prefix>` revokes one token, audited through the service; the
"My API tokens" page lists only the user's own tokens and revokes them by POST only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from zhichi.accounts.models import ApiToken
from zhichi.accounts.services import issue_token, revoke_token
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def api_status(raw: str) -> int:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


# --- manage.py revoke_token <prefix> -----------------------------------------------------------
def test_revoke_token_command_revokes_one_token_by_its_prefix_and_audits_it(users, capsys):
    one = issue_token(user=users["hrss1"], name="a")
    other = issue_token(user=users["hrss1"], name="b")

    call_command("revoke_token", one.token.prefix)

    assert capsys.readouterr().out.strip() == f"token {one.token.prefix} of hrss1 revoked"
    assert (api_status(one.raw), api_status(other.raw)) == (401, 200)
    entry = AuditEntry.objects.filter(action="token.revoke").get()
    assert (entry.username, entry.outcome, entry.detail) == (
        "manage.py",
        "ok",
        {"for": "hrss1", "prefix": one.token.prefix},
    )
    assert entry.object_id == str(one.token.pk)


def test_revoke_token_command_takes_the_prefix_as_the_pages_show_it(users, capsys):
    one = issue_token(user=users["hrss1"], name="a")

    call_command("revoke_token", f"{one.token.prefix}…")

    assert api_status(one.raw) == 401


def test_revoke_token_command_on_a_revoked_token_says_so_and_changes_nothing(users, capsys):
    one = issue_token(user=users["hrss1"], name="a")
    revoke_token(token=one.token, actor=users["hrss1"])
    before = AuditEntry.objects.count()

    call_command("revoke_token", one.token.prefix)

    assert "already revoked" in capsys.readouterr().out
    assert AuditEntry.objects.count() == before


def test_revoke_token_command_refuses_an_unknown_prefix_with_a_non_zero_exit(users):
    live = issue_token(user=users["hrss1"], name="a")

    with pytest.raises(CommandError, match="no API token begins with 'zc_nothere'") as caught:
        call_command("revoke_token", "zc_nothere")

    assert caught.value.returncode != 0
    assert api_status(live.raw) == 200
    assert not AuditEntry.objects.filter(action="token.revoke").exists()


def test_revoke_token_command_still_revokes_every_token_of_a_username(users, capsys):
    issue_token(user=users["hrss1"], name="a")

    call_command("revoke_token", "hrss1")

    assert capsys.readouterr().out.strip() == "1 token(s) of hrss1 revoked"


# --- the "My API tokens" page ------------------------------------------------------------------
def test_my_tokens_page_lists_only_own_tokens_without_secrets(users, web):
    mine = issue_token(user=users["hrss1"], name="我的系统")
    theirs = issue_token(user=users["wf1"], name="别人的系统")

    r = web("hrss1").get("/account/tokens/")

    assert r.status_code == 200
    body = r.content.decode()
    assert [t.pk for t in r.context["page_obj"]] == [mine.token.pk]
    assert "我的系统" in body and mine.token.prefix in body
    assert "别人的系统" not in body and theirs.token.prefix not in body
    assert mine.raw not in body and mine.token.digest not in body
    assert f"/account/tokens/{mine.token.pk}/revoke/" in body


def test_my_tokens_page_get_changes_nothing(users, web):
    mine = issue_token(user=users["hrss1"], name="a")
    client = web("hrss1")
    before = AuditEntry.objects.count()

    listing = client.get("/account/tokens/")
    revoke_by_get = client.get(f"/account/tokens/{mine.token.pk}/revoke/")

    assert (listing.status_code, revoke_by_get.status_code) == (200, 405)
    assert ApiToken.objects.get(pk=mine.token.pk).revoked_at is None
    assert api_status(mine.raw) == 200
    assert AuditEntry.objects.count() == before


def test_my_tokens_revoke_needs_the_csrf_token(users):
    mine = issue_token(user=users["hrss1"], name="a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["hrss1"])

    r = client.post(f"/account/tokens/{mine.token.pk}/revoke/")

    assert r.status_code == 403
    assert api_status(mine.raw) == 200


def test_my_tokens_revoke_is_audited_through_the_service(users, web):
    mine = issue_token(user=users["hrss1"], name="a")

    r = web("hrss1").post(f"/account/tokens/{mine.token.pk}/revoke/", follow=True)

    assert r.status_code == 200
    assert api_status(mine.raw) == 401
    entry = AuditEntry.objects.filter(action="token.revoke").get()
    assert (entry.user_id_ref, entry.detail) == (
        users["hrss1"].pk,
        {"for": "hrss1", "prefix": mine.token.prefix},
    )


def test_another_users_token_is_our_404_and_changes_nothing(users, web):
    theirs = issue_token(user=users["wf1"], name="x")
    client = web("hrss1")

    r = client.post(f"/account/tokens/{theirs.token.pk}/revoke/")

    assert r.status_code == 404
    assert "404.html" in [t.name for t in r.templates]  # our page, not Django's
    assert ApiToken.objects.get(pk=theirs.token.pk).revoked_at is None
    assert api_status(theirs.raw) == 200
    assert not AuditEntry.objects.filter(action="token.revoke").exists()
    # the refusal itself is recorded as any other 404 is
    assert AuditEntry.objects.filter(action="access.not_found", outcome="denied").count() == 1
