"""The import pages (C14, U3): the columns to confirm with a masked preview, the progress and
the result, what a receiving officer sees of a partner's import, the lists' query counts, and the
files kept only for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput
from zhichi.imports import services
from zhichi.imports.models import ImportJob, ImportStatus

from . import corpus
from .conftest import counts, stored_files

pytestmark = pytest.mark.integration

START = {
    "mapping_name": "1",
    "mapping_id_number": "2",
    "mapping_phone": "3",
    "mapping_employer": "4",
    "mapping_credit_code": "5",
    "mapping_amount": "6",
    "mapping_period": "7",
}


def messy() -> bytes:
    return corpus.xlsx([corpus.worker(1), corpus.worker(2, name=None), corpus.worker(3)])


def uploaded(user, data: bytes | None = None) -> ImportJob:
    return services.upload_import(actor=user, upload=corpus.upload(data or messy()))


def test_the_columns_page_previews_the_rows_with_identifiers_masked(users, web, import_store):
    job = uploaded(users["civil1"])

    page = web("civil1").get(f"/imports/{job.pk}/").content.decode()

    assert 'data-testid="import-mapping"' in page
    assert corpus.worker_id(1) not in page  # rule ID-3
    assert corpus.worker_id(1)[:6] in page
    assert "13800130001" not in page
    assert '<option value="1" selected>' in page  # the name column found


def test_a_colleague_confirms_the_columns_and_the_import_runs(
    users, web, import_store, django_capture_on_commit_callbacks
):
    job = uploaded(users["civil1"])

    with django_capture_on_commit_callbacks(execute=True):
        r = web("civil2").post(f"/imports/{job.pk}/start/", START)

    assert (r.status_code, r["Location"]) == (302, f"/imports/{job.pk}/")
    job.refresh_from_db()
    assert (job.status, counts(job)) == (ImportStatus.DONE, (3, 2, 1))
    entry = AuditEntry.objects.filter(action="import.start").get()
    assert (entry.username, entry.detail["mapping"]["name"]) == ("civil2", 1)


def test_columns_without_a_required_field_are_422_on_the_columns_page(users, web, import_store):
    job = uploaded(users["civil1"])

    r = web("civil1").post(f"/imports/{job.pk}/start/", {**START, "mapping_amount": ""})

    assert r.status_code == 422
    assert 'data-testid="import-mapping"' in r.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


def test_an_import_is_started_once(users, web, import_store, django_capture_on_commit_callbacks):
    job = uploaded(users["civil1"])
    with django_capture_on_commit_callbacks(execute=True):
        web("civil1").post(f"/imports/{job.pk}/start/", START)

    with pytest.raises(InvalidInput) as caught:
        services.start_import(actor=users["civil1"], job_id=job.pk)
    again = web("civil1").post(f"/imports/{job.pk}/start/", START)

    assert [(e.field, e.code) for e in caught.value.errors] == [("status", "already_started")]
    assert (again.status_code, again["Location"]) == (
        302,
        f"/imports/{job.pk}/",
    )  # with the message
    job.refresh_from_db()
    assert (job.status, job.leads_created) == (ImportStatus.DONE, 1)


def test_the_progress_partial_polls_while_queued_and_stops_when_done(users, web, import_store):
    job = uploaded(users["civil1"])
    services.start_import(actor=users["civil1"], job_id=job.pk)  # queued: the task waits
    client = web("civil1")

    queued = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    services.run_import(job_id=job.pk)
    done = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in queued
    assert 'aria-valuenow="0"' in queued
    assert "<html" not in queued  # the partial alone
    assert 'hx-trigger="every 1s"' not in done
    assert 'aria-valuenow="100"' in done
    assert 'data-count="rows_ok">2<' in done


def test_the_receiving_officer_sees_a_partners_import_without_its_rejected_rows(users, web, run):
    job = run(users["hrss1"], messy())

    officer = web("civil1").get(f"/imports/{job.pk}/").content.decode()
    partner = web("hrss1").get(f"/imports/{job.pk}/").content.decode()

    assert 'data-count="rows_failed">1<' in officer
    assert 'data-testid="import-failures"' not in officer
    assert 'data-testid="import-error-report"' not in officer
    assert 'data-testid="import-failures"' in partner
    assert f'href="/imports/{job.pk}/errors.xlsx"' in partner


def test_the_leads_page_lists_the_leads_the_import_created(users, web, run):
    job = run(users["civil1"], messy())
    lead = job.leads.get()

    page = web("civil1").get(f"/imports/{job.pk}/leads/").content.decode()

    assert f'href="/leads/{lead.pk}/"' in page
    assert lead.receipt_code in page


# --- query counts (ARCHITECTURE: 1 item and 3 items give the same count) ---------------------------
def _queries(get) -> int:
    get()  # warm up (sessions, tokens, caches)
    with CaptureQueriesContext(connection) as captured:
        assert get().status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path", ["/imports/", "/api/v1/imports", "/imports/{job}/leads/"], ids=["page", "api", "leads"]
)
def test_list_query_count_does_not_grow_with_items(users, web, api, run, path):
    def get():
        url = path.format(job=first.pk)
        if url.startswith("/api/"):
            return api("civil1").get(url)
        return web("civil1").get(url)

    first = run(users["civil1"], corpus.xlsx(corpus.clean_rows(1)))
    one = _queries(get)
    employers = [
        ("乙公司", corpus.CODE_B),
        ("丙公司", corpus.make_credit_code("91530104MA6K2P3Q2")),
    ]
    more = [corpus.worker(n, employer=e, credit_code=c) for n, (e, c) in enumerate(employers, 2)]
    if "leads" in path:  # the same import with two more employers' leads
        first = run(users["civil1"], corpus.xlsx([*corpus.clean_rows(1), *more]))
    else:
        run(users["civil1"], corpus.xlsx([corpus.worker(7)]))
        run(users["civil1"], corpus.xlsx([corpus.worker(8)]))

    three = _queries(get)

    assert three == one


# --- the files are kept only for a while -----------------------------------------------------------
def test_purge_deletes_an_old_imports_files_and_keeps_its_counts(
    users, run, settings, import_store, web, django_capture_on_commit_callbacks
):
    job = run(users["civil1"], messy())
    assert len(stored_files(import_store)) == 2  # the list and its error report
    later = timezone.now() + timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"] + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_expired(now=later) == 1

    job.refresh_from_db()
    assert (job.source_name, job.report_name) == ("", "")
    assert stored_files(import_store) == []
    assert counts(job) == (3, 2, 1)
    assert AuditEntry.objects.filter(action="import.expire").count() == 1
    assert web("civil1").get(f"/imports/{job.pk}/").status_code == 200
    assert web("civil1").get(f"/imports/{job.pk}/errors.xlsx").status_code == 404


def test_purge_leaves_recent_and_running_imports_alone(users, run, settings, import_store):
    job = run(users["civil1"], messy())
    running = uploaded(users["civil1"])
    ImportJob.objects.filter(pk=running.pk).update(status=ImportStatus.RUNNING)
    soon = timezone.now() + timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"] - 1)
    later = timezone.now() + timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"] + 1)

    assert services.purge_expired(now=soon) == 0
    assert services.purge_expired(now=later) == 1

    job.refresh_from_db()
    running.refresh_from_db()
    assert (job.source_name, job.report_name) == ("", "")
    assert running.source_name != ""


def test_an_expired_import_still_waiting_for_its_columns_shows_a_page_not_an_error(
    users, web, settings, import_store
):
    job = uploaded(users["civil1"])
    later = timezone.now() + timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"] + 1)
    assert services.purge_expired(now=later) == 1
    client = web("civil1")
    client.raise_request_exception = False

    page = client.get(f"/imports/{job.pk}/")
    start = client.post(f"/imports/{job.pk}/start/", START)

    assert page.status_code == 200
    assert start.status_code == 422
