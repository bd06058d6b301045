"""The Excel export of a list in a browser: the button on the case list carries the filters on
screen and the file downloads at once; a large export goes to its page, whose progress bar polls
(htmx) until the file is written, then offers the download."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.employers.conftest import OTHER_EMPLOYER, open_case
from zhichi.stats import exports_build
from zhichi.stats.models import ListExport

pytestmark = pytest.mark.e2e


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def rows_of(path: str) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes())).active
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=1, column=1).value == zh(gettext_lazy("Case number"))
    return list(ws.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def three_cases(law_library):
    users = law_library
    wages = [open_case(users, seq=100), open_case(users, seq=200)]
    open_case(users, seq=300, code=OTHER_EMPLOYER, name="某餐饮公司", category="work_injury")
    return wages


def test_the_case_list_exports_the_filtered_cases(page: Page, three_cases):
    log_in(page, "civil1")
    page.goto("/cases/")
    page.locator("#id_category").select_option("wages")
    page.locator("form.zc-filterbar [type=submit]").click()
    page.wait_for_url("**/cases/?*category=wages*")
    expect(page.locator("table.zc-list-table tbody tr")).to_have_count(2)
    with page.expect_download() as caught:
        page.get_by_test_id("export-button").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    numbers = [row[0] for row in rows_of(caught.value.path())]
    assert sorted(numbers) == sorted(c.number for c in three_cases)


def test_a_large_export_shows_its_progress_and_then_the_download(page: Page, three_cases):
    users = {c.officer.username: c.officer for c in three_cases}
    # queued as the button queues a large list, not yet taken by a worker
    export = ListExport.objects.create(
        list_name="cases", filters={"category": ["wages"]}, requested_by=users["civil1"]
    )
    log_in(page, "civil1")
    page.goto(f"/exports/{export.pk}/")
    box = page.locator("#export-progress")
    expect(box.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", "0")
    expect(box.get_by_test_id("export-download")).to_have_count(0)

    exports_build.build(export.pk)  # what the worker does

    expect(box.get_by_test_id("export-status")).to_have_text(zh(gettext_lazy("Ready")))
    expect(box.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as caught:
        box.get_by_test_id("export-download").click()
    assert len(rows_of(caught.value.path())) == 2
