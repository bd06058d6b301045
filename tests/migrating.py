"""Migrating the test database in a test (data migrations, rule R14): one way for every test.

``migrate(targets)`` takes the database to ``targets`` ([(app, migration)], as the executor
takes them; ``None``: the latest of every app) and answers the historical apps at that state.
Going back in one app unapplies what depends on it in others (e.g. a transfers migration that
needs an accounts one), so a test that goes back must come back to the latest of every app,
not of its own app only: ``latest_afterwards()`` does that when the test ends, pass or fail,
so the next test on the same database finds every table it expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]] | None = None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@contextmanager
def latest_afterwards() -> Iterator[None]:
    try:
        yield
    finally:
        migrate_to_latest()


def migrate_to_latest() -> None:
    migrate(None)
