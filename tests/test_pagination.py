"""Issue 19: the pages never count every row of a large table, and page by key past the
numbered pages (common.pagination).

The one paginator counts up to CAP + 1 rows, shows a longer list as "more than CAP" with
numbered pages over its first CAP rows; "Next" on the last of them goes on by key (?after=),
reading from the list's order however deep it is, and reaching every row exactly once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.test_search import accept, person
from tests.conftest import make_id
from zhichi.accounts.models import Notification
from zhichi.cases.models import Case
from zhichi.common import pagination
from zhichi.common.pagination import CappedPaginator, order_keys, paginate


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


@pytest.mark.django_db
def test_the_case_list_goes_on_by_key_past_the_cap(users, web, monkeypatch):
    numbers = []
    for seq in ("111", "222", "333"):
        numbers.append(accept(users, claimants=[person("王建国", make_id(seq=seq))]).number)
    monkeypatch.setattr(pagination, "CAP", 2)
    first = web("civil1").get("/cases/", {"stage": "review"})
    cursor = first.context["page_obj"].next_cursor
    html = first.content.decode()
    assert cursor and 'data-testid="next-by-key"' in html
    assert f"after={cursor}" in html and "stage=review" in html  # the filters stay

    after = web("civil1").get("/cases/", {"stage": "review", "after": cursor})

    assert after.status_code == 200
    assert [c.number for c in after.context["page_obj"]] == [
        numbers[0]
    ]  # the oldest, after the newest two
    body = after.content.decode()
    assert 'data-testid="count-after"' in body and 'data-testid="first-page"' in body
    assert after.context["page_obj"].next_cursor is None


@pytest.mark.django_db
def test_a_cursor_that_is_not_the_lists_gives_the_first_page(users, web):
    accept(users, claimants=[person("王建国", make_id(seq="111"))])
    for bad in ("x", "W10", "WyJub3QgYSBkYXRlIiwxXQ", "e30"):
        page = web("civil1").get("/cases/", {"after": bad})
        assert page.status_code == 200
        assert page.context["page_obj"].number == 1, bad


def test_only_plain_columns_order_a_list_by_key():
    assert [(k.name, k.descending) for k in order_keys(Case.objects.all())] == [
        ("opened_on", True),
        ("id", True),
    ]
    assert [k.name for k in order_keys(Case.objects.order_by("number"))] == ["number", "id"]
    assert order_keys(Case.objects.order_by("closed_on")) is None  # nullable
    assert order_keys(Case.objects.order_by("officer__username")) is None  # related
    assert order_keys(list(range(3))) is None


TIMES = st.lists(st.integers(min_value=0, max_value=4), min_size=0, max_size=23)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minutes=TIMES, per_page=st.integers(1, 5), cap=st.integers(1, 12))
@pytest.mark.django_db
def test_property_numbered_then_keyed_pages_show_every_row_once_in_order(
    users, minutes, per_page, cap
):
    """Whatever the ties in the order's first column, the page size and the cap: the numbered
    pages and then the pages by key show every row exactly once, in the list's order."""
    Notification.objects.all().delete()
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user=users["civil1"], kind="t", text=str(i), created_at=now - timedelta(minutes=m)
        )
        for i, m in enumerate(minutes)
    )
    rows = Notification.objects.filter(user=users["civil1"])
    expected = list(rows.order_by("-created_at", "-id").values_list("pk", flat=True))
    factory = RequestFactory()
    seen, page_no = [], 1
    while True:
        page = paginate(factory.get("/", {"page": page_no}), rows, per_page, cap=cap)
        seen += [n.pk for n in page]
        if not page.has_next():
            break
        page_no += 1
    cursor = page.next_cursor
    while cursor:
        page = paginate(factory.get("/", {"after": cursor}), rows, per_page, cap=cap)
        assert page.after == cursor
        seen += [n.pk for n in page]
        cursor = page.next_cursor
    assert seen == expected


def test_a_count_past_the_cap_is_shown_with_a_plus():
    assert pagination.tally(list(range(50)), cap=10) == pagination.Tally(10, more=True)
    assert pagination.tally(list(range(10)), cap=10) == pagination.Tally(10, more=False)
    assert pagination.tally(list(range(50)), cap=10).shown == "10+"
    assert pagination.tally(list(range(10)), cap=10).shown == "10"
    assert pagination.Tally(1234).shown == "1,234"


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=40))
def test_a_tally_is_the_count_up_to_its_cap(rows, cap):
    found = pagination.tally(list(range(rows)), cap=cap)
    assert found.number == min(rows, cap)
    assert found.more == (rows > cap)
    assert found.shown.endswith("+") == found.more
