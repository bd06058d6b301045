"""Issue 19: the figures kept for ``ZHICHI_STATS_CACHE_SECONDS`` once counted (stats.figcache).

- a second reading within the time reads no row; the pages say when the figures were counted;
- readers share an answer only within one audience (cases.scope.audience): two officers of one
  department share one count; another procuratorate's officer, a partner, another department and
  a head of the same department each get their own;
- ``manage.py warm_figures`` counts the dashboard's figures ahead, for each audience with a recent
  reader, into a cache every process reads, and refuses a cache of the process's own memory;
- a record added shows once the kept answer expires, and at once with the cache off (0);
- one kept count serves every language: what is kept holds codes, and the labels are shown in
  the reader's language.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation

from tests.cases.ledger_cases import three_worker_case
from zhichi.stats import figcache, kpis, presenters
from zhichi.stats.period import Period
from zhichi.stats.selectors import Scope, breakdown, summary

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


def test_readers_share_an_answer_only_within_one_audience(users):
    three_worker_case(users["civil1"], seq=710)
    with keep(60):
        mine = summary(Scope(users["civil1"]), year()).values["cases_accepted"]
        outsider = summary(Scope(users["outsider"]), year()).values["cases_accepted"]
        partner = summary(Scope(users["hrss1"]), year()).values["cases_accepted"]
        criminal = summary(Scope(users["criminal1"]), year()).values["cases_accepted"]
        with CaptureQueriesContext(connection) as ctx:
            colleague = summary(Scope(users["civil2"]), year()).values["cases_accepted"]
    assert (mine, outsider, partner, criminal, colleague) == (1, 0, 0, 0, 1)
    assert len(ctx.captured_queries) == 0  # the colleague read civil1's count
    key = figcache.scope_key
    assert key(Scope(users["civil1"])) == key(Scope(users["civil2"]))
    assert key(Scope(users["civil1"])) != key(Scope(users["civilhead"]))
    assert key(Scope(users["chief"])) != key(Scope(users["chief"], users["civil1"].department))


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


def test_one_kept_count_shows_its_labels_in_the_reader_language(users):
    three_worker_case(users["civil1"], seq=760)
    scope = Scope(users["civil1"])
    with keep(60):
        with translation.override("en"):
            english = [k.label for k in kpis.stage_kpis(scope, year())]
            english_stages = [r.label for r in breakdown(scope, year(), "stage")]
        with translation.override("zh-hans"), CaptureQueriesContext(connection) as ctx:
            chinese = [k.label for k in kpis.stage_kpis(scope, year())]
            chinese_stages = [r.label for r in breakdown(scope, year(), "stage")]
    assert len(ctx.captured_queries) == 0  # the English reader's count, kept
    assert english[0] == "From the lead to acceptance"
    assert chinese[0] != english[0] and all(
        any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in chinese + chinese_stages
    )
    assert len(chinese_stages) == len(english_stages) and chinese_stages != english_stages


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


def test_recounting_replaces_the_kept_answer(users):
    three_worker_case(users["civil1"], seq=780)
    with keep(60):
        assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 1
        three_worker_case(users["civil1"], seq=800)
        with figcache.recounting():
            assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 2
        with CaptureQueriesContext(connection) as ctx:
            assert summary(Scope(users["civil2"]), year()).values["cases_accepted"] == 2
    assert len(ctx.captured_queries) == 0


SHARED_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "",  # each test's own directory (below)
    }
}


def shared_cache(tmp_path):
    return override_settings(
        CACHES={"default": {**SHARED_CACHE["default"], "LOCATION": str(tmp_path)}}
    )


def warm(*args) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("warm_figures", *args, stdout=out)
    return out.getvalue()


def signed_in(*users, days_ago=0):
    for user in users:
        user.last_login = timezone.now() - timezone.timedelta(days=days_ago)
        user.save(update_fields=["last_login"])


def test_warm_figures_counts_ahead_for_each_audience_with_a_recent_reader(users, tmp_path):
    three_worker_case(users["civil1"], seq=810)
    signed_in(users["civil2"], users["chief"], users["hrss1"])
    signed_in(users["criminal1"], days_ago=30)  # not lately: not counted ahead
    with keep(60), shared_cache(tmp_path):
        cache.clear()
        out = warm()
        assert "counted the figures of 3 audiences" in out
        for reader in ("civil1", "chief"):  # civil1 shares civil2's audience
            with CaptureQueriesContext(connection) as ctx:
                assert summary(Scope(users[reader]), year()).values["cases_accepted"] == 1
            assert len(ctx.captured_queries) == 0, reader
        with CaptureQueriesContext(connection) as ctx:
            summary(Scope(users["criminal1"]), year())
        assert len(ctx.captured_queries) > 0
        # the next run counts afresh: a new case shows without waiting for the kept ones to expire
        three_worker_case(users["civil1"], seq=820)
        warm()
        with CaptureQueriesContext(connection) as ctx:
            assert summary(Scope(users["civil1"]), year()).values["cases_accepted"] == 2
        assert len(ctx.captured_queries) == 0
        # every figure of the dashboard is counted, in both languages: it reads no row
        for language in ("zh-hans", "en"):
            with translation.override(language), CaptureQueriesContext(connection) as ctx:
                board = presenters.dashboard(Scope(users["chief"]), year())
            assert len(ctx.captured_queries) == 0, language
            assert board.counted_at is not None


def test_warm_figures_refuses_a_cache_of_the_process_own_memory(users):
    from django.core.management.base import CommandError

    signed_in(users["civil1"])
    with keep(60), pytest.raises(CommandError, match="ZHICHI_CACHE_URL"):
        warm()
    with keep(0):
        assert "nothing to do" in warm()
    with keep(60), pytest.raises(CommandError, match="at least 1"):
        warm("--active-days", "0")
