"""The daily purge (``manage.py purge_case_files``): each app that keeps files or records only for
a while registers how to delete what is past its time (``register``) when it starts; the command
runs every registered step. A step deletes a bounded batch and returns how many it deleted, so the
command calls it again until it returns 0."""

from __future__ import annotations

from collections.abc import Callable

STEPS: dict[str, Callable[[], int]] = {}


def register(name: str, step: Callable[[], int]) -> None:
    STEPS[name] = step


def purge_all() -> dict[str, int]:
    """Run every step until it has nothing left; how many each deleted."""
    done = {}
    for name, step in STEPS.items():
        total = 0
        while purged := step():
            total += purged
        done[name] = total
    return done
