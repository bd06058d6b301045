"""The law calculators in a real browser: civil1 opens them from the left navigation and computes
an appeal deadline (TL-4), capital numerals (DOC-2) and a Yunnan criminal lead (CR-4), each result
arriving through htmx into its own card without reloading the page.

Selectors are ids, names, data- attributes and href patterns, never translated text.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, reseed_law_library
from zhichi.rulebook.models import CriminalThreshold, HolidayYear
from zhichi.rulebook.words import VERDICT_NAMES as VERDICTS

pytestmark = pytest.mark.e2e

CALCULATORS = "/tools/calculators/"


@pytest.fixture
def law_library(e2e_users):
    """The seeded configuration (migration rulebook 0002). A browser test runs in a flushed
    database once an earlier transactional test has run, so put the seed back when it is gone."""
    reseed_law_library()
    assert HolidayYear.objects.filter(year=2026).exists()
    assert CriminalThreshold.objects.filter(province="00").exists()
    assert not CriminalThreshold.objects.filter(province="53").exists()
    return e2e_users


def log_in(page: Page, username: str = "civil1") -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def open_calculators(page: Page) -> None:
    page.locator(
        f'nav.zc-sidebar [aria-labelledby="nav-group-tools"] a[href="{CALCULATORS}"]'
    ).click()
    page.wait_for_url(re.compile(re.escape(CALCULATORS) + "$"))
    expect(page.locator(f'nav.zc-sidebar a[href="{CALCULATORS}"]')).to_have_attribute(
        "aria-current", "page"
    )


def card(page: Page, name: str):
    return page.locator(f"#calc-{name}")


def submit(page: Page, name: str) -> None:
    card(page, name).locator("form button[type=submit]").click()


def verdict_label(verdict: str) -> str:
    with translation.override("zh-hans"):
        return str(VERDICTS[verdict])


def test_civil1_computes_deadline_capital_numerals_and_yunnan_lead_without_reloading(
    page: Page, law_library
):
    log_in(page)
    open_calculators(page)
    url = page.url
    # a full page load would drop this marker
    page.evaluate("window.__zhichiNoReload = 'still here'")

    def assert_no_reload() -> None:
        assert page.url == url
        assert page.evaluate("window.__zhichiNoReload") == "still here"

    # rule TL-4: appeal from a judgment served 2026-02-05, rolled past the Spring Festival
    deadline = card(page, "deadline")
    deadline.locator("select[name=kind]").select_option("appeal_judgment")
    deadline.locator("input[name=start]").fill("2026-02-05")
    submit(page, "deadline")
    expect(deadline.locator("[data-testid=due]")).to_have_text("2026-02-24")
    expect(deadline.locator("[data-testid=result-deadline]")).to_contain_text("TL-4")
    expect(deadline.locator("[data-testid=result-deadline]")).to_contain_text("2026-02-20")
    assert_no_reload()

    # rule DOC-2: capital numerals
    capital = card(page, "capital")
    capital.locator("input[name=amount]").fill("1680.32")
    submit(page, "capital")
    expect(capital.locator("[data-testid=capital]")).to_have_text("人民币壹仟陆佰捌拾元零叁角贰分")
    assert_no_reload()
    # the deadline card kept its input and its result
    expect(deadline.locator("input[name=start]")).to_have_value("2026-02-05")
    expect(deadline.locator("select[name=kind]")).to_have_value("appeal_judgment")
    expect(deadline.locator("[data-testid=due]")).to_have_text("2026-02-24")

    # rule CR-4: Yunnan's figure is not entered; 12,000 yuan over 4 months lies in 5k–20k
    criminal = card(page, "criminal")
    criminal.locator("select[name=province]").select_option("53")
    criminal.locator("input[name=as_of]").fill("2026-11-20")
    criminal.locator("textarea[name=workers]").fill("12000 4")
    submit(page, "criminal")
    expect(criminal.locator("[data-testid=verdict]")).to_have_text(
        verdict_label("depends_on_province_config")
    )
    expect(criminal.locator("[data-testid=result-criminal]")).to_contain_text("CR-4")
    expect(criminal.locator("[data-testid=result-criminal]")).to_contain_text("单个劳动者标准")
    assert_no_reload()
    # the other cards kept their inputs and results
    expect(capital.locator("input[name=amount]")).to_have_value("1680.32")
    expect(capital.locator("[data-testid=capital]")).to_have_text("人民币壹仟陆佰捌拾元零叁角贰分")
    expect(deadline.locator("input[name=start]")).to_have_value("2026-02-05")
    # and the calculator just used still shows what was typed
    expect(criminal.locator("textarea[name=workers]")).to_have_value("12000 4")
    expect(criminal.locator("select[name=province]")).to_have_value("53")


def test_a_bad_amount_shows_the_error_at_the_field_through_htmx(
    page: Page, law_library, browser_errors
):
    # the calculator answers HTTP 422 by design; Chromium logs that as a failed resource load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page)
    page.goto(CALCULATORS)
    url = page.url
    page.evaluate("window.__zhichiNoReload = 'still here'")
    deadline = card(page, "deadline")
    deadline.locator("input[name=start]").fill("2026-02-05")

    capital = card(page, "capital")
    capital.locator("input[name=amount]").fill("-1")
    submit(page, "capital")

    expect(capital.locator("#id_capital_amount_error")).to_be_visible()
    expect(capital.locator("input[name=amount]")).to_have_attribute("aria-invalid", "true")
    expect(capital.locator("input[name=amount]")).to_have_value("-1")
    assert page.url == url
    assert page.evaluate("window.__zhichiNoReload") == "still here"
    expect(deadline.locator("input[name=start]")).to_have_value("2026-02-05")
