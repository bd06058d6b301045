"""The public portal's rate limits (issue 18 item 5): how many requests of one kind one address
may send in a window, counted in the database (``RateBucket``) so every app process shares them.

A fixed window per scope: the requests of a key are counted from ``window_start`` (the time
floored to the window's length) until the window ends, then counting starts again at 0. The key
is stored only as a keyed hash, so the table names no address and no receipt code.

Call ``hit`` outside any ``atomic`` block that ``RateLimited`` would leave: inside one, the count
is part of the caller's transaction, and the rollback would undo the very count that caused the
refusal, so the limit would never bite. ``rate_limited`` counts before the view runs, in a
transaction of its own.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import npgettext

from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.common import errors, purges
from zhichi.parties import crypto
from zhichi.portal.models import RateBucket

# scope -> (requests allowed in one window, the window's length in seconds); the scopes are
# documented with the setting (zhichi/settings.py, ZHICHI["PORTAL_RATES"])
DEFAULT_RATES: dict[str, tuple[int, int]] = {
    "step": (120, 3600),
    "upload": (30, 3600),
    "submit": (10, 3600),
    "resume": (20, 3600),
    "lookup": (20, 3600),
    "lookup_code": (5, 3600),
}
_RATE = re.compile(r"^\s*([a-z_]+)\s*=\s*(\d+)\s*/\s*(\d+)\s*$")
KEY_LENGTH = RateBucket._meta.get_field("key").max_length
PURGE_AFTER = timedelta(days=1)  # buckets are deleted a day after their window ended
PURGE_BATCH = 5000
# a request that changes nothing is never counted (a GET changes nothing: house rule)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def parse_rates(raw: str) -> dict[str, tuple[int, int]]:
    """The limits: ``DEFAULT_RATES`` with the scopes ``raw`` names replaced, ``raw`` being the
    value of ZHICHI_PORTAL_RATES ("step=120/3600,submit=10/3600": scope=requests/seconds).
    A malformed value stops the start with ``ImproperlyConfigured`` saying what is wrong."""
    rates = dict(DEFAULT_RATES)
    seen: set[str] = set()
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        match = _RATE.match(item)
        if match is None:
            raise ImproperlyConfigured(
                f"ZHICHI_PORTAL_RATES: {item.strip()!r} is not scope=requests/seconds "
                "(for example step=120/3600)"
            )
        scope, requests, seconds = match[1], int(match[2]), int(match[3])
        if scope not in DEFAULT_RATES:
            raise ImproperlyConfigured(
                f"ZHICHI_PORTAL_RATES: unknown scope {scope!r}; the scopes are "
                f"{', '.join(DEFAULT_RATES)}"
            )
        if scope in seen:
            raise ImproperlyConfigured(f"ZHICHI_PORTAL_RATES: scope {scope!r} is given twice")
        if requests < 1 or seconds < 1:
            raise ImproperlyConfigured(
                f"ZHICHI_PORTAL_RATES: {scope} needs at least 1 request in at least 1 second, "
                f"got {requests}/{seconds}"
            )
        seen.add(scope)
        rates[scope] = (requests, seconds)
    return rates


# read when the app starts (PortalConfig.ready imports this module through hooks), so a bad value
# stops the start; hit() and peek() look a scope up here on every call
LIMITS: dict[str, tuple[int, int]] = parse_rates(settings.ZHICHI["PORTAL_RATES"])


class RateLimited(errors.RateLimited):
    """Too many requests of ``scope`` from one key in the current window: try again after
    ``retry_after`` seconds (at least 1), when the window ends."""

    def __init__(self, scope: str, retry_after: int):
        self.scope = scope
        self.minutes = minutes = max(1, math.ceil(retry_after / 60))
        message = npgettext(
            "portal",
            "Too many tries. Please wait %(minutes)d minute and try again.",
            "Too many tries. Please wait %(minutes)d minutes and try again.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(message, max(1, retry_after))


def client_address(request) -> str:
    """The address a request came from: ``REMOTE_ADDR``, the address the server sees, as the
    audit trail and the sign-in lock use it. A proxy in front must hand the real client address
    over as ``REMOTE_ADDR`` (docs/SECURITY.md: gunicorn's ``--proxy-protocol`` behind a proxy
    that speaks the PROXY protocol); we never read X-Forwarded-For ourselves, since any client
    can write any address there and so escape its limit or use up another's."""
    return request.META.get("REMOTE_ADDR") or ""


def _window(scope: str, now: datetime) -> tuple[datetime, datetime]:
    """The start and end of the window of ``scope`` that ``now`` falls in."""
    seconds = LIMITS[scope][1]
    start = math.floor(now.timestamp() / seconds) * seconds
    return (
        datetime.fromtimestamp(start, tz=UTC),
        datetime.fromtimestamp(start + seconds, tz=UTC),
    )


def _stored_key(scope: str, key: str) -> str:
    # a keyed hash (HMAC-SHA256 under the field key), not a plain SHA-256: the 2**32 IPv4
    # addresses are few enough to hash them all and read a plain hash back. The scope stays
    # readable in front (it names no one). A new first key (rotation) starts the counts afresh.
    digest = crypto.blind_index("portal_rate", f"{scope}\x00{key}")
    return f"{scope}:{digest}"[:KEY_LENGTH]


def _seconds_until(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


def hit(*, scope: str, key: str) -> None:
    """Count one request of ``scope`` from ``key`` (an address, a receipt code) in the current
    window; ``RateLimited`` when the count, this request included, is over the scope's limit.
    The first refusal of a key in a window is audited, the ones after it are not, so a flood
    leaves one row, not one per request."""
    allowed = LIMITS[scope][0]
    now = timezone.now()
    start, end = _window(scope, now)
    stored = _stored_key(scope, key)
    bucket = RateBucket.objects.filter(key=stored, window_start=start)
    with transaction.atomic():
        # UPDATE first: it locks the row (PostgreSQL) or the database (SQLite, IMMEDIATE), so
        # the count read back below is this request's own, whatever runs beside it
        if not bucket.update(count=F("count") + 1):
            try:
                with transaction.atomic():  # a savepoint: a lost race must not end the outer one
                    RateBucket.objects.create(key=stored, window_start=start, count=1)
            except IntegrityError:  # another request made the row first: count on it
                bucket.update(count=F("count") + 1)
        count = bucket.values_list("count", flat=True).get()
        if count <= allowed:
            return
        if count == allowed + 1:
            record(
                action="portal.rate_limited",
                actor=None,
                outcome=Outcome.DENIED,
                detail={"scope": scope},
            )
    raise RateLimited(scope, _seconds_until(end, now))


def peek(*, scope: str, key: str) -> bool:
    """Whether ``key`` has used up the limit of ``scope`` in the current window (its next
    ``hit`` would be refused), without counting anything. The status lookup uses it to refuse a
    receipt code locked by failed lookups before comparing any digits."""
    allowed = LIMITS[scope][0]
    start, _end = _window(scope, timezone.now())
    count = (
        RateBucket.objects.filter(key=_stored_key(scope, key), window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    return (count or 0) >= allowed


def refusal(request, exc: RateLimited):
    """The 429 page: in plain words, how many minutes to wait, whom to call, and a way back."""
    response = render(
        request,
        "portal/rate_limited.html",
        {"minutes": exc.minutes, "scope": exc.scope},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def rate_limited(scope: str):
    """A view decorator: each request that changes something (a POST) counts one ``hit`` of
    ``scope`` from the client's address before the view runs; over the limit, the view does not
    run and the 429 page answers. A GET is never counted. A ``RateLimited`` the view raises
    itself (a receipt code locked by failed lookups) gets the same page."""
    if scope not in LIMITS:
        raise ValueError(f"unknown rate limit scope {scope!r}; one of {', '.join(LIMITS)}")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if request.method not in SAFE_METHODS:
                    hit(scope=scope, key=client_address(request))
                return view(request, *args, **kwargs)
            except RateLimited as exc:
                return refusal(request, exc)

        return wrapped

    return decorate


def purge_old_buckets() -> int:
    """Delete up to ``PURGE_BATCH`` buckets whose window ended more than a day ago (reckoned
    with the longest window, so no bucket goes early); how many were deleted (the daily purge
    calls it until it answers 0, zhichi/common/purges.py)."""
    longest = max(seconds for _allowed, seconds in LIMITS.values())
    cutoff = timezone.now() - PURGE_AFTER - timedelta(seconds=longest)
    ids = list(
        RateBucket.objects.filter(window_start__lt=cutoff)
        .order_by("window_start")
        .values_list("pk", flat=True)[:PURGE_BATCH]
    )
    if not ids:
        return 0
    deleted, _per_model = RateBucket.objects.filter(pk__in=ids).delete()
    return deleted


def install_purge() -> None:
    """Register ``purge_old_buckets`` with the daily purge (called from PortalConfig.ready)."""
    purges.register("portal rate buckets", purge_old_buckets)
