"""Issue 19: a list longer than the numbered pages goes on by key, in the browser.

The case list numbers the pages of its first rows (common.pagination.CAP, lowered here to 2);
"Next" on the last numbered page carries the last row's place in the list (?after=) and shows
the rows after it, with the filters kept; "First page" goes back. Selectors are test ids and
hrefs, never translated text.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.transfers.conftest import wage_case
from zhichi.common import pagination

pytestmark = pytest.mark.e2e


def shown_numbers(page: Page) -> list[str]:
    return page.locator('main table a[href^="/cases/"]').all_inner_texts()


def test_issue19_the_case_list_goes_on_past_its_numbered_pages(
    page: Page, law_library, monkeypatch
):
    cases = [wage_case(law_library, consent=False, seq=seq) for seq in ("71", "72", "73")]
    newest_first = [c.number for c in reversed(cases)]
    monkeypatch.setattr(pagination, "CAP", 2)
    log_in(page, "civil1")

    page.goto("/cases/?category=wages")
    expect(page.get_by_test_id("count-capped")).to_be_visible()
    assert shown_numbers(page) == newest_first[:2]

    page.get_by_test_id("next-by-key").click()
    expect(page.get_by_test_id("count-after")).to_be_visible()
    assert "after=" in page.url and "category=wages" in page.url
    assert shown_numbers(page) == newest_first[2:]
    expect(page.locator('a[rel="next"]')).to_have_count(0)  # nothing after the oldest

    page.get_by_test_id("first-page").click()
    expect(page.get_by_test_id("count-capped")).to_be_visible()
    assert "after=" not in page.url and "category=wages" in page.url
    assert shown_numbers(page) == newest_first[:2]
