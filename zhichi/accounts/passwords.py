"""Passwords (rule R6): the policy the security administrator keeps, the validators that apply
it, and the two ways a password changes (the user changes their own; the security administrator
resets it to a temporary one the user must replace at the next sign-in).

- **Policy** (one row, ``PasswordPolicy`` pk 1): minimum length, kinds of character, the age at
  which a password expires, and how many earlier passwords may not be used again. Rule R6 sets
  floors the policy never goes below (``FLOORS``): at least 8 characters of 3 kinds, expiry at
  most 90 days, the last 5 passwords refused. Until the administrator saves one, the defaults
  apply (12 characters, 3 kinds, 90 days, 5).
- **Validators** (``AUTH_PASSWORD_VALIDATORS``): ``PolicyValidator`` (length and kinds from the
  policy), Django's common-password blocklist and numeric check, and ``HistoryValidator``.
- **Expiry**: ``password_expired(user)``; the access gate (``accounts.middleware``) sends a user
  whose password expired, or was reset, to the change page before anything else.
"""

from __future__ import annotations

import functools
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhichi.accounts import rules
from zhichi.accounts.models import PasswordHistory, PasswordPolicy, User
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, InvalidInput

# rule R6: (lowest, highest) the policy may be set to
FLOORS = {
    "min_length": (8, 128),
    "classes": (3, 4),
    "max_age_days": (1, 90),
    "history": (5, 24),
}
POLICY_FIELDS = tuple(FLOORS)


POLICY_CACHE_KEY = "zhichi:password-policy"
POLICY_CACHE_SECONDS = 60  # every page checks the password's age: a minute's lag for a new policy


def current_policy() -> PasswordPolicy:
    """The saved policy, or the defaults (never written by a read). Kept a minute in the cache,
    as the access gate reads it on every page; saving a policy clears it."""
    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy = PasswordPolicy.objects.filter(pk=1).first() or PasswordPolicy(pk=1)
        cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
    return policy


def character_kinds(password: str) -> int:
    """How many of lower case, upper case, digits and symbols the password uses."""
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
    )


# what people add to a common word to pass the kinds of character ("Password123!", "P@ssw0rd!")
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "1": "l"})
_ENDS = string.digits + string.punctuation + " "


@functools.lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def dressed_common_password(password: str) -> bool:
    """A common password (Django's list) with digits or symbols around it, or letters written as
    digits and symbols: what the list itself misses once a policy asks for several kinds."""
    core = password.lower().strip(_ENDS)
    return len(core) >= 4 and (
        core in _common_passwords() or core.translate(_LEET) in _common_passwords()
    )


class PolicyValidator:
    """Length and kinds of character, as the current policy says, and no common password dressed
    up with digits and symbols (the plain ones are Django's ``CommonPasswordValidator``)."""

    def validate(self, password: str, user=None) -> None:
        policy = current_policy()
        problems = []
        if dressed_common_password(password):
            problems.append(
                ValidationError(
                    _("This is a common password with digits or symbols added. Choose another."),
                    code="password_too_common",
                )
            )
        if len(password) < policy.min_length:
            problems.append(
                ValidationError(
                    ngettext(
                        "Use at least %(n)d character.",
                        "Use at least %(n)d characters.",
                        policy.min_length,
                    )
                    % {"n": policy.min_length},
                    code="password_too_short",
                )
            )
        if character_kinds(password) < policy.classes:
            problems.append(
                ValidationError(
                    _(
                        "Use at least %(n)d kinds of characters (lower case, upper case, digits, "
                        "symbols)."
                    )
                    % {"n": policy.classes},
                    code="password_classes",
                )
            )
        if problems:
            raise ValidationError(problems)

    def get_help_text(self) -> str:
        policy = current_policy()
        return _(
            "At least %(length)d characters, mixing at least %(n)d of: lower case, upper case, "
            "digits, symbols."
        ) % {"length": policy.min_length, "n": policy.classes}


class HistoryValidator:
    """Not the current password, nor any of the policy's number of earlier ones."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        policy = current_policy()
        # the last N passwords: the current one and the N - 1 before it
        earlier = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: policy.history - 1]
        )
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        for encoded in [current, *earlier]:
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("Choose a password you have not used for your last %(n)d passwords.")
                    % {"n": policy.history},
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        return _("Not one of your last %(n)d passwords.") % {"n": current_policy().history}


def password_expired(user, now=None) -> bool:
    """True when the user must choose a new password before anything else: the security
    administrator reset it, or it is older than the policy allows."""
    if user.must_change_password:
        return True
    if user.password_changed_at is None:
        return False
    now = now or timezone.now()
    return user.password_changed_at + timedelta(days=current_policy().max_age_days) <= now


def demo_exempt(user) -> bool:
    """A demo account on a demo instance (ZHICHI_DEMO=1, loopback only): it keeps its documented
    password and signs in without a second factor."""
    return bool(settings.ZHICHI_DEMO and getattr(user, "is_demo", False))


def _refusal(field: str, exc: ValidationError) -> InvalidInput:
    return InvalidInput(
        [FieldError(field, e.code or "invalid", " ".join(e.messages)) for e in exc.error_list]
    )


def _store(user: User, raw: str, *, must_change: bool, now) -> None:
    """Keep the old hash in the history (trimmed to the policy), then set the new password."""
    keep = current_policy().history
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
    stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    user.set_password(raw)
    user.password_changed_at = now
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])


def change_own_password(*, user: User, old: str, new: str, again: str) -> None:
    """The user replaces their password (rule R6). The old one must be right; the new one must
    pass the policy, the blocklist and the history. Every other session of the user ends (the
    session hash includes the password); the caller keeps the current one signed in."""
    errors = []
    if not user.check_password(old):
        errors.append(FieldError("old_password", "wrong", _("The current password is not right.")))
    if new != again:
        errors.append(FieldError("new_password2", "mismatch", _("The two new passwords differ.")))
    if errors:
        record(action="auth.password_change", actor=user, obj=user, outcome="failed")
        raise InvalidInput(errors)
    try:
        validate_password(new, user)
    except ValidationError as exc:
        record(action="auth.password_change", actor=user, obj=user, outcome="failed")
        raise _refusal("new_password1", exc) from None
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        _store(locked, new, must_change=False, now=now)
        record(action="auth.password_change", actor=user, obj=locked)
    user.password = locked.password
    user.password_changed_at, user.must_change_password = now, False


@dataclass(frozen=True)
class TemporaryPassword:
    user: User
    raw: str


def temporary_password() -> str:
    """16 characters of four kinds (more when the policy asks for a longer password), readable
    aloud (no 0/O, 1/l/I), passing every policy."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    length = max(16, current_policy().min_length)
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length - 2))
        raw = body[:7] + "-" + body[7:] + secrets.choice("#%+=")
        if character_kinds(raw) == 4:
            return raw


def set_temporary_password(user: User, *, now=None) -> str:
    """Give ``user`` (locked by the caller) a temporary password to replace at next sign-in."""
    raw = temporary_password()
    _store(user, raw, must_change=True, now=now or timezone.now())
    return raw


def save_policy(*, actor: User, values: dict) -> PasswordPolicy:
    """The security administrator sets the policy, within rule R6's floors. Audited with the
    values before and after."""
    rules.ensure_security_admin(actor, action="auth.password_policy")
    errors = []
    clean = {}
    for name in POLICY_FIELDS:
        low, high = FLOORS[name]
        raw = values.get(name)
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors.append(FieldError(name, "invalid", _("Enter a whole number.")))
            continue
        if not low <= number <= high:
            errors.append(
                FieldError(
                    name,
                    "out_of_range",
                    _("Rule R6 allows %(low)d to %(high)d here.") % {"low": low, "high": high},
                )
            )
            continue
        clean[name] = number
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        policy, _created = PasswordPolicy.objects.select_for_update().get_or_create(pk=1)
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        for name, number in clean.items():
            setattr(policy, name, number)
        policy.updated_at = timezone.now()
        policy.save()
        # now for this process, and again once committed, as another request may have cached
        # the old policy meanwhile
        cache.delete(POLICY_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
        record(
            action="auth.password_policy",
            actor=actor,
            obj=policy,
            detail={"before": before, "after": clean},
        )
    return policy
