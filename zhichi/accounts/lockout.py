"""Sign-in safety (rule R6, issue 12 item 7): the lock per username and client, the waiting time
per username, the page a locked client sees, and what the security administrator's page lists.

Two limits work together, both counted from django-axes' failure records (AccessAttempt):

- **The lock** (django-axes, ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``):
  ``AXES_FAILURE_LIMIT`` failures for one username from one client lock that client out of that
  username for ``AXES_COOLOFF_TIME``. The real user, on another computer, still signs in; so a
  stranger can no longer lock anyone out by typing wrong passwords.
- **The waiting time** per username, whatever the client: once a username has had
  ``ZHICHI_LOGIN_DELAY_AFTER`` failures within the cool-off window, from anywhere, each further
  attempt for it must wait 1, 2, 4 … seconds after the last failure, at most
  ``ZHICHI_LOGIN_DELAY_MAX_SECONDS``. An attempt that comes too early is refused at once (no
  sleeping in the request) and its password is not checked, so spreading a guessing attack over
  many clients gains nothing. A browser the user has signed in from before with the current
  password carries a signed "known device" cookie and does not wait; a stranger's does not have
  one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_credentials
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core import signing
from django.db.models import Count, Max, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from zhichi.accounts.models import User
from zhichi.audit.services import record

KNOWN_DEVICE_COOKIE = "zc_known_device"
KNOWN_DEVICE_SALT = "zhichi.accounts.lockout.known-device"
KNOWN_DEVICE_DAYS = 90
KNOWN_DEVICE_MAX_USERS = 5  # a shared office computer keeps the last few people who signed in


# --- the waiting time (pure) -------------------------------------------------------------------
def delay_seconds(failures: int, *, after: int, cap: int) -> int:
    """Seconds an attempt must wait after the last failure, once a username has ``failures``
    recent failures: none below ``after``, then 1, 2, 4 … doubling, never more than ``cap``."""
    if failures < after:
        return 0
    exponent = failures - after
    if exponent >= cap.bit_length():
        return cap
    return min(cap, 2**exponent)


def _cool_off() -> timedelta:
    return get_cool_off() or timedelta(minutes=30)


@dataclass(frozen=True)
class UsernameFailures:
    count: int
    last: datetime | None


def recent_failures(username: str, now: datetime | None = None) -> UsernameFailures:
    """Failures recorded for ``username`` from every client within the cool-off window."""
    now = now or timezone.now()
    row = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - _cool_off()
    ).aggregate(count=Sum("failures_since_start"), last=Max("attempt_time"))
    return UsernameFailures(count=row["count"] or 0, last=row["last"])


def seconds_to_wait(request, username: str) -> int:
    """How long this attempt for ``username`` must still wait (0: go ahead).

    A client already locked for the username is not asked to wait: django-axes answers it with
    the lock page, which says whom to ask.
    """
    if not username or _known_device(request, username):
        return 0
    if AxesProxyHandler.is_locked(request, get_credentials(username)):
        return 0
    now = timezone.now()
    failures = recent_failures(username, now)
    wait = delay_seconds(
        failures.count,
        after=settings.ZHICHI_LOGIN_DELAY_AFTER,
        cap=settings.ZHICHI_LOGIN_DELAY_MAX_SECONDS,
    )
    if not wait or failures.last is None:
        return 0
    remaining = (failures.last + timedelta(seconds=wait) - now).total_seconds()
    return max(0, math.ceil(remaining))


# --- the known-device cookie -------------------------------------------------------------------
def _device_mark(user) -> str:
    # tied to the password and the security stamp: a new password, or a disable, forgets devices;
    # a hash of its own, so the cookie (signed, but readable) shows nothing of the session hash
    return salted_hmac(KNOWN_DEVICE_SALT, user.get_session_auth_hash()).hexdigest()[:20]


def _device_entries(request) -> list[list[str]]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = signing.loads(
            raw, salt=KNOWN_DEVICE_SALT, max_age=timedelta(days=KNOWN_DEVICE_DAYS)
        )
    except signing.BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2]


def _known_device(request, username: str) -> bool:
    marks = [mark for name, mark in _device_entries(request) if name == username]
    if not marks:
        return False

    user = User.objects.filter(username=username, is_active=True).first()
    return user is not None and _device_mark(user) in marks


def remember_device(request, response, user) -> None:
    """After a successful sign-in: this browser is a known device for ``user``."""
    entries = [e for e in _device_entries(request) if e[0] != user.get_username()]
    entries = [[user.get_username(), _device_mark(user)], *entries][:KNOWN_DEVICE_MAX_USERS]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(entries, salt=KNOWN_DEVICE_SALT, compress=True),
        max_age=KNOWN_DEVICE_DAYS * 24 * 3600,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# --- what a locked client sees -----------------------------------------------------------------
def lock_ends_at(username: str, ip_address: str | None) -> datetime | None:
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return last + _cool_off() if last else None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked client (AXES_LOCKOUT_CALLABLE): 429, when the lock ends,
    and whom to ask (ZHICHI_SECURITY_CONTACT)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lock_ends_at(str(username), get_client_ip_address(request))
    return render(
        request,
        "registration/locked_out.html",
        {
            "until": until,
            "cool_off_minutes": int(_cool_off().total_seconds() // 60),
            "security_contact": settings.ZHICHI_SECURITY_CONTACT,
        },
        status=429,
    )


# --- the lock is audited (rule R7) -------------------------------------------------------------
@receiver(user_locked_out)
def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    # django-axes sends this signal for the failure that sets the lock, and again for every
    # attempt while it lasts; only the first carries the failure count (the others are already
    # audited as refused sign-ins).
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    now = timezone.now()
    record(
        action="auth.lockout",
        username=str(username or "")[:150],
        outcome="denied",
        detail={
            "ip_address": ip_address or "",
            "failures": failures,
            "until": (now + _cool_off()).isoformat(),
        },
    )


# --- what the security administrator's page lists ----------------------------------------------
@dataclass(frozen=True)
class LockRow:
    username: str
    ip_address: str | None
    failures: int
    since: datetime
    until: datetime


@dataclass(frozen=True)
class DelayRow:
    username: str
    failures: int
    clients: int
    last_failure: datetime
    next_attempt_at: datetime


def locks(now: datetime | None = None):
    """Clients locked out of a username right now, newest first: a queryset of dicts (username,
    ip_address, failures, last) for the page to paginate; ``lock_row`` makes each a LockRow."""
    now = now or timezone.now()
    return (
        AccessAttempt.objects.filter(attempt_time__gte=now - _cool_off())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last", "username", "ip_address")
    )


def lock_row(row: dict) -> LockRow:
    # Failures stop being recorded once a client is locked, so the last one set the lock.
    return LockRow(
        row["username"], row["ip_address"], row["failures"], row["last"], row["last"] + _cool_off()
    )


def delays(now: datetime | None = None):
    """Usernames with enough recent failures that a further attempt must wait (from a device not
    known to them), newest first: a queryset of dicts; ``delay_row`` makes each a DelayRow."""
    now = now or timezone.now()
    return (
        AccessAttempt.objects.filter(attempt_time__gte=now - _cool_off())
        .values("username")
        .annotate(
            failures=Sum("failures_since_start"),
            clients=Count("ip_address", distinct=True),
            last=Max("attempt_time"),
        )
        .filter(failures__gte=settings.ZHICHI_LOGIN_DELAY_AFTER)
        .order_by("-last", "username")
    )


def delay_row(row: dict) -> DelayRow:
    wait = delay_seconds(
        row["failures"],
        after=settings.ZHICHI_LOGIN_DELAY_AFTER,
        cap=settings.ZHICHI_LOGIN_DELAY_MAX_SECONDS,
    )
    return DelayRow(
        row["username"],
        row["failures"],
        row["clients"],
        row["last"],
        row["last"] + timedelta(seconds=wait),
    )
