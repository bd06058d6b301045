"""Issue 19: the pages never count every row of a large table (common.pagination).

The one paginator counts up to CAP + 1 rows, shows a longer list as "more than CAP" with the
pages of its first CAP rows, and no page reads deeper than that.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.test_search import accept, person
from tests.conftest import make_id
from zhichi.cases.models import Case
from zhichi.common import pagination
from zhichi.common.pagination import CappedPaginator


def test_a_list_longer_than_the_cap_is_shown_as_more():
    pages = CappedPaginator(list(range(2500)), 25, cap=1000)
    assert (pages.count, pages.capped, pages.num_pages) == (1000, True, 40)
    assert list(pages.get_page(999).object_list) == list(range(975, 1000))  # the last page


def test_a_list_within_the_cap_is_counted_exactly():
    pages = CappedPaginator(list(range(1000)), 25, cap=1000)
    assert (pages.count, pages.capped, pages.num_pages) == (1000, False, 40)
    assert CappedPaginator([], 25).count == 0


@pytest.mark.django_db
def test_the_count_reads_at_most_the_cap_plus_one_rows(users):
    accept(users, claimants=[person("王建国", make_id(seq="111"))])
    with CaptureQueriesContext(connection) as ctx:
        pages = CappedPaginator(Case.objects.order_by("-id"), 25, cap=7)
        assert pages.count == 1
    (query,) = ctx.captured_queries
    assert "LIMIT 8" in query["sql"].upper()


@pytest.mark.django_db
def test_the_case_list_says_more_than_the_cap(users, web, monkeypatch):
    for seq in ("111", "222", "333"):
        accept(users, claimants=[person("王建国", make_id(seq=seq))])
    monkeypatch.setattr(pagination, "CAP", 2)
    page = web("civil1").get("/cases/")
    assert page.status_code == 200
    assert page.context["paginator"].capped
    assert 'data-testid="count-capped"' in page.content.decode()
    page = web("civil1").get("/cases/", {"page": 5})  # past the cap: the last page it shows
    assert page.context["page_obj"].number == 1


def test_a_count_past_the_cap_is_shown_with_a_plus():
    assert pagination.count_upto(list(range(50)), cap=10) == 11
    assert pagination.shown_count(11, cap=10) == "10+"
    assert pagination.shown_count(10, cap=10) == "10"
    assert pagination.shown_count(1234, cap=5000) == "1,234"
