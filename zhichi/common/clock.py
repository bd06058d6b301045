"""The clock a simulation runs on: the demo data's year of history, and tests that fix "today".

Code reads the time the ordinary way (``timezone.now()``, ``timezone.localdate()``, a model
field's ``default=timezone.now``); ``SimulatedClock`` makes all of them read a chosen moment by
moving the process's clock (time-machine), so no production code patches Django or carries a
clock argument. Time stands still while the clock is installed, until ``set`` moves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine
from django.utils import timezone


class SimulatedClock:
    """A moment the code runs at. Times are kept in UTC, like the real ``timezone.now()``:
    the audit hash covers ``at.isoformat()``, and the database hands datetimes back in UTC."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = (at or timezone.now()).astimezone(UTC)
        self._traveller: time_machine.Coordinates | None = None

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at`` (an aware datetime); the code reads it from now on."""
        self.at = at.astimezone(UTC)
        if self._traveller is not None:
            self._traveller.move_to(self.at)

    @contextmanager
    def installed(self) -> Iterator[SimulatedClock]:
        with time_machine.travel(self.at, tick=False) as traveller:
            self._traveller = traveller
            try:
                yield self
            finally:
                self._traveller = None


@contextmanager
def frozen_at(at: datetime) -> Iterator[SimulatedClock]:
    """Run the block at ``at``, the clock standing still (``clock.set`` moves it)."""
    with SimulatedClock(at).installed() as clock:
        yield clock
