"""Rule R6: idle sessions end; the last-seen stamp is written at most once a minute."""

import time

import pytest
from django.core.paginator import Paginator

from zhichi.accounts.middleware import SessionLimitsMiddleware
from zhichi.cases.templatetags.zc import page_window

KEY = SessionLimitsMiddleware.KEY


@pytest.mark.django_db
@pytest.mark.integration
def test_r6_an_idle_session_is_logged_out(web):
    client = web("civil1")
    session = client.session
    session[KEY] = time.time() - 31 * 60
    session.save()

    r = client.get("/")

    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.integration
def test_r6_administrators_idle_out_after_15_minutes(web):
    client = web("sysadmin")
    session = client.session
    session[KEY] = time.time() - 16 * 60
    session.save()

    assert client.get("/").status_code == 302


@pytest.mark.django_db
@pytest.mark.integration
def test_r6_an_active_session_stays_and_is_stamped_at_most_once_a_minute(web):
    client = web("civil1")
    stamp = time.time() - 30
    session = client.session
    session[KEY] = stamp
    session.save()

    assert client.get("/").status_code == 200
    assert client.session[KEY] == stamp  # 30 s ago: not rewritten

    session = client.session
    session[KEY] = time.time() - 120
    session.save()
    client.get("/")
    assert time.time() - client.session[KEY] < 5


@pytest.mark.unit
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (1, [1, 2, 3, None, 40]),
        (20, [1, None, 18, 19, 20, 21, 22, None, 40]),
        (40, [1, None, 38, 39, 40]),
    ],
)
def test_pagination_shows_only_the_pages_around_the_current_one(page, expected):
    page_obj = Paginator(range(400), 10).page(page)
    assert page_window(page_obj) == expected
