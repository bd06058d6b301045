"""Rule R6: passwords.

- The policy the security administrator keeps never goes below rule R6's floors (at least 8
  characters of 3 kinds, expiry at most 90 days, the last 5 refused): anything outside them is
  refused at its field and changes nothing; anything inside is saved, audited before and after.
- Every new password meets the policy's length and kinds, is not a common password (plain, or
  dressed up with digits and symbols), and is neither the current one nor one of the policy's
  number of earlier ones.
- Changing one's own password: the current one must be right and the new one typed twice; the
  change ends every other session of the user and keeps this one.
- A password older than the policy allows, or one the security administrator reset, sends the
  user to the change page before any other page (not a demo account on a demo instance).
- A temporary password always meets the strictest policy.
"""

from __future__ import annotations

import itertools
import string
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.accounts.conftest import client_at
from tests.conftest import PASSWORD
from tests.migrating import latest_afterwards
from tests.migrating import migrate as migrate_to
from zhichi.accounts import passwords
from zhichi.accounts.models import ApiToken, PasswordHistory, PasswordPolicy, User
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

# rule R6 (QUALITY.md): the lowest and highest each number of the policy may be
R6 = {"min_length": (8, 128), "classes": (3, 4), "max_age_days": (1, 90), "history": (5, 24)}
DEFAULTS = {"min_length": 12, "classes": 3, "max_age_days": 90, "history": 5}
GOOD = "Kunming-Lake-42x"


# --- helpers -----------------------------------------------------------------------------------
def policy_values() -> dict:
    row = PasswordPolicy.objects.filter(pk=1).values(*R6).first()
    return row or dict(DEFAULTS)


def set_policy(admin: User, **values) -> None:
    passwords.save_policy(actor=admin, values={**policy_values(), **values})


def refusal_codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def verified_client(user: User, ip: str = "198.51.100.20") -> Client:
    """A signed-in session that gave its second factor (for the tests of other gates)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client = client_at(ip)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff(users) -> User:
    """civil1 as an ordinary (not demo) account: the password gates apply to it."""
    User.objects.filter(pk=users["civil1"].pk).update(is_demo=False)
    users["civil1"].refresh_from_db()
    return users["civil1"]


def age_password(user: User, days: float) -> None:
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=days)
    )
    user.refresh_from_db()


# --- the policy and its floors -----------------------------------------------------------------
def test_r6_the_floors_are_rule_r6s():
    assert passwords.FLOORS == R6
    policy = passwords.current_policy()
    assert {name: getattr(policy, name) for name in R6} == DEFAULTS  # before any is saved
    assert not PasswordPolicy.objects.exists()  # reading it wrote nothing


NUMBER_OR_NOT = st.one_of(
    st.integers(-300, 300),
    st.integers(-300, 300).map(lambda n: f" {n} "),
    st.sampled_from(["", "abc", "12.5", "1e2", "八", None]),
)


def _outside(values: dict) -> set[str]:
    """The fields rule R6 refuses: not a whole number, or outside its floors."""
    refused = set()
    for name, (low, high) in R6.items():
        raw = values[name]
        if isinstance(raw, int):
            number = raw
        elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and raw.isascii():
            number = int(raw)
        else:
            refused.add(name)
            continue
        if not low <= number <= high:
            refused.add(name)
    return refused


def test_r6_a_policy_outside_the_floors_is_refused_and_inside_saved_with_before_and_after(
    users,
):
    admin = users["secadmin"]

    @given(values=st.fixed_dictionaries(dict.fromkeys(R6, NUMBER_OR_NOT)))
    @hypothesis_settings(max_examples=300)
    def check(values):
        before = policy_values()
        rows = AuditEntry.objects.filter(action="auth.password_policy").count()
        refused = _outside(values)
        if refused:
            with pytest.raises(InvalidInput) as exc:
                passwords.save_policy(actor=admin, values=values)
            assert {e.field for e in exc.value.errors} == refused
            assert policy_values() == before
            assert AuditEntry.objects.filter(action="auth.password_policy").count() == rows
        else:
            passwords.save_policy(actor=admin, values=values)
            after = {name: int(str(values[name]).strip()) for name in R6}
            assert policy_values() == after
            entry = AuditEntry.objects.filter(action="auth.password_policy").latest("id")
            assert (entry.username, entry.outcome) == ("secadmin", "ok")
            assert entry.detail == {"before": before, "after": after}

    check()


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"min_length": 7}, {"min_length"}),
        ({"classes": 2}, {"classes"}),
        ({"max_age_days": 91}, {"max_age_days"}),
        ({"max_age_days": 0}, {"max_age_days"}),
        ({"history": 4}, {"history"}),
        ({"min_length": 7, "classes": 2, "max_age_days": 365, "history": 0}, set(R6)),
        ({"min_length": "twelve"}, {"min_length"}),
    ],
)
def test_r6_the_policy_page_shows_each_value_below_a_floor_at_its_field(users, web, values, fields):
    r = web("secadmin").post("/security/password-policy/", {**DEFAULTS, **values})

    assert r.status_code == 422
    assert set(r.context["form"].errors) == fields
    assert not PasswordPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="auth.password_policy").exists()


def test_r6_the_policy_page_saves_values_inside_the_floors(users, web):
    admin = web("secadmin")
    wanted = {"min_length": 14, "classes": 4, "max_age_days": 60, "history": 8}

    r = admin.post("/security/password-policy/", wanted)

    assert (r.status_code, r["Location"]) == (302, "/security/password-policy/")
    assert policy_values() == wanted
    page = admin.get("/security/password-policy/")
    assert {k: page.context["form"].initial[k] for k in wanted} == wanted


def test_r5_only_the_security_administrator_sets_the_policy(users):
    for who in ("sysadmin", "auditor", "chief"):
        with pytest.raises(NotPermitted):
            passwords.save_policy(actor=users[who], values=DEFAULTS)
    assert not PasswordPolicy.objects.exists()
    assert AuditEntry.objects.filter(action="auth.password_policy", outcome="denied").count() == 3


# --- what a new password must be ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kunming-42", "password_too_short"),  # 10 < 12
        ("kunming-lake-forty", "password_classes"),  # lower and symbols only
        ("KUNMINGLAKE42", "password_classes"),  # upper and digits only
        ("123456789012", "password_classes"),
    ],
)
def test_r6_the_default_policy_asks_12_characters_of_3_kinds(password, code):
    assert code in refusal_codes(password)


@pytest.mark.parametrize(
    "password", ["Kunming-Lake-42", "kunming-lake-42", "KUNMING_LAKE_42", "xK7#mP2qLw9!"]
)
def test_r6_a_password_of_12_characters_and_3_kinds_passes(password):
    assert refusal_codes(password) == set()


def test_r6_the_validator_follows_the_saved_policy(users):
    set_policy(users["secadmin"], min_length=16, classes=4)

    assert refusal_codes("Kunming-Lake-42") == {"password_too_short"}  # 15 characters
    assert refusal_codes("kunming-lake-4242") == {"password_classes"}  # 3 kinds
    assert refusal_codes("Kunming-Lake-424") == set()
    assert "16" in passwords.PolicyValidator().get_help_text()


PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


def test_r6_length_and_kinds_are_refused_exactly_below_the_policy(users):
    admin = users["secadmin"]

    @given(
        min_length=st.integers(8, 40),
        classes=st.integers(3, 4),
        password=st.text(alphabet=PRINTABLE, max_size=48),
    )
    @hypothesis_settings(max_examples=300)
    def check(min_length, classes, password):
        set_policy(admin, min_length=min_length, classes=classes)
        kinds = sum(
            [
                any(c in string.ascii_lowercase for c in password),
                any(c in string.ascii_uppercase for c in password),
                any(c in string.digits for c in password),
                any(c in string.punctuation + " " for c in password),
            ]
        )
        try:
            passwords.PolicyValidator().validate(password)
        except ValidationError as exc:
            codes = {e.code for e in exc.error_list}
        else:
            codes = set()
        assert ("password_too_short" in codes) == (len(password) < min_length)
        assert ("password_classes" in codes) == (kinds < classes)

    check()


@pytest.mark.parametrize(
    "password",
    [
        "password123!",
        "Password123!",
        "P@ssw0rd2026!",
        "Welcome123!!",
        "Admin@123456",
        "Summer2024!!",
        "Qwerty123456!",
        "qwerty123456",
        "iloveyou!2026",
    ],
)
def test_r6_a_common_password_is_refused_even_dressed_up(password):
    assert "password_too_common" in refusal_codes(password)


@pytest.mark.parametrize(
    "password", ["Zhichi#2026ab", "Kunming-Lake-42", "Correct Horse Battery 9", "Mon@key-Road-7"]
)
def test_r6_an_uncommon_password_is_not_taken_for_a_common_one(password):
    assert "password_too_common" not in refusal_codes(password)


def test_r6_none_of_the_last_five_passwords_is_taken_again(users):
    user = users["civil1"]
    chain = [PASSWORD] + [f"Kunming-Lake-{n:02d}x" for n in range(1, 6)]
    for old, new in itertools.pairwise(chain):
        passwords.change_own_password(user=user, old=old, new=new, again=new)
    current = chain[5]

    # the last five: the current password and the four before it
    for used in chain[1:6]:
        with pytest.raises(InvalidInput) as exc:
            passwords.change_own_password(user=user, old=current, new=used, again=used)
        assert [(e.field, e.code) for e in exc.value.errors] == [
            ("new_password1", "password_reused")
        ]
    assert PasswordHistory.objects.filter(user=user).count() == 5  # trimmed to the policy

    # the first is six passwords back, counting the current one: it may come again
    passwords.change_own_password(user=user, old=current, new=chain[0], again=chain[0])
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_r6_a_longer_history_refuses_more(users):
    user = users["civil1"]
    set_policy(users["secadmin"], history=8)
    chain = [PASSWORD] + [f"Kunming-Lake-{n:02d}x" for n in range(1, 9)]
    for old, new in itertools.pairwise(chain):
        passwords.change_own_password(user=user, old=old, new=new, again=new)

    # eight back, counting the current one: refused (the default five would take it)
    with pytest.raises(InvalidInput):
        passwords.change_own_password(user=user, old=chain[-1], new=chain[1], again=chain[1])
    passwords.change_own_password(user=user, old=chain[-1], new=chain[0], again=chain[0])


# --- changing one's own password ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "again", "fields"),
    [
        ("Not-my-passw0rd", GOOD, GOOD, {"old_password"}),
        (PASSWORD, GOOD, GOOD + "y", {"new_password2"}),
        ("Not-my-passw0rd", GOOD, GOOD + "y", {"old_password", "new_password2"}),
        (PASSWORD, "short-1A", "short-1A", {"new_password1"}),
        (PASSWORD, "Password123!", "Password123!", {"new_password1"}),
        (PASSWORD, PASSWORD, PASSWORD, {"new_password1"}),
    ],
)
def test_r6_a_refused_change_shows_why_at_the_field_and_changes_nothing(
    users, web, old, new, again, fields
):
    client = web("civil1")
    before = User.objects.filter(pk=users["civil1"].pk).values_list("password").get()

    r = client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": again}
    )

    assert r.status_code == 422
    assert set(r.context["form"].errors) == fields
    assert User.objects.filter(pk=users["civil1"].pk).values_list("password").get() == before
    assert list(
        AuditEntry.objects.filter(action="auth.password_change").values_list("outcome", "detail")
    ) == [("failed", {})]


def test_r6_a_change_ends_every_other_session_and_keeps_this_one(users, web):
    here, elsewhere = web("civil1"), web("civil1")
    assert elsewhere.get("/").status_code == 200
    changed_before = User.objects.get(pk=users["civil1"].pk).password_changed_at

    r = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD, "next": "/cases/"},
    )

    assert (r.status_code, r["Location"]) == (302, "/cases/")
    assert here.get("/cases/").status_code == 200
    assert elsewhere.get("/cases/")["Location"] == "/login/?next=/cases/"
    user = User.objects.get(pk=users["civil1"].pk)
    assert user.check_password(GOOD)
    assert changed_before is None or user.password_changed_at > changed_before
    assert abs((timezone.now() - user.password_changed_at).total_seconds()) < 60
    assert user.must_change_password is False
    assert PasswordHistory.objects.filter(user=user).count() == 1
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert (entry.username, entry.outcome, entry.detail) == ("civil1", "ok", {})
    assert Client().post("/login/", {"username": "civil1", "password": PASSWORD}).status_code == 200
    assert Client().post("/login/", {"username": "civil1", "password": GOOD}).status_code == 302


# --- expiry and the reset ----------------------------------------------------------------------
def test_r6_an_expired_password_sends_every_page_to_the_change_page(staff):
    age_password(staff, 91)
    client = verified_client(staff)

    for path in ("/", "/cases/", "/leads/", "/account/tokens/", "/notifications/"):
        r = client.get(path)
        assert r.status_code == 302, path
        assert r["Location"].startswith("/account/password/?next="), path
    r = client.post("/account/tokens/new/", {"name": "sync"})
    assert (r.status_code, r["Location"]) == (302, "/account/password/")
    assert not ApiToken.objects.filter(user=staff).exists()
    page = client.get("/account/password/?next=/cases/")
    assert page.status_code == 200
    assert page.context["due"] is True
    html = page.content.decode()
    assert "Yours has expired" in html and 'id="zc-nav"' not in html

    r = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD, "next": "/cases/"},
    )

    assert (r.status_code, r["Location"]) == (302, "/cases/")
    assert client.get("/cases/").status_code == 200


@pytest.mark.parametrize(
    ("max_age", "days_old", "expired"),
    [(90, 89.99, False), (90, 90.01, True), (30, 29.9, False), (30, 30.1, True), (1, 1.01, True)],
)
def test_r6_a_password_expires_after_the_policys_days(staff, users, max_age, days_old, expired):
    if max_age != 90:
        set_policy(users["secadmin"], max_age_days=max_age)
    age_password(staff, days_old)

    r = verified_client(staff).get("/cases/")

    assert passwords.password_expired(staff) is expired
    if expired:
        assert (r.status_code, r["Location"]) == (302, "/account/password/?next=%2Fcases%2F")
    else:
        assert r.status_code == 200


def test_r6_a_demo_account_on_a_demo_instance_keeps_its_password(users, web, settings):
    assert settings.ZHICHI_DEMO
    age_password(users["civil2"], 400)

    assert web("civil2").get("/cases/").status_code == 200


def test_r6_a_password_set_before_its_age_was_kept_does_not_expire(staff):
    User.objects.filter(pk=staff.pk).update(password_changed_at=None)
    staff.refresh_from_db()

    assert passwords.password_expired(staff) is False
    assert verified_client(staff).get("/").status_code == 200


def test_r6_after_the_security_administrators_reset_the_user_must_choose_a_password(staff, web):
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    old_session = verified_client(staff)

    r = web("secadmin").post(f"/security/users/{staff.pk}/password/")

    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    temporary = r.context["raw"]
    assert f'value="{temporary}"' in r.content.decode()
    staff.refresh_from_db()
    assert staff.must_change_password is True
    assert passwords.password_expired(staff) is True
    assert old_session.get("/")["Location"] == "/login/?next=/"  # its sessions ended
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert (entry.username, entry.detail) == ("secadmin", {"username": "civil1"})
    assert temporary not in str(entry.detail)

    client = client_at("198.51.100.30")
    assert client.post("/login/", {"username": "civil1", "password": PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": "civil1", "password": temporary}).status_code == 302
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/login/verify/", {"code": code}).status_code == 302
    r = client.get("/cases/")
    assert (r.status_code, r["Location"]) == (302, "/account/password/?next=%2Fcases%2F")
    page = client.get("/account/password/")
    assert page.context["reset"] is True
    assert "temporary password" in page.content.decode()

    r = client.post(
        "/account/password/",
        {"old_password": temporary, "new_password1": GOOD, "new_password2": GOOD},
    )

    assert (r.status_code, r["Location"]) == (302, "/")
    assert client.get("/cases/").status_code == 200
    staff.refresh_from_db()
    assert staff.must_change_password is False
    # the temporary password counts as an earlier one
    with pytest.raises(InvalidInput):
        passwords.change_own_password(user=staff, old=GOOD, new=temporary, again=temporary)


# --- temporary passwords -----------------------------------------------------------------------
def test_r6_a_temporary_password_meets_the_strictest_policy_every_time(users):
    set_policy(users["secadmin"], min_length=128, classes=4)
    seen = set()
    for _ in range(300):
        raw = passwords.temporary_password()
        assert len(raw) >= 128
        assert refusal_codes(raw, users["civil1"]) == set()
        seen.add(raw)
    assert len(seen) == 300


def test_r6_a_temporary_password_meets_any_policy_inside_the_floors(users):
    admin = users["secadmin"]

    @given(min_length=st.integers(*R6["min_length"]), classes=st.integers(*R6["classes"]))
    @hypothesis_settings(max_examples=150)
    def check(min_length, classes):
        set_policy(admin, min_length=min_length, classes=classes)
        raw = passwords.temporary_password()
        assert len(raw) >= max(16, min_length)
        assert passwords.character_kinds(raw) == 4
        assert not set(raw) & set("0O1lI")  # read aloud without doubt
        assert refusal_codes(raw, users["civil1"]) == set()

    check()


def test_r6_temporary_passwords_at_the_default_policy_are_16_characters(users):
    for _ in range(200):
        raw = passwords.temporary_password()
        assert len(raw) == 16
        assert refusal_codes(raw) == set()


# --- the migration -----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_r6_the_migration_starts_the_age_of_passwords_set_before_it():
    with latest_afterwards():
        old = migrate_to([("accounts", "0004_token_name_and_expiry_required")])
        legacy = old.get_model("accounts", "User").objects.create(username="legacy", role="partner")
        started = timezone.now()

        new = migrate_to([("accounts", "0005_password_policy_sessions_second_factor")])

        migrated = new.get_model("accounts", "User").objects.get(pk=legacy.pk)
        assert migrated.password_changed_at is not None
        assert started <= migrated.password_changed_at <= timezone.now()
        assert migrated.must_change_password is False
        assert migrated.is_demo is False
