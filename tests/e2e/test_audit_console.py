"""The auditor's console in a real browser (rules R5 and R7, docs/audit.md "The auditor's console").

The auditor signs in, filters the audit trail down to one officer, opens the whole history of a
case from one of its entries, verifies the chain from the list's button, and downloads the
filtered trail as CSV. Every one of those readings is itself in the trail.

Selectors are ids, names, form actions and data attributes, never translated text.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record

pytestmark = pytest.mark.e2e


@pytest.fixture
def entries(e2e_users) -> dict[str, AuditEntry]:
    users = e2e_users
    case = {"object_type": "cases.case", "object_id": 7}
    return {
        "open": record(action="case.open", actor=users["civil1"], **case),
        "accept": record(action="lead.accept", actor=users["criminal1"], object_id=3),
        "pay": record(
            action="case.payment", actor=users["civil1"], detail={"amount": "1200.00"}, **case
        ),
        "unmask": record(action="case.unmask", actor=users["hrss1"], outcome="denied", **case),
    }


def actions(page: Page) -> list[str]:
    rows = page.locator("#audit-entries tbody tr")
    return [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]


def test_the_auditor_filters_the_trail_opens_a_history_verifies_and_exports(page: Page, entries):
    log_in(page, "auditor")
    page.goto("/audit/")
    expect(page.locator("#audit-entries")).to_be_visible()

    # filter: one officer's entries
    page.locator("#id_user").fill("civil1")
    page.locator("#id_action").fill("case.")
    page.locator("form.zc-filterbar [type=submit]").click()
    page.wait_for_url(re.compile(r"/audit/\?.*user=civil1"))
    expect(page.locator("#audit-entries tbody tr")).to_have_count(2)
    assert actions(page) == ["case.payment", "case.open"]  # newest first
    expect(page.locator(f'tr[data-entry="{entries["pay"].pk}"] dd')).to_have_text("1200.00")

    # the case's whole history, oldest first, whoever wrote it
    page.locator(f'tr[data-entry="{entries["open"].pk}"] a.audit-object').click()
    page.wait_for_url(re.compile(r"/audit/object/cases\.case/7/$"))
    assert actions(page) == ["case.open", "case.payment", "case.unmask"]
    expect(page.locator('tr[data-outcome="denied"]')).to_have_count(1)

    # verification from the list's button
    page.locator('nav[aria-label] a[href="/audit/"]').first.click()
    page.wait_for_url(re.compile(r"/audit/$"))
    page.locator("#verify-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/audit/verify/$"))
    expect(page.locator("#verify-result")).to_have_attribute("data-intact", "true")
    expect(page.locator("#verify-intact")).to_be_visible()
    checked = int(page.locator("#verify-checked").inner_text())
    assert checked >= len(entries)

    # the filtered trail as CSV
    page.goto("/audit/?user=civil1")
    with page.expect_download() as caught:
        page.locator("#export-csv").click()
    download = caught.value
    assert re.fullmatch(r"audit-trail-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert sorted(int(row[0]) for row in rows) == sorted([entries["open"].pk, entries["pay"].pk])
    assert {row[2] for row in rows} == {"civil1"}

    # every reading above is in the trail, as the auditor's
    mine = AuditEntry.objects.filter(username="auditor", action__startswith="audit.")
    assert [e.action for e in mine.order_by("id")] == [
        "audit.view",  # the whole trail
        "audit.view",  # filtered
        "audit.view",  # the history
        "audit.view",  # the trail again
        "audit.verify",
        "audit.view",  # filtered for the export
        "audit.export",
    ]
    assert mine.get(action="audit.export").detail["filters"] == {"user": "civil1"}
    assert mine.get(action="audit.verify").detail["intact"] is True
