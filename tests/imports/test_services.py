"""Importing wage-arrears lists (C14): the service end to end on messy files."""

from __future__ import annotations

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
