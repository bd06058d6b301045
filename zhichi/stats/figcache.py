"""Figures kept for a short while once counted (issue 19; ``ZHICHI_STATS_CACHE_SECONDS``).

A year's figures over a province's cases read hundreds of thousands of rows, and the dashboard,
the leaders' workbench and the API ask for the same ones again and again. Each counting function
wrapped here keeps its answer in Django's cache (the process's memory by default, Redis where
several app servers share one: docs/deployment.md) for ``STATS_CACHE_SECONDS``, under a key made
of:

- who reads: the reader, with their organisation, department and role (a move to another
  department or role counts afresh), and the department they narrowed the figures to;
- the period, the function's own arguments and the language (labels are translated).

A case shared with the reader, or a record added, shows in their figures once the kept ones
expire: at most ``STATS_CACHE_SECONDS`` later.

The pages say when the figures they show were counted (``collecting``), so nobody takes a
figure a minute old for one of this second. 0 seconds counts afresh on every request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

# the moments at which the figures read during one request were counted (``collecting``)
_counted_at: ContextVar[list[datetime] | None] = ContextVar("zc_stats_counted_at", default=None)


def scope_key(scope) -> str:
    """Who counts, as what: the reader, their organisation, department and role, and the
    department they narrowed the figures to (see the module's docstring)."""
    user = scope.user
    return "-".join(
        str(part)
        for part in (
            user.pk,
            user.organisation_id,
            user.department_id,
            user.role,
            scope.department.pk if scope.department else "",
        )
    )


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
                translation.get_language() or "",
            ]
        )
        found = cache.get(key)
        if found is None:
            found = (timezone.now(), fn(scope, period, *args))
            cache.set(key, found, seconds)
        _note(found[0])
        return found[1]

    wrapper.uncached = fn  # the counting itself (QUALITY.md P4 measures it)
    return wrapper


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
