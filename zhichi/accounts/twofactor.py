"""The second factor (rule R6): a time-based one-time code (TOTP, django-otp) for every account,
with one-time recovery codes, and a reset by the security administrator.

- **Enrolment.** A user without a confirmed authenticator is sent, after the password, to the
  set-up page: ``start_enrolment`` makes an unconfirmed device (its secret is shown as a QR code
  and as text), ``confirm_enrolment`` confirms it with a code from the app and makes ten recovery
  codes, shown once.
- **Sign-in.** After the password, ``verify`` takes a six-digit code (django-otp counts wrong
  codes and makes each further try wait twice as long) or a recovery code (used up by its use).
- **Reset.** ``reset`` (the security administrator) removes the user's authenticator and
  recovery codes and ends their sessions: they enrol again at the next sign-in.
- A demo account on a demo instance (``passwords.demo_exempt``) needs no second factor.

Every step is audited (``auth.otp_*``); a code is never written anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

import django_otp
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhichi.accounts import passwords, rules, sessions
from zhichi.accounts.models import RecoveryCode, User
from zhichi.audit.services import record
from zhichi.common import qr
from zhichi.common.errors import FieldError, InvalidInput

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()


def verified(request, user) -> bool:
    """The session gave the second factor (or needs none)."""
    if passwords.demo_exempt(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def next_step_url(user) -> str:
    """Where a signed-in user without the second factor goes: the code page when they have an
    authenticator, else the set-up page."""
    if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return reverse("login_verify")
    return reverse("accounts:two_factor")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no style: the CSP allows it)."""
    return qr.svg(device.config_url, scale=5)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hex digits, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


def start_enrolment(*, user: User) -> TOTPDevice:
    """Make an unconfirmed authenticator for ``user`` (a fresh secret), replacing any earlier
    unconfirmed one. Refused when one is already confirmed (reset first)."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise InvalidInput(
                [
                    FieldError(
                        "code",
                        "enrolled",
                        _("An authenticator is already set up for this account."),
                    )
                ]
            )
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        record(action="auth.otp_enrol_start", actor=user, obj=user)
    return device


def _wait_error() -> InvalidInput:
    return InvalidInput(
        [
            FieldError(
                "code",
                "wait",
                _("Too many wrong codes. Wait a little, then enter the code the app shows."),
            )
        ]
    )


def _code_error() -> InvalidInput:
    return InvalidInput(
        [
            FieldError(
                "code",
                "wrong",
                _(
                    "That code is not right. Enter the six digits your authenticator app shows "
                    "now (they change every 30 seconds)."
                ),
            )
        ]
    )


def _clean_code(code: str) -> str:
    return "".join(str(code or "").split())


@dataclass(frozen=True)
class Enrolled:
    device: TOTPDevice
    recovery_codes: list[str]


def confirm_enrolment(*, request, user: User, code: str) -> Enrolled:
    """Confirm the pending authenticator with a code from the app; the session counts as
    verified, and ten new recovery codes are returned (shown once)."""
    device = pending_device(user)
    if device is None:
        raise InvalidInput(
            [FieldError("code", "no_pending", _("Start the set-up again: scan a new QR code."))]
        )
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        # django-otp refuses any code, even a right one, until the wait after a wrong one is over
        record(
            action="auth.otp_enrol",
            actor=user,
            obj=user,
            outcome="denied",
            detail={"reason": "wait"},
        )
        raise _wait_error()
    if not device.verify_token(_clean_code(code)):
        record(action="auth.otp_enrol", actor=user, obj=user, outcome="failed")
        raise _code_error()
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record(action="auth.otp_enrol", actor=user, obj=user)
    django_otp.login(request, device)
    return Enrolled(device=device, recovery_codes=codes)


def verify(*, request, user: User, code: str) -> str:
    """The second step of sign-in: a code from the app, or a recovery code (used up). Returns
    "totp" or "recovery"; a wrong code raises InvalidInput at ``code`` (and is audited)."""
    device = confirmed_device(user)
    if device is None:
        raise InvalidInput([FieldError("code", "no_device", _("Set up an authenticator first."))])
    clean = _clean_code(code)
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        record(action="auth.otp", actor=user, obj=user, outcome="denied", detail={"reason": "wait"})
        raise _wait_error()
    if clean.isdigit() and len(clean) == 6:
        with transaction.atomic():
            # locked: two requests with one code cannot both pass (the device keeps the last step
            # used, and a code is good once)
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            good = device.verify_token(clean)
            if good:
                record(action="auth.otp", actor=user, obj=user, detail={"method": "totp"})
        if good:
            django_otp.login(request, device)
            return "totp"
    else:
        with transaction.atomic():
            used = (
                RecoveryCode.objects.select_for_update()
                .filter(user=user, digest=_digest(clean), used_at__isnull=True)
                .update(used_at=timezone.now())
            )
            if used:
                left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                record(
                    action="auth.otp",
                    actor=user,
                    obj=user,
                    detail={"method": "recovery", "recovery_codes_left": left},
                )
        if used:
            device.throttle_reset()
            django_otp.login(request, device)
            return "recovery"
        device.throttle_increment()
    record(action="auth.otp", actor=user, obj=user, outcome="failed")
    raise _code_error()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def renew_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise InvalidInput(
                [FieldError("code", "no_device", _("Set up an authenticator first."))]
            )
        codes = _new_recovery_codes(user)
        record(action="auth.otp_recovery_renew", actor=user, obj=user)
    return codes


def reset(*, actor: User, user: User) -> int:
    """The security administrator removes ``user``'s authenticator and recovery codes (a lost
    phone): every session of the user ends, and they enrol again at the next sign-in. Not for
    their own account nor another administrator's (rule R5). Returns the devices removed."""
    rules.ensure_security_admin(actor, action="auth.otp_reset", obj=user)
    rules.ensure_not_self_or_admin(actor, user, action="auth.otp_reset")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        removed, _per_model = TOTPDevice.objects.filter(user=locked).delete()
        RecoveryCode.objects.filter(user=locked).delete()
        locked.rotate_security_stamp()
        locked.save(update_fields=["security_stamp"])
        sessions.end_all_of(locked, "second_factor_reset")
        record(
            action="auth.otp_reset",
            actor=actor,
            obj=locked,
            detail={"username": locked.username, "devices_removed": removed},
        )
    user.security_stamp = locked.security_stamp
    return removed
