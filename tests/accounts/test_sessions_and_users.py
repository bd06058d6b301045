"""Rules R5 and R6: signed-in sessions and the security administrator's accounts.

- A session ends 12 hours after its sign-in however busy it is; each sign-in has its row
  (``UserSession``: who, from where, since when, last seen), which a sign-out or a limit ends.
- The security administrator lists the live sessions and ends one (its next request is signed
  out), never their own nor another administrator's.
- The security administrator opens accounts (one role, in an organisation that has it, never an
  administrator role) with a temporary password shown once, on a page no cache keeps; the new
  user sets up the second factor and chooses a password at the first sign-in. A new role or
  place ends the user's sessions; nothing changed is no change; an administrator's account and
  one's own are not changed from the pages.
- A demo instance (ZHICHI_DEMO=1) serves this computer only: with any other host name it refuses
  to start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import client_at
from tests.conftest import PASSWORD
from zhichi.accounts import passwords, sessions
from zhichi.accounts.middleware import SessionLimitsMiddleware
from zhichi.accounts.models import User, UserSession
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Kunming-Lake-42x"
STARTED, LAST_SEEN = SessionLimitsMiddleware.STARTED, SessionLimitsMiddleware.KEY


def sign_in(client: Client, username: str, password: str = PASSWORD) -> None:
    r = client.post("/login/", {"username": username, "password": password})
    assert r.status_code == 302, r.content[:300]


def signed_in(username: str, ip: str = "198.51.100.40", agent: str = "TestBrowser/1.0") -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, username)
    return client


def row_of(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def set_session(client: Client, **values) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- the absolute limit ------------------------------------------------------------------------
def test_r6_a_session_ends_12_hours_after_sign_in_however_busy(users, frozen):
    client = signed_in("civil1")
    row = row_of(client)

    for _ in range(71):  # a request every ten minutes: never idle, for 11 h 50 min
        frozen.shift(600)
        assert client.get("/notifications/").status_code == 200
    frozen.shift(599)  # 12 h less a second after the sign-in
    assert client.get("/notifications/").status_code == 200
    frozen.shift(2)  # 12 h and a second

    r = client.get("/notifications/")

    assert (r.status_code, r["Location"]) == (302, "/login/?next=/notifications/")
    row.refresh_from_db()
    assert row.end_reason == "expired" and row.ended_at is not None
    assert not Session.objects.filter(session_key=row.session_key).exists()


@pytest.mark.parametrize(("signed_in_ago", "status"), [(12 * 3600 + 1, 302), (12 * 3600 - 5, 200)])
def test_r6_the_limit_counts_from_the_sign_in_not_from_the_last_request(
    users, web, signed_in_ago, status
):
    client = web("civil1")
    now = time.time()
    set_session(client, **{STARTED: now - signed_in_ago, LAST_SEEN: now - 60})

    assert client.get("/").status_code == status


def test_r6_an_idle_session_ends_with_its_reason(users):
    client = signed_in("civil1")
    row = row_of(client)
    set_session(client, **{LAST_SEEN: time.time() - 31 * 60})

    assert client.get("/").status_code == 302
    row.refresh_from_db()
    assert (row.end_reason, row.ended_at is not None) == ("idle", True)


# --- whose session is it -----------------------------------------------------------------------
def test_r6_a_sign_in_makes_a_row_and_a_sign_out_ends_it(users):
    client = signed_in("civil1", ip="203.0.113.5", agent="Mozilla/5.0 (Zhichi test)")
    other = signed_in("civil1", ip="203.0.113.6")

    row = row_of(client)
    assert (row.user_id, row.ip_address, row.user_agent) == (
        users["civil1"].pk,
        "203.0.113.5",
        "Mozilla/5.0 (Zhichi test)",
    )
    assert row.ended_at is None and abs((timezone.now() - row.started_at).total_seconds()) < 60
    assert UserSession.objects.filter(user=users["civil1"]).count() == 2

    assert client.post("/logout/").status_code == 302

    row.refresh_from_db()
    assert (row.end_reason, row.ended_at is not None) == ("signed_out", True)
    assert row_of(other).ended_at is None
    assert set(sessions.live().values_list("session_key", flat=True)) == {other.session.session_key}


def test_r6_the_sessions_page_lists_live_sessions_only(users, web):
    live = signed_in("civil1")
    signed_in("civil2").post("/logout/")
    idle = signed_in("civilhead")
    UserSession.objects.filter(session_key=idle.session.session_key).update(
        last_seen_at=timezone.now() - timedelta(minutes=31)
    )
    gone = signed_in("criminal1")
    Session.objects.filter(session_key=gone.session.session_key).delete()
    stale = signed_in("chief")
    Session.objects.filter(session_key=stale.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    signed_in("sysadmin")
    admin = web("secadmin")

    r = admin.get("/security/sessions/")

    assert r.status_code == 200
    listed = {s.user.username: s for s in r.context["page_obj"]}
    assert set(listed) == {"civil1", "sysadmin", "secadmin"}
    html = r.content.decode()
    assert f'action="/security/sessions/{listed["civil1"].pk}/end/"' in html
    assert f'action="/security/sessions/{listed["sysadmin"].pk}/end/"' not in html
    assert f'action="/security/sessions/{listed["secadmin"].pk}/end/"' not in html
    only = admin.get("/security/sessions/?user=civil1")
    assert [s.session_key for s in only.context["page_obj"]] == [live.session.session_key]
    empty = admin.get("/security/sessions/?user=nobody")
    assert empty.status_code == 200 and not empty.context["page_obj"].paginator.count


def test_r6_ending_a_session_signs_it_out_at_its_next_request(users, web):
    target = signed_in("civil1")
    spare = signed_in("civil1", ip="198.51.100.41")
    row = row_of(target)
    admin = web("secadmin")

    r = admin.post(f"/security/sessions/{row.pk}/end/")

    assert (r.status_code, r["Location"]) == (302, "/security/sessions/")
    assert target.get("/cases/")["Location"] == "/login/?next=/cases/"
    assert spare.get("/cases/").status_code == 200  # only that one
    row.refresh_from_db()
    assert row.end_reason == "ended_by_admin"
    entry = AuditEntry.objects.get(action="auth.session_end")
    assert (entry.username, entry.outcome, entry.object_id) == (
        "secadmin",
        "ok",
        str(users["civil1"].pk),
    )
    assert entry.detail == {"username": "civil1", "session": row.session_key[:6]}

    again = admin.post(f"/security/sessions/{row.pk}/end/", {"back": "user"})

    assert (again.status_code, again["Location"]) == (302, f"/security/users/{users['civil1'].pk}/")
    assert AuditEntry.objects.filter(action="auth.session_end").count() == 1
    assert admin.post("/security/sessions/999999/end/").status_code == 404


@pytest.mark.parametrize("owner", ["secadmin", "sysadmin", "auditor"])
def test_r5_the_security_administrator_ends_neither_their_own_nor_an_administrators_session(
    users, owner
):
    admin = signed_in("secadmin", ip="198.51.100.50")
    victim = admin if owner == "secadmin" else signed_in(owner)
    row = row_of(victim)

    r = admin.post(f"/security/sessions/{row.pk}/end/")

    assert r.status_code == 403
    assert victim.get("/").status_code == 200
    row.refresh_from_db()
    assert row.ended_at is None
    assert list(
        AuditEntry.objects.filter(action="auth.session_end").values_list("username", "outcome")
    ) == [("secadmin", "denied")]


# --- opening accounts --------------------------------------------------------------------------
def new_user_form(orgs, **overrides) -> dict:
    data = {
        "username": "newofficer",
        "first_name": "新同事",
        "organisation": orgs["proc"].pk,
        "department": orgs["civil"].pk,
        "role": "officer",
        "phone": "0871-6512345",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_r6_the_security_administrator_opens_an_account_with_a_temporary_password(users, orgs, web):
    admin = web("secadmin")
    form = admin.get("/security/users/new/")
    offered = {value for value, _label in form.context["form"].fields["role"].choices}
    assert offered == {"officer", "head", "chief", "registrar", "partner"}

    r = admin.post("/security/users/new/", new_user_form(orgs))

    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    raw = r.context["raw"]
    assert f'id="temporary-password" type="text" value="{raw}"' in r.content.decode()
    user = User.objects.get(username="newofficer")
    assert (user.role, user.organisation, user.department, user.first_name, user.phone) == (
        "officer",
        orgs["proc"],
        orgs["civil"],
        "新同事",
        "0871-6512345",
    )
    assert (user.must_change_password, user.is_demo, user.is_active) == (True, False, True)
    assert user.check_password(raw)
    entry = AuditEntry.objects.get(action="user.create")
    assert (entry.username, entry.object_id) == ("secadmin", str(user.pk))
    assert entry.detail == {
        "username": "newofficer",
        "role": "officer",
        "organisation": "WHPROC",
        "department": "civil",
    }
    assert raw not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_r6_the_new_user_sets_up_the_second_factor_and_then_chooses_a_password(users, orgs, web):
    raw = web("secadmin").post("/security/users/new/", new_user_form(orgs)).context["raw"]
    client = client_at("198.51.100.60")
    sign_in(client, "newofficer", raw)

    assert client.get("/")["Location"] == "/account/two-factor/?next=%2F"
    client.post("/account/two-factor/start/", {"next": "/"})
    device = TOTPDevice.objects.get(user__username="newofficer")
    shown = client.post("/account/two-factor/confirm/", {"code": f"{totp(device.bin_key):06d}"})
    assert shown.status_code == 200 and len(shown.context["codes"]) == 10
    assert client.get("/")["Location"] == "/account/password/?next=%2F"
    r = client.post(
        "/account/password/",
        {"old_password": raw, "new_password1": GOOD, "new_password2": GOOD, "next": "/"},
    )
    assert (r.status_code, r["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    assert User.objects.get(username="newofficer").must_change_password is False


def test_r6_a_temporary_password_follows_a_longer_policy(users, orgs, web):
    passwords.save_policy(
        actor=users["secadmin"],
        values={"min_length": 24, "classes": 4, "max_age_days": 90, "history": 5},
    )

    raw = web("secadmin").post("/security/users/new/", new_user_form(orgs)).context["raw"]

    assert len(raw) >= 24


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"username": "张三"}, {"username"}),
        ({"username": "a"}, {"username"}),
        ({"username": "has space"}, {"username"}),
        ({"username": "x" * 151}, {"username"}),
        ({"username": "civil1"}, {"username"}),
        ({"username": "CIVIL1"}, {"username"}),
        ({"role": "sysadmin", "department": None}, {"role"}),
        ({"role": "secadmin", "department": None}, {"role"}),
        ({"role": "auditor", "department": None}, {"role"}),
        ({"role": "root"}, {"role"}),
        ({"role": "partner", "department": None}, {"role"}),  # partner in a procuratorate
        ({"department": None}, {"department"}),  # an officer works in a department
        ({"department": "{other_civil}"}, {"department"}),  # another organisation's
        ({"organisation": "{hrss}", "department": None}, {"role", "department"}),
        ({"organisation": None}, {"organisation"}),
        ({"organisation": "999999"}, {"organisation"}),
        ({"first_name": "  "}, {"first_name"}),
        # the public portal's system accounts' names (issue 18)
        ({"username": "portal.WHPROC"}, {"username"}),
        ({"username": "Portal.other"}, {"username"}),
    ],
)
def test_r6_a_refused_account_shows_why_at_the_field_and_creates_nothing(
    users, orgs, web, overrides, fields
):
    overrides = {
        k: (orgs[v[1:-1]].pk if isinstance(v, str) and v.startswith("{") else v)
        for k, v in overrides.items()
    }
    count = User.objects.count()

    r = web("secadmin").post("/security/users/new/", new_user_form(orgs, **overrides))

    assert r.status_code == 422
    assert set(r.context["form"].errors) == fields
    assert User.objects.count() == count
    assert not AuditEntry.objects.filter(action="user.create").exists()


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "chief", "civilhead"])
def test_r5_only_the_security_administrator_opens_accounts(users, orgs, web, who):
    r = web(who).post("/security/users/new/", new_user_form(orgs))

    assert r.status_code == 403
    assert not User.objects.filter(username="newofficer").exists()
    assert AuditEntry.objects.filter(action="user.create", username=who, outcome="denied").exists()


# --- changing accounts -------------------------------------------------------------------------
def edit_form(user: User, **overrides) -> dict:
    data = {
        "first_name": user.first_name,
        "organisation": user.organisation_id,
        "department": user.department_id or "",
        "role": user.role,
        "phone": user.phone,
    }
    data.update(overrides)
    return data


def test_r6_a_new_role_ends_the_users_sessions(users, web):
    target = users["civil2"]
    session = signed_in("civil2")
    stamp = User.objects.get(pk=target.pk).security_stamp

    r = web("secadmin").post(f"/security/users/{target.pk}/edit/", edit_form(target, role="head"))

    assert (r.status_code, r["Location"]) == (302, f"/security/users/{target.pk}/")
    changed = User.objects.get(pk=target.pk)
    assert changed.role == "head" and changed.security_stamp != stamp
    # the session's row says why it ended, even before its next request
    assert UserSession.objects.get(user=target).end_reason == "role_changed"
    assert not sessions.live().filter(user=target).exists()
    assert session.get("/")["Location"] == "/login/?next=/"
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.detail == {
        "username": "civil2",
        "changed": {"role": {"before": "officer", "after": "head"}},
    }


def test_r6_a_new_department_ends_the_sessions_too(users, orgs, web):
    target = users["civil2"]
    session = signed_in("civil2")

    web("secadmin").post(
        f"/security/users/{target.pk}/edit/", edit_form(target, department=orgs["criminal"].pk)
    )

    assert User.objects.get(pk=target.pk).department == orgs["criminal"]
    assert session.get("/").status_code == 302


def test_r6_a_new_name_keeps_the_sessions(users, web):
    target = users["civil2"]
    session = signed_in("civil2")
    stamp = User.objects.get(pk=target.pk).security_stamp

    web("secadmin").post(
        f"/security/users/{target.pk}/edit/", edit_form(target, first_name="李四", phone="110")
    )

    changed = User.objects.get(pk=target.pk)
    assert (changed.first_name, changed.phone, changed.security_stamp) == ("李四", "110", stamp)
    assert session.get("/").status_code == 200
    assert AuditEntry.objects.get(action="user.update").detail["changed"] == {
        "first_name": {"before": "civil2", "after": "李四"},
        "phone": {"before": "", "after": "110"},
    }


def test_r6_saving_an_account_unchanged_changes_nothing_and_audits_nothing(users, web):
    target = users["civil2"]
    before = User.objects.filter(pk=target.pk).values().get()

    r = web("secadmin").post(f"/security/users/{target.pk}/edit/", edit_form(target))

    assert (r.status_code, r["Location"]) == (302, f"/security/users/{target.pk}/")
    assert User.objects.filter(pk=target.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="user.update").exists()


def test_r6_a_refused_change_is_422_at_the_field(users, orgs, web):
    target = users["civil2"]
    before = User.objects.filter(pk=target.pk).values().get()

    r = web("secadmin").post(
        f"/security/users/{target.pk}/edit/",
        edit_form(target, department=orgs["other_civil"].pk, role="sysadmin"),
    )

    assert r.status_code == 422
    assert set(r.context["form"].errors) == {"role"}
    r = web("secadmin").post(
        f"/security/users/{target.pk}/edit/", edit_form(target, department=orgs["other_civil"].pk)
    )
    assert r.status_code == 422
    assert set(r.context["form"].errors) == {"department"}
    assert User.objects.filter(pk=target.pk).values().get() == before


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("secadmin", "edit/"),
        ("sysadmin", "edit/"),
        ("auditor", "edit/"),
        ("secadmin", "password/"),
        ("sysadmin", "password/"),
        ("auditor", "password/"),
    ],
)
def test_r5_neither_ones_own_account_nor_an_administrators_is_changed_here(
    users, web, target, path
):
    victim = users[target]
    admin = web("secadmin")
    before = User.objects.filter(pk=victim.pk).values().get()
    page = admin.get(f"/security/users/{victim.pk}/")
    assert page.status_code == 200 and page.context["editable"] is False
    assert f'action="/security/users/{victim.pk}/{path}"' not in page.content.decode()

    r = admin.post(f"/security/users/{victim.pk}/{path}", edit_form(victim, first_name="改名"))

    assert r.status_code == 403
    assert User.objects.filter(pk=victim.pk).values().get() == before
    action = {"edit/": "user.update", "password/": "user.password_reset"}[path]
    assert list(AuditEntry.objects.filter(action=action).values_list("username", "outcome")) == [
        ("secadmin", "denied")
    ]


def test_r6_a_password_reset_ends_the_sessions_and_gives_a_temporary_password(users, web):
    target = users["hrss1"]
    session = signed_in("hrss1")

    r = web("secadmin").post(f"/security/users/{target.pk}/password/")

    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    raw = r.context["raw"]
    assert session.get("/")["Location"] == "/login/?next=/"
    changed = User.objects.get(pk=target.pk)
    assert changed.check_password(raw) and not changed.check_password(PASSWORD)
    assert changed.must_change_password is True
    assert not r.context["created"]
    assert raw not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_r6_the_user_page_shows_the_sign_in_state(users, web):
    target = users["civil2"]
    signed_in("civil2")
    TOTPDevice.objects.create(user=target, name="authenticator", confirmed=True)

    r = web("secadmin").get(f"/security/users/{target.pk}/")

    assert r.status_code == 200
    assert r.context["has_authenticator"] is True
    assert [s.user_id for s in r.context["live_sessions"]] == [target.pk]
    assert r.context["editable"] is True
    assert web("secadmin").get("/security/users/999999/").status_code == 404


# --- a demo instance serves this computer only -------------------------------------------------
def start(tmp_path, **env) -> subprocess.CompletedProcess:
    """Load the production settings in a new process with the test keys."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "zhichi.settings",
        "ZHICHI_SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdef",
        "ZHICHI_ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=",
        "ZHICHI_AUDIT_KEY": "dGVzdC1hdWRpdC1rZXktdGVzdC1hdWRpdC1rZXktMDE=",
        "ZHICHI_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("hosts", ["zhichi.example.org", "127.0.0.1,zhichi.example.org", "*"])
def test_r6_a_demo_instance_refuses_to_start_for_another_host(tmp_path, hosts):
    proc = start(tmp_path, ZHICHI_DEMO="1", ZHICHI_ALLOWED_HOSTS=hosts)

    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert "ZHICHI_DEMO=1" in proc.stderr and "Unset ZHICHI_DEMO in production" in proc.stderr
    assert "started" not in proc.stdout


@pytest.mark.parametrize(
    ("demo", "hosts"),
    [("1", "127.0.0.1,localhost,[::1]"), ("0", "zhichi.example.org"), ("", "zhichi.example.org")],
)
def test_r6_a_demo_on_loopback_and_a_production_start_both_start(tmp_path, demo, hosts):
    proc = start(tmp_path, ZHICHI_DEMO=demo, ZHICHI_ALLOWED_HOSTS=hosts)

    assert (proc.returncode, proc.stdout.strip()) == (0, "started"), proc.stderr[-2000:]


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        ("disable", "disabled"),
        ("password", "password_reset"),
        ("second_factor", "second_factor_reset"),
    ],
)
def test_r6_every_change_that_ends_sessions_marks_their_rows(users, web, call, reason):
    target = users["civil2"]
    signed_in("civil2")
    admin = web("secadmin")
    if call == "disable":
        admin.post(f"/security/users/{target.pk}/active/", {"active": "0"})
    elif call == "password":
        admin.post(f"/security/users/{target.pk}/password/")
    else:
        TOTPDevice.objects.create(user=target, name="authenticator", confirmed=True)
        admin.post(f"/security/users/{target.pk}/two-factor/reset/")
    row = UserSession.objects.get(user=target)
    assert (row.end_reason, row.ended_at is not None) == (reason, True)


def test_r6_a_password_set_by_create_user_ages_from_its_first_save(orgs):
    user = User.objects.create_user(
        username="aged1", password="Kunming-Lake-42x", organisation=orgs["proc"]
    )
    assert user.password_changed_at is not None
    assert abs(user.password_changed_at - timezone.now()) < timedelta(minutes=1)
