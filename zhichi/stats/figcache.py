"""Figures kept for a short while once counted (issue 19; ``ZHICHI_STATS_CACHE_SECONDS``).

A year's figures over a province's cases read hundreds of thousands of rows, and the dashboard,
the leaders' workbench and the API ask for the same ones again and again. Each counting function
wrapped here keeps its answer in Django's cache (the process's memory by default, Redis where
several app servers share one: docs/deployment.md) for ``STATS_CACHE_SECONDS``, under a key made
of:

- whom the figures are counted for: the reader's audience (``cases.scope.audience``: their
  organisation, role and, for department staff, department), and the department they narrowed
  the figures to. Everyone with one audience reads the same records, so the officers of one
  department share one count; a move to another department or role counts afresh;
- the period and the function's own arguments.

What is kept holds codes and numbers, never a translated word: each row's label is looked up in
the reader's language when it is shown, so one count serves readers of every language.

A case shared with the reader, or a record added, shows in their figures once the kept ones
expire: at most ``STATS_CACHE_SECONDS`` later.

``manage.py warm_figures`` (a timer, where the cache is shared by every app server) counts the
dashboard's figures ahead for every audience with a recent reader, so that nobody waits for a
year's count at a million cases (``recounting``).

The pages say when the figures they show were counted (``collecting``), so nobody takes a
figure a minute old for one of this second. 0 seconds counts afresh on every request.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from zhichi.cases.scope import audience

# how long an asker waits for another's counting of the same figures, and how often it looks
WAIT_SECONDS = 120
POLL_SECONDS = 0.05

# set by ``recounting``: count afresh and keep the answer, whatever is kept already
_recounting: ContextVar[bool] = ContextVar("zc_stats_recounting", default=False)

# the moments at which the figures read during one request were counted (``collecting``)
_counted_at: ContextVar[list[datetime] | None] = ContextVar("zc_stats_counted_at", default=None)


def scope_key(scope) -> str:
    """Whom the figures are counted for: the reader's audience and the department they narrowed
    the figures to (see the module's docstring)."""
    organisation, department, role = audience(scope.user)
    narrowed = scope.department.pk if scope.department else ""
    return f"{organisation}-{department or ''}-{role}-{narrowed}"


def cached(fn: Callable) -> Callable:
    """``fn(scope, period, *args)``, kept for ``STATS_CACHE_SECONDS`` under the scope's key."""

    @functools.wraps(fn)
    def wrapper(scope, period, *args):
        seconds = settings.ZHICHI["STATS_CACHE_SECONDS"]
        if not seconds:
            _note(timezone.now())
            return fn(scope, period, *args)
        key = ":".join(
            [
                "zc-stats",
                fn.__module__,
                fn.__qualname__,
                scope_key(scope),
                f"{period.kind}-{period.start.isoformat()}-{period.end.isoformat()}",
                *map(str, args),
            ]
        )
        count = functools.partial(fn, scope, period, *args)
        if _recounting.get():
            found = _keep(key, seconds, count)
        else:  # a kept answer is a (moment, figures) pair: never empty
            found = cache.get(key) or _count_once(key, seconds, count)
        _note(found[0])
        return found[1]

    wrapper.uncached = fn  # the counting itself (QUALITY.md P4 measures it)
    return wrapper


def _count_once(key: str, seconds: int, count: Callable) -> tuple[datetime, object]:
    """Count and keep the answer, once for everyone who asks for it meanwhile: the first asker
    takes a lock in the cache and counts; the others wait for its answer (a year over a province
    takes seconds, and twenty readers counting it at once would each take twenty times as long).
    An asker that waits ``WAIT_SECONDS`` in vain, or sees the lock given up, counts itself."""
    lock = f"{key}:counting"
    if cache.add(lock, 1, WAIT_SECONDS):
        try:
            return _keep(key, seconds, count)
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None:
            return found
        if cache.get(lock) is None:
            break  # the counter failed: count here
    return _keep(key, seconds, count)


def _keep(key: str, seconds: int, count: Callable) -> tuple[datetime, object]:
    """Count now and keep the answer with the moment it was counted."""
    found = (timezone.now(), count())
    cache.set(key, found, seconds)
    return found


@contextmanager
def recounting() -> Iterator[None]:
    """Inside, every figure asked for is counted afresh and kept, replacing a kept one, and
    nobody reading meanwhile waits: they read the kept figures until the new ones are in."""
    token = _recounting.set(True)
    try:
        yield
    finally:
        _recounting.reset(token)


def shared() -> bool:
    """Whether the cache is one every app process reads (Redis), so that figures counted in one
    process, a timer's or a worker's, reach the others: each process's own memory is not."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _note(moment: datetime) -> None:
    seen = _counted_at.get()
    if seen is not None:
        seen.append(moment)


class Counted:
    """When the oldest of the figures read inside ``collecting`` was counted (None: none read)."""

    def __init__(self) -> None:
        self.moments: list[datetime] = []

    @property
    def oldest(self) -> datetime | None:
        return min(self.moments, default=None)


@contextmanager
def collecting() -> Iterator[Counted]:
    counted = Counted()
    token = _counted_at.set(counted.moments)
    try:
        yield counted
    finally:
        _counted_at.reset(token)
