"""Issue 19, QUALITY.md P6: a web worker's SQLite connections keep a 16 MiB page cache each
(settings.py), and only a long job's own connection grows to 64 MiB
(common.bulk.long_job_page_cache), as an import's does."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from zhichi.common import bulk

from . import corpus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache"),
]


@pytest.fixture(autouse=True)
def as_connected():
    """The test's connection as a request's is made (the settings' init_command), before and
    after each test: a raised cache would otherwise stay on it for the tests that follow."""
    as_settings_make_it()
    yield
    as_settings_make_it()


def as_settings_make_it() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size=-16384")


def page_cache() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_issue19_a_connection_caches_16_mib_and_a_long_job_raises_its_own_to_64():
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)  # as a request's thread gets one
    try:
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -16384
    finally:
        fresh.close()

    bulk.long_job_page_cache()

    assert page_cache() == -bulk.LONG_JOB_CACHE_KIB == -65536


def test_issue19_an_import_runs_with_the_long_jobs_page_cache(users, run):
    assert page_cache() == -16384

    job = run(users["civil1"], corpus.xlsx(corpus.clean_rows(3)))

    assert job.rows_ok == 3
    assert page_cache() == -65536  # the task ran on this connection (the test's)
