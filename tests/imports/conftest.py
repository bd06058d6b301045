"""Fixtures of the import tests: a private store per test, and a way to run an import end to end."""

from __future__ import annotations

import pytest

from zhichi.imports import services
from zhichi.imports.models import ImportFailure

from . import corpus


@pytest.fixture
def import_store(settings, tmp_path):
    """Each test keeps its uploaded lists in its own directory, so "nothing stored" can be
    checked (the lists are kept in the evidence store)."""
    path = tmp_path / "store"
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_DIR": path, "EVIDENCE_STORAGE": "filesystem"}
    return path


def stored_files(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.fixture
def run(django_capture_on_commit_callbacks, import_store):
    """run(user, bytes) → the import, uploaded, started and run (the task after the commit)."""

    def go(user, data, name="名单.xlsx", mapping=None, **upload_options):
        job = services.upload_import(actor=user, upload=corpus.upload(data, name), **upload_options)
        with django_capture_on_commit_callbacks(execute=True):
            services.start_import(actor=user, job_id=job.pk, mapping=mapping)
        job.refresh_from_db()
        return job

    return go


def failures(job) -> list[tuple[int, str, str, int | None]]:
    """(row, field, code, other row) of each problem of the import's rejected rows."""
    return list(
        ImportFailure.objects.filter(job=job)
        .order_by("row", "id")
        .values_list("row", "field", "code", "other_row")
    )


def counts(job) -> tuple[int, int, int]:
    """(rows_total, rows_ok, rows_failed), after checking every row is counted once."""
    assert job.rows_total == job.rows_ok + job.rows_failed
    return job.rows_total, job.rows_ok, job.rows_failed
