"""Issue 19: the figures kept for ``ZHICHI_STATS_CACHE_SECONDS`` once counted (stats.figcache).

- a second reading within the time reads no row; the pages say when the figures were counted;
- readers never share an answer unless they are the same reader: another procuratorate's officer,
  a head and an officer of one department each get their own count;
- a record added shows once the kept answer expires, and at once with the cache off (0);
- the language is part of the key (labels are translated).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation

from tests.cases.ledger_cases import three_worker_case
from zhichi.stats import figcache, kpis
from zhichi.stats.period import Period
from zhichi.stats.selectors import Scope, summary

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def keep(seconds: int):
    return override_settings(ZHICHI={**settings.ZHICHI, "STATS_CACHE_SECONDS": seconds})


def year() -> Period:
    return Period.of("year", timezone.localdate())


def test_a_second_reading_within_the_time_reads_no_row(users):
    three_worker_case(users["civil1"], seq=700)
    with keep(60):
        first = summary(Scope(users["civil1"]), year())
        with CaptureQueriesContext(connection) as ctx:
            again = summary(Scope(users["civil1"]), year())
    assert len(ctx.captured_queries) == 0
    assert again.values == first.values
    assert first.values["cases_accepted"] == 1


def test_readers_never_share_an_answer(users):
    three_worker_case(users["civil1"], seq=710)
    with keep(60):
        mine = summary(Scope(users["civil1"]), year()).values["cases_accepted"]
        outsider = summary(Scope(users["outsider"]), year()).values["cases_accepted"]
        partner = summary(Scope(users["hrss1"]), year()).values["cases_accepted"]
        criminal = summary(Scope(users["criminal1"]), year()).values["cases_accepted"]
    assert (mine, outsider, partner, criminal) == (1, 0, 0, 0)
    assert figcache.scope_key(Scope(users["civil1"])) != figcache.scope_key(Scope(users["civil2"]))


def test_a_new_record_shows_when_the_kept_answer_expires(users):
    three_worker_case(users["civil1"], seq=720)
    with keep(60):
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 1
        three_worker_case(users["civil1"], seq=730)
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 1  # kept
        cache.clear()  # the time runs out
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 2


def test_with_the_cache_off_every_reading_counts_afresh(users):
    three_worker_case(users["civil1"], seq=740)
    with keep(0):
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 1
        three_worker_case(users["civil1"], seq=750)
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 2


def test_the_language_is_part_of_the_key(users):
    three_worker_case(users["civil1"], seq=760)
    with keep(60):
        with translation.override("en"):
            english = [k.label for k in kpis.stage_kpis(Scope(users["civil1"]), year())]
        with translation.override("zh-hans"):
            chinese = [k.label for k in kpis.stage_kpis(Scope(users["civil1"]), year())]
    assert [str(x) for x in english] != [str(x) for x in chinese]


def test_the_pages_say_when_the_figures_were_counted(users, web):
    three_worker_case(users["civil1"], seq=770)
    with keep(60), figcache.collecting() as counted:
        summary(Scope(users["chief"]), year())
    assert counted.oldest is not None
    with keep(60):
        dashboard = web("chief").get("/stats/")
        workbench = web("chief").get("/")
    for page in (dashboard, workbench):
        assert page.status_code == 200
        assert 'data-testid="counted-at"' in page.content.decode()


def test_readers_asking_at_once_wait_for_one_counting(users):
    import threading
    import time

    calls = []

    @figcache.cached
    def slow(scope, period):
        calls.append(1)
        time.sleep(0.3)
        return len(calls)

    scope = Scope(users["civil1"])
    answers = []
    with keep(60):
        threads = [
            threading.Thread(target=lambda: answers.append(slow(scope, year()))) for _ in range(5)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert calls == [1]
    assert answers == [1] * 5
