"""The unread notifications in the top bar (issue 13, item 9): shown on every page, right after
marking one or all read, counted once per request whatever the number."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.transfers.conftest import wage_case
from zhichi.accounts.notify import notify

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

COUNT = re.compile(r'id="zc-unread-count">(\d+)<span class="visually-hidden"> unread</span>')


def unread_in_top_bar(response) -> int | None:
    assert response.status_code == 200
    found = COUNT.findall(response.content.decode())
    assert len(found) <= 1
    return int(found[0]) if found else None


def notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if '"accounts_notification"' in q["sql"]]


def test_top_bar_shows_my_unread_count_on_every_page(users, web):
    case = wage_case(users, consent=False, seq="81")
    for i in range(3):
        notify(user=users["civil1"], kind="deadline_due", text=f"提醒{i}")
    read = notify(user=users["civil1"], kind="deadline_due", text="已读的提醒")
    web("civil1").post("/notifications/read/", {"id": read.pk})
    notify(user=users["civil2"], kind="deadline_due", text="别人的提醒")
    client = web("civil1")

    pages = ["/", "/cases/", f"/cases/{case.pk}/", "/leads/", "/notifications/"]
    counts = [unread_in_top_bar(client.get(path, HTTP_ACCEPT_LANGUAGE="en")) for path in pages]

    assert counts == [3, 3, 3, 3, 3]
    assert unread_in_top_bar(web("civil2").get("/", HTTP_ACCEPT_LANGUAGE="en")) == 1


def test_no_count_without_unread_notifications(users, web):
    read = notify(user=users["civil1"], kind="x", text="提醒")
    client = web("civil1")
    client.post("/notifications/read/", {"id": read.pk})

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'href="/notifications/"' in html  # the link stays
    assert "zc-unread-count" not in html


def test_count_is_right_after_marking_one_and_then_all_read(users, web):
    notes = [notify(user=users["civil1"], kind="x", text=f"提醒{i}") for i in range(4)]
    client = web("civil1")
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}

    one = client.post("/notifications/read/", {"id": notes[1].pk, "page": "1"}, follow=True, **en)
    elsewhere = client.get("/cases/", **en)
    everything = client.post("/notifications/read/", {"page": "1"}, follow=True, **en)

    assert one.redirect_chain == [("/notifications/?page=1", 302)]
    assert unread_in_top_bar(one) == 3
    assert unread_in_top_bar(elsewhere) == 3
    assert everything.redirect_chain == [("/notifications/?page=1", 302)]
    assert unread_in_top_bar(everything) is None
    assert unread_in_top_bar(client.get("/", **en)) is None


@pytest.mark.parametrize("path", ["/", "/cases/", "/leads/"])
def test_count_is_one_query_per_page_whatever_the_number(users, web, path):
    client = web("civil1")
    notify(user=users["civil1"], kind="x", text="提醒0")
    client.get(path)  # warm caches (content types, translations)

    with CaptureQueriesContext(connection) as one:
        assert unread_in_top_bar(client.get(path, HTTP_ACCEPT_LANGUAGE="en")) == 1
    for i in range(1, 3):
        notify(user=users["civil1"], kind="x", text=f"提醒{i}")
    with CaptureQueriesContext(connection) as three:
        assert unread_in_top_bar(client.get(path, HTTP_ACCEPT_LANGUAGE="en")) == 3

    assert len(notification_queries(one.captured_queries)) == 1
    assert len(notification_queries(three.captured_queries)) == 1
    assert len(one.captured_queries) == len(three.captured_queries)


def test_a_fragment_without_the_top_bar_does_not_count(users, web):
    notify(user=users["civil1"], kind="x", text="提醒")
    client = web("civil1")

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/tools/calculators/",
            {"calc": "deadline", "kind": "appeal_judgment", "start": "2026-12-18"},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert notification_queries(queries.captured_queries) == []


def test_signed_out_pages_have_no_count(client):
    html = client.get("/login/").content.decode()

    assert "zc-unread-count" not in html
    assert 'href="/notifications/"' not in html
