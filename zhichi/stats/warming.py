"""Counting the dashboard's figures ahead (issue 19, QUALITY.md P6; ``manage.py warm_figures``).

At a million cases a year's figures take seconds to count, and whoever first asks after they
expire waits for the whole count. A timer shorter than ``STATS_CACHE_SECONDS`` recounts them for
every audience (``cases.scope.audience``) with a reader signed in lately (once: what is kept
serves every language) and keeps them in the cache every app server reads: readers then always
find them counted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model

from zhichi.cases.scope import audience
from zhichi.stats import figcache, presenters
from zhichi.stats.period import Period
from zhichi.stats.selectors import Scope, may_see_stats

log = logging.getLogger(__name__)


@dataclass
class Warmed:
    audiences: int = 0
    seconds: float = 0.0
    failed: list[tuple] = field(default_factory=list)  # the audiences whose counting failed


def readers(since: datetime) -> list:
    """One reader for each audience with a reader of the figures signed in since ``since`` (the
    first of them by id: any one reads what the others read)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, last_login__gte=since, organisation__isnull=False)
        .order_by("pk")
    )
    chosen: dict[tuple, object] = {}
    for user in users.iterator(chunk_size=500):
        if may_see_stats(user):
            chosen.setdefault(audience(user), user)
    return list(chosen.values())


def warm(today: date, since: datetime) -> Warmed:
    """Recount the dashboard's figures of this year (the period it opens on) for the readers of
    ``readers(since)``; one audience failing does not stop the others (it is logged and named in
    the answer)."""
    warmed, started = Warmed(), time.monotonic()
    period = Period.of("year", today)
    for reader in readers(since):
        try:
            with figcache.recounting():
                presenters.dashboard(Scope(reader), period)
        except Exception:
            log.exception("counting the figures ahead failed for %s", audience(reader))
            warmed.failed.append(audience(reader))
        else:
            warmed.audiences += 1
    warmed.seconds = time.monotonic() - started
    return warmed
