"""Rule R9: an import stopped half-way (a crash, SIGKILL, a restart) resumes from its last
committed batch and ends with every row counted exactly once: no row lost, none doubled, no
partial batch. ``resume_stalled`` queues again the imports whose worker stopped."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from zhichi.audit.models import AuditEntry
from zhichi.cases.models import PartyRole
from zhichi.evidence.storage import evidence_storage
from zhichi.imports import running, services
from zhichi.imports.models import ImportedRow, ImportFailure, ImportJob, ImportStatus
from zhichi.intake import imported
from zhichi.intake.models import Lead, LeadParty

from . import corpus
from .conftest import counts

ROOT = Path(__file__).resolve().parents[2]
CODE_C = corpus.make_credit_code("91530104MA6K2P3Q2")


def three_employers() -> list[list]:
    """Sheet rows 5-11: employer A's two workers, B's two, a rejected row, C's two."""
    return [
        corpus.worker(1),
        corpus.worker(2),
        corpus.worker(3, employer="乙公司", credit_code=corpus.CODE_B),
        corpus.worker(4, employer="乙公司", credit_code=corpus.CODE_B),
        corpus.worker(5, name=None),
        corpus.worker(6, employer="丙公司", credit_code=CODE_C),
        corpus.worker(7, employer="丙公司", credit_code=CODE_C),
    ]


@pytest.fixture
def queued(users, import_store):
    """An import of three_employers(), its columns confirmed and queued (not yet run)."""
    job = services.upload_import(
        actor=users["civil1"], upload=corpus.upload(corpus.xlsx(three_employers()))
    )
    services.start_import(actor=users["civil1"], job_id=job.pk)  # the task waits for the commit
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    return job


@pytest.fixture
def crash_on_second_batch(monkeypatch):
    """The second call of file_imported_leads dies (the worker killed inside a batch)."""
    real = imported.file_imported_leads
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(imported, "file_imported_leads", flaky)
    return calls


def claimant_rows(job) -> list[int]:
    return list(
        LeadParty.objects.filter(lead__in=job.leads.all(), role=PartyRole.CLAIMANT)
        .order_by("party_id")
        .values_list("party_id", flat=True)
    )


@pytest.mark.integration
def test_r9_a_crash_inside_a_batch_keeps_the_batches_before_it(
    queued, settings, crash_on_second_batch
):
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_BATCH_ROWS": 2}

    with pytest.raises(RuntimeError, match="worker killed"):
        services.run_import(job_id=queued.pk)

    job = ImportJob.objects.get(pk=queued.pk)
    assert job.status == ImportStatus.FAILED
    assert (job.units_total, job.units_done, job.rows_total) == (4, 1, 7)
    assert (job.rows_ok, job.rows_failed, job.leads_created) == (2, 0, 1)
    assert ImportedRow.objects.filter(job=job).count() == 2
    assert len(claimant_rows(job)) == 2
    assert Lead.objects.count() == 1  # employer B's lead died with its batch
    entry = AuditEntry.objects.filter(action="import.run").order_by("-id").first()
    assert (entry.outcome, entry.detail) == ("failed", {"error": "worker killed"})


@pytest.mark.integration
@pytest.mark.parametrize(
    "batch_after", [2, 3, 1000], ids=["same-batches", "cut-differently", "one-batch"]
)
def test_r9_resumed_import_ends_with_exact_counts_and_nothing_doubled(
    queued, settings, crash_on_second_batch, batch_after
):
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_BATCH_ROWS": 2}
    with pytest.raises(RuntimeError):
        services.run_import(job_id=queued.pk)
    ImportJob.objects.filter(pk=queued.pk).update(status=ImportStatus.RUNNING)
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_BATCH_ROWS": batch_after}

    job = services.run_import(job_id=queued.pk)

    assert job.status == ImportStatus.DONE
    assert counts(job) == (7, 6, 1)
    assert (job.rows_already, job.leads_created, job.units_done, job.progress) == (0, 3, 4, 100)
    assert job.leads.count() == Lead.objects.count() == 3
    assert ImportedRow.objects.filter(job=job).count() == 6
    parties = claimant_rows(job)
    assert len(parties) == len(set(parties)) == 6
    assert list(ImportFailure.objects.filter(job=job).values_list("row", "code")) == [
        (corpus.FIRST_ROW + 4, "required")
    ]
    assert job.report_name != ""


@pytest.mark.integration
def test_r9_running_a_finished_import_again_changes_nothing(queued):
    first = services.run_import(job_id=queued.pk)
    before = (Lead.objects.count(), ImportedRow.objects.count(), ImportFailure.objects.count())

    again = services.run_import(job_id=queued.pk)

    assert first.status == again.status == ImportStatus.DONE
    assert counts(again) == counts(first) == (7, 6, 1)
    assert (
        Lead.objects.count(),
        ImportedRow.objects.count(),
        ImportFailure.objects.count(),
    ) == before


@pytest.mark.integration
def test_r9_a_batch_another_worker_wrote_is_not_written_again(
    queued, settings, crash_on_second_batch
):
    """Two workers on one import (queued again while the first still ran): a batch is written
    only by the worker whose cursor is where the batch starts."""
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_BATCH_ROWS": 2}
    with pytest.raises(RuntimeError):
        services.run_import(job_id=queued.pk)
    ImportJob.objects.filter(pk=queued.pk).update(status=ImportStatus.RUNNING)
    job = ImportJob.objects.get(pk=queued.pk)
    plan = running.make_plan(job, evidence_storage().open(job.source_name, "rb").read())
    before = (Lead.objects.count(), ImportedRow.objects.count(), job.rows_ok, job.units_done)

    written = running._write_batch(job, 0, plan.units[:1], actor=job.created_by)

    job.refresh_from_db()
    assert written is False
    assert (
        Lead.objects.count(),
        ImportedRow.objects.count(),
        job.rows_ok,
        job.units_done,
    ) == before


# --- resume_stalled --------------------------------------------------------------------------------
@pytest.mark.integration
def test_resume_stalled_queues_again_an_import_whose_worker_stopped(
    queued, settings, django_capture_on_commit_callbacks
):
    stale = settings.ZHICHI["IMPORT_STALE_SECONDS"]
    now = timezone.now()
    ImportJob.objects.filter(pk=queued.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=now - timedelta(seconds=stale + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.resume_stalled(now=now)

    assert resumed == [queued.pk]
    job = ImportJob.objects.get(pk=queued.pk)
    assert job.status == ImportStatus.DONE  # the task ran after the commit
    assert counts(job) == (7, 6, 1)
    entry = AuditEntry.objects.filter(action="import.resume").get()
    assert (entry.object_id, entry.detail) == (str(queued.pk), {"units_done": 0})


@pytest.mark.integration
def test_resume_stalled_leaves_a_live_import_and_finished_ones_alone(
    users, queued, settings, django_capture_on_commit_callbacks
):
    stale = settings.ZHICHI["IMPORT_STALE_SECONDS"]
    now = timezone.now()
    old = now - timedelta(seconds=stale * 10)
    ImportJob.objects.filter(pk=queued.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=now - timedelta(seconds=stale - 1)
    )
    others = []
    for status in (ImportStatus.MAPPING, ImportStatus.DONE, ImportStatus.FAILED):
        job = services.upload_import(
            actor=users["civil1"], upload=corpus.upload(corpus.xlsx(corpus.clean_rows(1)))
        )
        ImportJob.objects.filter(pk=job.pk).update(status=status, heartbeat_at=old)
        others.append(job.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resumed = services.resume_stalled(now=now)

    assert (resumed, callbacks) == ([], [])
    assert ImportJob.objects.get(pk=queued.pk).units_done == 0
    assert sorted(
        ImportJob.objects.filter(pk__in=others).values_list("status", flat=True)
    ) == sorted([ImportStatus.MAPPING, ImportStatus.DONE, ImportStatus.FAILED])
    assert not AuditEntry.objects.filter(action="import.resume").exists()


@pytest.mark.integration
def test_resume_stalled_takes_a_queued_import_that_never_started(
    queued, settings, django_capture_on_commit_callbacks
):
    stale = settings.ZHICHI["IMPORT_STALE_SECONDS"]
    now = timezone.now()
    ImportJob.objects.filter(pk=queued.pk).update(heartbeat_at=now - timedelta(seconds=stale + 1))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resumed = services.resume_stalled(now=now)

    assert resumed == [queued.pk]
    assert [c.__qualname__ for c in callbacks if "_enqueue" in c.__qualname__] == [
        "_enqueue.<locals>.<lambda>"
    ]
    assert ImportJob.objects.get(pk=queued.pk).heartbeat_at == now


# --- SIGKILL (rule R9 as QUALITY.md measures it) ----------------------------------------------------
KILL_ROWS = int(os.environ.get("ZHICHI_KILL_ROWS", "10000"))
KILL_POINTS = int(os.environ.get("ZHICHI_KILL_POINTS", "3"))
# small enough batches that every kill lands before the last one (20 batches per kill point)
KILL_BATCH = os.environ.get("ZHICHI_KILL_BATCH_ROWS", str(max(1, KILL_ROWS // (KILL_POINTS * 20))))


def _worker(database: str, job_id: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ZHICHI_IMPORT_BATCH_ROWS": KILL_BATCH,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.imports.resume_worker", database, str(job_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _units_done(job_id: int) -> tuple[int, str]:
    return ImportJob.objects.filter(pk=job_id).values_list("units_done", "status").get()


def _kill_after_progress(process: subprocess.Popen, job_id: int, rng: random.Random) -> bool:
    """SIGKILL the worker at a random moment after its cursor has moved once more; False when it
    finished first."""
    start, _status = _units_done(job_id)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        done, _status = _units_done(job_id)
        if done > start:
            time.sleep(rng.uniform(0, 0.03))  # somewhere inside the next batch (or after it)
            if process.poll() is not None:
                return False
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            return True
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the import made no progress in 120 s")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_r9_import_killed_with_sigkill_at_random_points_resumes_exactly(users, tmp_path):
    """A generated 10,000-row messy list (bench.wagelists), imported by a worker process that is
    killed with SIGKILL (ZHICHI_KILL_POINTS times, 3 by default; 50 for QUALITY.md R9) just after
    a batch commits or in the middle of the next, and run again each time: it ends with every
    row counted once, the manifest's counts, and no ImportedRow, claimant or failure doubled."""
    from bench.wagelists import write_wagelist

    manifest = write_wagelist(tmp_path / "名单.xlsx", rows=KILL_ROWS, seed=20261204)
    data = (tmp_path / "名单.xlsx").read_bytes()
    job = services.upload_import(actor=users["civil1"], upload=corpus.upload(data, "名单.xlsx"))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    database = connection.settings_dict["NAME"]
    rng = random.Random(KILL_ROWS * 1000 + KILL_POINTS)

    kills = 0
    while kills < KILL_POINTS:
        process = _worker(database, job.pk)
        killed = _kill_after_progress(process, job.pk, rng)
        assert killed, process.stderr.read().decode()[-3000:]  # the worker ended before its kill
        kills += 1
        if _units_done(job.pk)[1] == ImportStatus.DONE:
            break  # killed after its last commit: nothing left to resume
    final = _worker(database, job.pk)
    _out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()[-3000:]

    job.refresh_from_db()
    assert kills == KILL_POINTS
    assert job.status == ImportStatus.DONE
    assert counts(job) == (manifest.rows, manifest.expected_ok, manifest.expected_failed)
    assert job.rows_already == 0
    assert job.units_done == job.units_total
    assert ImportedRow.objects.filter(job=job).count() == job.rows_ok - job.rows_already
    parties = claimant_rows(job)
    assert len(parties) == len(set(parties)) == job.rows_ok - job.rows_already
    assert job.leads.count() == job.leads_created == Lead.objects.count()
    problems = Counter(ImportFailure.objects.filter(job=job).values_list("row", "field", "code"))
    assert [p for p, n in problems.items() if n > 1] == []
    assert len({row for row, _f, _c in problems}) == job.rows_failed
