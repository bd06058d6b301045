"""Issue 12 item 12 and rules R5, R6: disabling or re-enabling a user ends every session and every
token of the user; a re-enabled user starts afresh. Only the security administrator does it, never
on their own account or another administrator's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD
from zhichi.accounts.models import User
from zhichi.accounts.services import issue_token, set_user_active, user_for_token
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import NotPermitted

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def signed_in_client(username: str) -> Client:
    """A real sign-in through the login page (a session like any browser's)."""
    client = Client()
    r = client.post("/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_item12_disable_ends_the_session_and_reenabling_does_not_revive_it(users, web):
    session = signed_in_client("civil1")
    token = issue_token(user=users["civil1"], name="sync")
    admin = web("secadmin")

    r = admin.post(f"/security/users/{users['civil1'].pk}/active/", {"active": "0"})

    assert (r.status_code, r["Location"]) == (302, "/security/users/")
    assert not User.objects.get(pk=users["civil1"].pk).is_active
    admin.post(f"/security/users/{users['civil1'].pk}/active/", {"active": "1"})
    assert User.objects.get(pk=users["civil1"].pk).is_active

    r = session.get("/")  # the first request since: the old session is dead
    assert (r.status_code, r["Location"]) == (302, "/login/?next=/")
    assert user_for_token(token.raw) is None
    assert signed_in_client("civil1")  # a fresh sign-in works


def test_item12_reenabling_ends_a_session_never_used_while_disabled(users):
    session = signed_in_client("civil1")
    set_user_active(user=users["civil1"], active=False, actor=users["secadmin"])
    set_user_active(user=users["civil1"], active=True, actor=users["secadmin"])

    assert session.get("/").status_code == 302


def test_item12_every_token_is_revoked_on_disable_and_stays_revoked_on_enable(users):
    tokens = [issue_token(user=users["hrss1"], name=str(n)) for n in range(3)]

    set_user_active(user=users["hrss1"], active=False, actor=users["secadmin"])
    set_user_active(user=users["hrss1"], active=True, actor=users["secadmin"])

    assert [user_for_token(t.raw) for t in tokens] == [None, None, None]
    assert users["hrss1"].api_tokens.filter(revoked_at__isnull=True).count() == 0


def test_item12_disabling_and_enabling_are_audited(users):
    issue_token(user=users["hrss1"], name="a")

    set_user_active(user=users["hrss1"], active=False, actor=users["secadmin"])
    set_user_active(user=users["hrss1"], active=True, actor=users["secadmin"])

    rows = AuditEntry.objects.filter(action__in=["user.disable", "user.enable"]).order_by("id")
    assert [(e.action, e.username, e.object_id, e.detail) for e in rows] == [
        (
            "user.disable",
            "secadmin",
            str(users["hrss1"].pk),
            {"username": "hrss1", "tokens_revoked": 1},
        ),
        (
            "user.enable",
            "secadmin",
            str(users["hrss1"].pk),
            {"username": "hrss1", "tokens_revoked": 0},
        ),
    ]


def test_item12_asking_for_the_state_a_user_already_has_changes_nothing(users):
    session = signed_in_client("civil1")

    assert set_user_active(user=users["civil1"], active=True, actor=users["secadmin"]) is False

    assert session.get("/").status_code == 200
    assert not AuditEntry.objects.filter(action="user.enable").exists()


def test_r6_a_password_change_ends_the_users_sessions(users):
    session = signed_in_client("civil1")
    user = User.objects.get(username="civil1")

    user.set_password("Another-passw0rd!")
    user.save()

    assert session.get("/").status_code == 302


def test_sessions_made_before_the_stamp_existed_live_on(users, web):
    """The upgrade itself signs nobody out: a user never disabled has an empty stamp and
    Django's own session hash."""
    assert users["civil1"].security_stamp == ""
    assert web("civil1").get("/").status_code == 200


# --- rule R5: only the security administrator, never on themselves or another administrator -----
@pytest.mark.parametrize("actor", ["chief", "sysadmin", "auditor", "civilhead", "hrss1"])
def test_r5_only_the_security_admin_disables_a_user(users, actor):
    with pytest.raises(NotPermitted):
        set_user_active(user=users["civil1"], active=False, actor=users[actor])

    assert User.objects.get(username="civil1").is_active
    assert AuditEntry.objects.filter(username=actor, outcome="denied").exists()


def test_r5_the_security_admin_may_not_disable_their_own_account(users, web):
    r = web("secadmin").post(f"/security/users/{users['secadmin'].pk}/active/", {"active": "0"})

    assert r.status_code == 403
    assert User.objects.get(username="secadmin").is_active
    assert AuditEntry.objects.filter(action="user.set_active", outcome="denied").exists()


@pytest.mark.parametrize("target", ["sysadmin", "auditor"])
def test_r5_the_security_admin_may_not_change_another_administrators_account(users, web, target):
    r = web("secadmin").post(f"/security/users/{users[target].pk}/active/", {"active": "0"})

    assert r.status_code == 403
    assert User.objects.get(username=target).is_active


def test_r5_the_security_admin_may_not_reenable_a_disabled_administrator(users):
    User.objects.filter(username="auditor").update(is_active=False)

    with pytest.raises(NotPermitted):
        set_user_active(
            user=User.objects.get(username="auditor"), active=True, actor=users["secadmin"]
        )


# --- the users page ----------------------------------------------------------------------------
def test_the_users_page_filters_by_organisation_and_role(users, orgs, web):
    admin = web("secadmin")

    hrss = admin.get("/security/users/", {"organisation": orgs["hrss"].pk}).context["page_obj"]
    heads = admin.get("/security/users/", {"role": "head"}).context["page_obj"]
    named = admin.get("/security/users/", {"q": "civil"}).context["page_obj"]

    assert [u.username for u in hrss] == ["hrss1"]
    assert [u.username for u in heads] == ["civilhead"]
    assert [u.username for u in named] == ["civil1", "civil2", "civilhead"]


def test_the_users_page_paginates(users, orgs, web):
    for n in range(30):
        User.objects.create_user(
            username=f"extra{n:02d}", password=PASSWORD, organisation=orgs["wf"], role="partner"
        )

    page = web("secadmin").get("/security/users/").context["page_obj"]

    assert (len(page), page.paginator.count) == (25, 44)


def test_a_bad_state_is_refused_and_changes_nothing(users, web):
    r = web("secadmin").post(f"/security/users/{users['civil1'].pk}/active/", {"active": "maybe"})

    assert r.status_code == 422
    assert User.objects.get(username="civil1").is_active
    assert not AuditEntry.objects.filter(action__startswith="user.").exists()


def test_the_users_page_makes_the_same_queries_for_one_user_and_three(users, orgs, web):
    admin = web("secadmin")
    admin.get("/security/users/")
    with CaptureQueriesContext(connection) as one:
        admin.get("/security/users/", {"organisation": orgs["court"].pk})
    User.objects.create_user(
        username="court2", password=PASSWORD, organisation=orgs["court"], role="partner"
    )
    User.objects.create_user(
        username="court3", password=PASSWORD, organisation=orgs["court"], role="partner"
    )
    with CaptureQueriesContext(connection) as three:
        r = admin.get("/security/users/", {"organisation": orgs["court"].pk})

    assert len(r.context["page_obj"]) == 3
    assert len(three) == len(one)
