"""Importing wage-arrears lists (C14): the service end to end on messy files."""

from __future__ import annotations

import re

import pytest

from zhichi.imports import services
from zhichi.imports.models import ImportStatus
from zhichi.intake.models import Lead

from . import corpus

pytestmark = pytest.mark.integration


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(user, bytes) → the import, uploaded, started and run (the task after the commit)."""

    def go(user, data, name="名单.xlsx", mapping=None):
        job = services.upload_import(actor=user, upload=corpus.upload(data, name))
        with django_capture_on_commit_callbacks(execute=True):
            services.start_import(actor=user, job_id=job.pk, mapping=mapping)
        job.refresh_from_db()
        return job

    return go


def test_clean_list_becomes_one_collective_lead_per_employer(users, run):
    rows = corpus.clean_rows(3) + corpus.clean_rows(
        2, employer="昆明物业服务有限公司", code=corpus.CODE_B
    )
    rows[3][2] = corpus.worker_id(50)
    rows[4][2] = corpus.worker_id(51)
    job = run(users["civil1"], corpus.xlsx(rows))
    assert job.status == ImportStatus.DONE
    assert (job.rows_total, job.rows_ok, job.rows_failed, job.leads_created) == (5, 5, 0, 2)
    leads = Lead.objects.filter(source="import").order_by("pk")
    assert [len(lead.claimants) for lead in leads] == [3, 2]


def test_pages_walk_upload_mapping_progress_result(users, web, django_capture_on_commit_callbacks):
    client = web("civil1")
    assert client.get("/imports/").status_code == 200
    answer = client.post(
        "/imports/upload/", {"file": corpus.upload(corpus.xlsx(corpus.clean_rows(3)))}
    )
    assert answer.status_code == 302
    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert "import-mapping" in page.content.decode()
    job_id = int(answer["Location"].rstrip("/").rsplit("/", 1)[1])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/imports/{job_id}/start/",
            {
                "mapping_name": "1",
                "mapping_id_number": "2",
                "mapping_employer": "4",
                "mapping_amount": "6",
                "mapping_credit_code": "5",
                "mapping_phone": "3",
                "mapping_period": "7",
            },
        )
    assert started.status_code == 302
    result = client.get(f"/imports/{job_id}/").content.decode()
    assert 'data-count="rows_ok">3<' in result


def test_the_importer_is_told_when_the_import_is_done_once(users, run):
    from zhichi.accounts.models import Notification
    from zhichi.imports.running import run_import

    rows = corpus.clean_rows(3)
    rows[2][2] = float(rows[2][2][:15])  # an ID number stored as a number: rejected
    job = run(users["civil1"], corpus.xlsx(rows))
    run_import(job_id=job.pk)  # a second run of a finished job tells no one again

    notes = list(Notification.objects.filter(kind="import").values_list("user__username", "url"))
    assert notes == [("civil1", f"/imports/{job.pk}/")]
    job.refresh_from_db()
    assert (job.rows_ok, job.rows_failed, job.leads_created) == (2, 1, 1)
    text = Notification.objects.get(kind="import").text
    assert job.file_name in text
    assert [int(n) for n in re.findall(r"\b\d+\b", text.replace(job.file_name, ""))] == [2, 1, 1]
