"""Importing a labour bureau's wage-arrears list in a real browser (C14, U3): upload the file,
check the columns on the preview (correcting one), start, watch the progress reach the result
with its counts, download the rejected rows, and open the leads the import created.

Selectors are ids, names and data- attributes, never translated text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.imports import corpus
from zhichi.imports.models import ImportJob, ImportStatus
from zhichi.intake.models import Lead

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# 工地 is no name a bureau gives the project column: the officer chooses it on the preview
HEADER = [*corpus.HEADER, "工地"]
SITE = "翠湖商业广场工地"


def wage_list() -> bytes:
    rows = [
        [*corpus.worker(1), SITE],
        [*corpus.worker(2, amount="1.2万"), SITE],
        [*corpus.worker(3, name=None), SITE],  # rejected: no name
    ]
    return corpus.xlsx(rows, header=HEADER)


def test_an_officer_imports_a_list_from_upload_to_the_leads_it_created(page: Page, law_library):
    log_in(page, "civil1")
    page.goto("/imports/")
    expect(page.get_by_test_id("import-upload")).to_be_visible()

    page.locator("#id_file").set_input_files(
        {"name": "欠薪名单.xlsx", "mimeType": XLSX, "buffer": wage_list()}
    )
    page.get_by_test_id("import-upload").locator("[type=submit]").click()

    # the columns to confirm: a preview with the identifiers masked, one select per field
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.MAPPING
    preview = page.get_by_test_id("import-preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview).not_to_contain_text(corpus.worker_id(1))  # rule ID-3: masked
    expect(page.locator("#id_mapping_name")).to_have_value(str(corpus.COL["name"]))
    expect(page.locator("#id_mapping_project")).to_have_value("")
    page.locator("#id_mapping_project").select_option(str(len(HEADER) - 1))
    page.get_by_test_id("import-mapping").locator("[type=submit]").click()

    # the progress, then the result with its counts
    page.wait_for_url(f"**/imports/{job.pk}/")
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-status")).to_have_class(re.compile(r"badge-status-done"))
    counts = page.get_by_test_id("import-counts")
    expect(counts.locator('[data-count="rows_ok"]')).to_have_text("2")
    expect(counts.locator('[data-count="rows_failed"]')).to_have_text("1")
    expect(counts.locator('[data-count="leads_created"]')).to_have_text("1")
    expect(page.get_by_test_id("import-failures").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("import-failures").locator("tbody td").first).to_have_text(
        str(corpus.FIRST_ROW + 2)
    )

    # the rejected rows, as an Excel file
    with page.expect_download() as caught:
        page.get_by_test_id("import-error-report").click()
    report = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes())).active
    rejected = list(report.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1 + corpus.COL["id_number"]]) for row in rejected] == [
        (str(corpus.FIRST_ROW + 2), corpus.worker_id(3))
    ]
    assert caught.value.suggested_filename.endswith(".xlsx")

    # the leads it created: one collective lead with the two workers, the project chosen above
    lead = Lead.objects.get()
    assert SITE in lead.summary
    leads = page.get_by_test_id("import-leads").locator("a")
    expect(leads).to_have_count(1)
    expect(leads).to_have_text(lead.receipt_code)
    page.goto(f"/imports/{job.pk}/leads/")
    row = page.locator("table.zc-list-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("2")
    row.locator(f'a[href="/leads/{lead.pk}/"]').click()
    page.wait_for_url(f"**/leads/{lead.pk}/")

    # the history lists it
    page.goto("/imports/")
    expect(
        page.get_by_test_id("import-history").locator(f'a[href="/imports/{job.pk}/"]')
    ).to_have_count(1)


def test_a_running_import_shows_a_progress_bar_that_moves_to_the_result(page: Page, law_library):
    """U3: the page of an import still queued polls (htmx) and shows the result once the worker
    is done, without reloading."""
    users = law_library
    from zhichi.imports import running, services

    job = services.upload_import(actor=users["civil1"], upload=corpus.upload(wage_list()))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)  # not yet taken
    log_in(page, "civil1")
    page.goto(f"/imports/{job.pk}/")
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("import-counts")).to_have_count(0)

    running.run_import(job_id=job.pk)  # what the worker does

    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.locator('[data-count="rows_ok"]')).to_have_text("2")
    expect(page.get_by_test_id("import-error-report")).to_be_visible()
