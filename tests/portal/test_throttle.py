"""The portal's rate limits (issue 18 item 5): counted per scope and key in fixed windows shared
through the database, refused with our 429 page, audited once per window, purged a day later."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path

import zhichi.urls
from zhichi.audit.models import AuditEntry
from zhichi.common import purges
from zhichi.common.clock import frozen_at
from zhichi.portal import throttle
from zhichi.portal.models import RateBucket
from zhichi.portal.throttle import RateLimited, hit, parse_rates, peek, rate_limited

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 20 minutes into an hour: a 3600-second window has 40 minutes (2400 seconds) left
AT = datetime(2026, 12, 4, 10, 20, tzinfo=SHANGHAI)
ADDRESS = "203.0.113.7"


# --- views for the decorator, served beside the real URLs -------------------------------------
view_runs: list[str] = []


@rate_limited("submit")
def submit_view(request):
    view_runs.append(request.method)
    return HttpResponse("filed")


@rate_limited("lookup")
def locked_code_view(request):
    # a view that refuses by itself, as the status lookup does for a locked receipt code
    raise RateLimited("lookup_code", 90)


urlpatterns = [
    *zhichi.urls.urlpatterns,
    path("throttle-test/submit/", submit_view),
    path("throttle-test/locked/", locked_code_view),
]


@pytest.fixture
def limits(monkeypatch):
    """Set a scope's limit for one test: limits("submit", 3)."""

    def set_limit(scope: str, allowed: int, seconds: int = 3600) -> None:
        monkeypatch.setitem(throttle.LIMITS, scope, (allowed, seconds))

    return set_limit


@pytest.fixture
def runs():
    view_runs.clear()
    yield view_runs
    view_runs.clear()


def our_section(response) -> str:
    """The 429 page's own part, without the portal's header and footer."""
    page = response.content.decode()
    start = page.index('<section id="rate-limited"')
    return page[start : page.index("</section>", start)]


def counts() -> list[int]:
    return list(RateBucket.objects.order_by("window_start").values_list("count", flat=True))


# --- counting ----------------------------------------------------------------------------------
def test_every_hit_is_counted_in_one_bucket(db):
    with frozen_at(AT):
        for _ in range(5):
            hit(scope="step", key=ADDRESS)
    assert counts() == [5]


def test_the_limit_itself_is_allowed_and_the_next_hit_is_refused_until_the_window_ends(db, limits):
    limits("submit", 3)
    with frozen_at(AT):
        for _ in range(3):
            hit(scope="submit", key=ADDRESS)
        with pytest.raises(RateLimited) as refused:
            hit(scope="submit", key=ADDRESS)
    assert (refused.value.scope, refused.value.retry_after, refused.value.minutes) == (
        "submit",
        2400,
        40,
    )
    assert counts() == [4]


def test_the_wait_is_at_least_one_second_at_the_end_of_a_window(db, limits):
    limits("submit", 1)
    with frozen_at(AT.replace(minute=59, second=59, microsecond=500_000)):
        hit(scope="submit", key=ADDRESS)
        with pytest.raises(RateLimited) as refused:
            hit(scope="submit", key=ADDRESS)
    assert refused.value.retry_after == 1


def test_a_new_window_counts_afresh(db, limits):
    limits("submit", 2)
    with frozen_at(AT) as clock:
        hit(scope="submit", key=ADDRESS)
        hit(scope="submit", key=ADDRESS)
        with pytest.raises(RateLimited):
            hit(scope="submit", key=ADDRESS)
        clock.set(AT.replace(hour=11, minute=0))
        hit(scope="submit", key=ADDRESS)
    assert counts() == [3, 1]


def test_windows_follow_the_scope_length(db, limits):
    limits("upload", 1, seconds=60)
    with frozen_at(AT.replace(second=45)) as clock:
        hit(scope="upload", key=ADDRESS)
        with pytest.raises(RateLimited) as refused:
            hit(scope="upload", key=ADDRESS)
        clock.set(AT.replace(minute=21))
        hit(scope="upload", key=ADDRESS)
    assert refused.value.retry_after == 15
    assert counts() == [2, 1]


def test_addresses_and_scopes_are_counted_apart(db, limits):
    limits("submit", 1)
    limits("resume", 1)
    with frozen_at(AT):
        hit(scope="submit", key=ADDRESS)
        with pytest.raises(RateLimited):
            hit(scope="submit", key=ADDRESS)
        hit(scope="submit", key="198.51.100.2")
        hit(scope="resume", key=ADDRESS)
    assert RateBucket.objects.count() == 3


def test_peek_counts_nothing_and_says_when_the_limit_is_used_up(db, limits):
    limits("lookup_code", 2)
    with frozen_at(AT):
        assert peek(scope="lookup_code", key="ABCD2345EF") is False
        hit(scope="lookup_code", key="ABCD2345EF")
        assert peek(scope="lookup_code", key="ABCD2345EF") is False
        hit(scope="lookup_code", key="ABCD2345EF")
        assert peek(scope="lookup_code", key="ABCD2345EF") is True
        assert peek(scope="lookup_code", key="ABCD2345EF") is True
        assert peek(scope="lookup_code", key="FFFF2345EF") is False
    assert counts() == [2]


def test_keys_are_stored_as_a_keyed_hash_never_in_clear(db):
    with frozen_at(AT):
        hit(scope="lookup", key=ADDRESS)
        hit(scope="lookup_code", key="ABCD2345EF")
    keys = sorted(RateBucket.objects.values_list("key", flat=True))
    assert [k.split(":")[0] for k in keys] == ["lookup", "lookup_code"]
    assert [len(k.split(":")[1]) for k in keys] == [64, 64]
    assert not any(ADDRESS in k or "ABCD2345EF" in k.upper() for k in keys)
    # the same key under two scopes gives two unrelated hashes
    assert (
        throttle._stored_key("lookup", ADDRESS)[-64:]
        != throttle._stored_key("resume", ADDRESS)[-64:]
    )


# --- the decorator ------------------------------------------------------------------------------
@pytest.mark.urls(__name__)
def test_a_get_is_never_counted(db, limits, runs):
    limits("submit", 1)
    client = Client()
    with frozen_at(AT):
        answers = [client.get("/throttle-test/submit/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 200]
    assert runs == ["GET"] * 4
    assert RateBucket.objects.count() == 0


@pytest.mark.urls(__name__)
def test_a_post_over_the_limit_gets_our_429_page_and_the_view_does_not_run(db, limits, runs):
    limits("submit", 2)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="en")
    with frozen_at(AT):
        answers = [client.post("/throttle-test/submit/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert runs == ["POST", "POST"]
    refused = answers[2]
    assert refused["Retry-After"] == "2400"
    assert "portal/rate_limited.html" in [t.name for t in refused.templates]
    page = our_section(refused)
    assert "Please wait 40 minutes, then try again." in page
    assert 'href="tel:12309">12309</a>' in page
    assert 'href="/portal/" id="rate-limited-back"' in page
    assert "What you just sent was not saved." in page


@pytest.mark.urls(__name__)
def test_the_429_page_is_in_chinese_by_default_and_says_one_minute_in_the_singular(db, limits):
    limits("submit", 1)
    client = Client(REMOTE_ADDR=ADDRESS)
    with frozen_at(AT.replace(minute=59, second=30)):
        client.post("/throttle-test/submit/")
        refused = client.post("/throttle-test/submit/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert refused["Content-Language"] == "zh-hans"
    assert refused.context["minutes"] == 1
    assert 'href="tel:12309">12309</a>' in our_section(refused)


@pytest.mark.urls(__name__)
def test_each_address_has_its_own_count(db, limits, runs):
    limits("submit", 1)
    first, second = Client(REMOTE_ADDR=ADDRESS), Client(REMOTE_ADDR="198.51.100.2")
    with frozen_at(AT):
        answers = [
            first.post("/throttle-test/submit/").status_code,
            first.post("/throttle-test/submit/").status_code,
            second.post("/throttle-test/submit/").status_code,
        ]
    assert answers == [200, 429, 200]


@pytest.mark.urls(__name__)
def test_a_refusal_raised_by_the_view_gets_the_same_page(db):
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post("/throttle-test/locked/")
    assert answer.status_code == 429
    assert answer["Retry-After"] == "90"
    assert "Please wait 2 minutes, then try again." in our_section(answer)
    # a lookup refused: nothing of the application's answers is concerned
    assert "What you just sent was not saved." not in our_section(answer)


def test_an_unknown_scope_is_refused_when_the_view_is_decorated():
    with pytest.raises(ValueError, match="unknown rate limit scope 'stepp'"):
        rate_limited("stepp")


@pytest.mark.urls(__name__)
def test_a_flood_is_audited_once_per_address_and_window(db, limits):
    limits("submit", 1)
    client = Client(REMOTE_ADDR=ADDRESS)
    with frozen_at(AT) as clock:
        for _ in range(6):
            client.post("/throttle-test/submit/")
        clock.set(AT + timedelta(hours=1))
        for _ in range(3):
            client.post("/throttle-test/submit/")
    rows = AuditEntry.objects.filter(action="portal.rate_limited").order_by("id")
    assert list(rows.values_list("outcome", "detail", "ip", "user_id_ref", "username")) == [
        ("denied", {"scope": "submit"}, ADDRESS, None, ""),
        ("denied", {"scope": "submit"}, ADDRESS, None, ""),
    ]
    assert counts() == [6, 3]


# --- the purge ----------------------------------------------------------------------------------
def test_the_purge_deletes_only_buckets_whose_window_ended_over_a_day_ago(db):
    now = AT
    for minutes_ago in (25 * 60 + 1, 30 * 60, 24 * 60 + 59, 60, 0):
        RateBucket.objects.create(
            key=f"step:{minutes_ago}", window_start=now - timedelta(minutes=minutes_ago), count=1
        )
    with frozen_at(now):
        assert throttle.purge_old_buckets() == 2
        assert throttle.purge_old_buckets() == 0
    assert sorted(RateBucket.objects.values_list("key", flat=True)) == [
        "step:0",
        "step:1499",
        "step:60",
    ]


def test_the_purge_deletes_in_bounded_batches(db, monkeypatch):
    monkeypatch.setattr(throttle, "PURGE_BATCH", 2)
    for days in (3, 4, 5):
        RateBucket.objects.create(key=f"step:{days}", window_start=AT - timedelta(days=days))
    with frozen_at(AT):
        assert [throttle.purge_old_buckets() for _ in range(4)] == [2, 1, 0, 0]
    assert RateBucket.objects.count() == 0


def test_install_purge_registers_the_step_with_the_daily_purge(monkeypatch):
    monkeypatch.setattr(purges, "STEPS", {})
    throttle.install_purge()
    registered = purges.STEPS
    assert registered == {"portal rate buckets": throttle.purge_old_buckets}


# --- ZHICHI_PORTAL_RATES ------------------------------------------------------------------------
def test_the_defaults_apply_without_the_variable():
    assert parse_rates("") == {
        "step": (120, 3600),
        "upload": (30, 3600),
        "submit": (10, 3600),
        "resume": (20, 3600),
        "lookup": (20, 3600),
        "lookup_code": (5, 3600),
    }


def test_the_variable_replaces_the_scopes_it_names():
    rates = parse_rates(" step = 60/600 ,submit=3/60,")
    assert (rates["step"], rates["submit"], rates["upload"]) == ((60, 600), (3, 60), (30, 3600))


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("step=120", "'step=120' is not scope=requests/seconds"),
        ("step=1.5/60", "'step=1.5/60' is not scope=requests/seconds"),
        ("step=-1/60", "'step=-1/60' is not scope=requests/seconds"),
        ("step=0/60", "step needs at least 1 request in at least 1 second, got 0/60"),
        ("step=10/0", "step needs at least 1 request in at least 1 second, got 10/0"),
        ("steps=10/60", "unknown scope 'steps'; the scopes are step, upload, submit"),
        ("step=10/60,step=20/60", "scope 'step' is given twice"),
    ],
)
def test_a_malformed_variable_is_refused_saying_what_is_wrong(raw, says):
    with pytest.raises(ImproperlyConfigured, match="ZHICHI_PORTAL_RATES") as refused:
        parse_rates(raw)
    assert says in str(refused.value)


def _load_limits(rates: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZHICHI_PORTAL_RATES": rates, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("ZHICHI_DATABASE_URL", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from zhichi.portal import throttle; "
            "print(throttle.LIMITS['submit'], throttle.LIMITS['step'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_limits_are_read_from_the_environment_through_the_settings():
    done = _load_limits("submit=3/60")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(3, 60) (120, 3600)"


def test_a_malformed_variable_stops_the_process_that_loads_the_limits():
    done = _load_limits("submit=lots")
    assert done.returncode != 0
    assert "ImproperlyConfigured: ZHICHI_PORTAL_RATES: 'submit=lots' is not" in done.stderr


# --- PostgreSQL: hits at once on one key --------------------------------------------------------
THREADS = 8
HITS = 25


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time: there is no race to lose",
)
@pytest.mark.django_db(transaction=True)
def test_hits_at_once_on_one_key_are_all_counted_and_the_refusal_audited_once(limits):
    allowed = 150
    limits("step", allowed)
    barrier = threading.Barrier(THREADS)
    refused = [0] * THREADS
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(HITS):
                try:
                    hit(scope="step", key=ADDRESS)
                except RateLimited:
                    refused[i] += 1
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    with frozen_at(AT):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert failures == []
    assert counts() == [THREADS * HITS]
    assert sum(refused) == THREADS * HITS - allowed
    assert AuditEntry.objects.filter(action="portal.rate_limited").count() == 1
