"""Issue 15 items 1 and 2 in a real browser: the dashboard's figures and charts (C13).

The officer opens the dashboard: the headline card shows the year's figures, the charts are drawn
(ECharts, SVG), a filter changes them, and a figure opens the list of the cases it counts.
Selectors are names, ids and data- attributes, never translated text.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.cases.ledger_cases import party_ids, pay, three_worker_case
from tests.e2e.conftest import ARTIFACTS, log_in


@pytest.fixture
def cases(e2e_users):
    officer = e2e_users["civil1"]
    made = [three_worker_case(officer, seq=seq) for seq in (710, 720)]
    pay(made[0], officer, party_ids(made[0])[0], "5000")
    return made


def test_issue15_the_dashboard_draws_its_charts_and_a_figure_lists_its_cases(
    page: Page, cases, e2e_users
):
    log_in(page, "civil1")
    page.goto("/stats/")

    accepted = page.locator('[data-figure="cases_accepted"] .zc-stat-value')
    expect(accepted).to_have_text("2")
    expect(page.locator('[data-figure="amount_recovered"] .zc-stat-value')).to_have_text(
        "¥5,000.00"
    )
    for by in ("month", "stage", "category", "level", "source"):
        chart = page.locator(f'[data-chart="{by}"]')
        expect(chart).to_have_attribute("data-chart-ready", "true")
        expect(chart.locator("svg")).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats-dashboard.png"), full_page=True)

    # a month with nothing in it: the figures change with the filter
    page.locator("#id_period").select_option("month")
    page.locator("#id_on").fill("2026-01-15")
    page.locator("form.zc-filterbar [type=submit]").click()
    expect(accepted).to_have_text("0")
    expect(page.locator('[data-chart="stage"]')).to_have_attribute("data-chart-ready", "true")

    # back to the year: the figure opens exactly the cases it counts
    page.goto("/stats/")
    page.locator('[data-figure="cases_accepted"]').click()
    expect(page.locator('table[data-rows="case"] tbody tr')).to_have_count(2)
    for case in cases:
        expect(page.locator(f'a[href="/cases/{case.pk}/"]')).to_have_count(1)
