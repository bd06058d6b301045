"""The read replica's router (zhichi/common/replica.py, issue 19 item 4): which reads go where.

The replica here is a second connection to the test database, as Django's test mirror of
``default`` is: what differs between the two aliases is only where each query runs, and that is
what every test records (each connection's queries). On both databases; the committed data
(``transaction=True``) is what a second connection sees.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.scaleout import replica_urls
from tests.transfers.conftest import wage_case
from zhichi.common.replica import PIN_COOKIE, REPLICA, ReplicaRouter

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]

ROUTER = "zhichi.common.replica.ReplicaRouter"
MIDDLEWARE = "zhichi.common.replica.ReplicaMiddleware"
# tables that hold the pages' data (not who is asking)
DATA_TABLES = re.compile(r'"(cases|intake|parties|stats|employers|transfers)_\w+"')


@pytest.fixture
def replica(settings):
    """The router and its middleware on, as the settings set them up when
    ZHICHI_REPLICA_DATABASE_URL is given (the alias: tests/scaleout/conftest.py)."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    settings.ZHICHI_REPLICA_PIN_SECONDS = 5
    return connections[REPLICA]


class Queries:
    """The queries each connection ran while the block ran."""

    def __enter__(self):
        self._default = CaptureQueriesContext(connections["default"])
        self._replica = CaptureQueriesContext(connections[REPLICA])
        self._default.__enter__()
        self._replica.__enter__()
        return self

    def __exit__(self, *exc):
        self._replica.__exit__(*exc)
        self._default.__exit__(*exc)

    @property
    def default(self) -> list[str]:
        return [q["sql"] for q in self._default.captured_queries]

    @property
    def replica(self) -> list[str]:
        return [q["sql"] for q in self._replica.captured_queries]


def ran_on(queries: Queries, marker: int) -> set[str]:
    return {
        alias
        for alias, sqls in (("default", queries.default), (REPLICA, queries.replica))
        if any(str(marker) in sql for sql in sqls)
    }


@pytest.fixture
def probing(replica, settings):
    settings.ROOT_URLCONF = replica_urls.__name__
    settings.ZHICHI_REPLICA_VIEWS = frozenset({"replica_probe"})


def test_a_marked_view_reads_from_the_replica_until_it_writes(probing, web):
    client = web("civil1")
    with Queries() as queries:
        assert client.get("/replica-probe/?write=1").status_code == 200
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {REPLICA}
    assert ran_on(queries, replica_urls.WRITE) == {"default"}
    # read-your-writes: after the request wrote, and in a transaction, the primary only
    assert ran_on(queries, replica_urls.AFTER_WRITE) == {"default"}
    assert ran_on(queries, replica_urls.IN_TRANSACTION) == {"default"}


def test_a_marked_view_that_writes_nothing_reads_everything_but_transactions_from_the_replica(
    probing, web
):
    client = web("civil1")
    with Queries() as queries:
        response = client.get("/replica-probe/")
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {REPLICA}
    assert ran_on(queries, replica_urls.AFTER_WRITE) == {REPLICA}
    assert ran_on(queries, replica_urls.IN_TRANSACTION) == {"default"}
    assert PIN_COOKIE not in response.cookies


def test_a_client_that_wrote_reads_from_the_primary_for_the_pinned_seconds(probing, web):
    client = web("civil1")
    wrote = client.get("/replica-probe/?write=1")
    pin = wrote.cookies[PIN_COOKIE]
    assert pin["max-age"] == 5
    assert pin["httponly"]
    with Queries() as queries:
        client.get("/replica-probe/")
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {"default"}
    assert queries.replica == []
    del client.cookies[PIN_COOKIE]  # as the browser does when its five seconds are over
    with Queries() as queries:
        client.get("/replica-probe/")
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {REPLICA}


def test_a_post_to_a_marked_view_never_reads_from_the_replica(probing, web):
    client = web("civil1")
    with Queries() as queries:
        client.post("/replica-probe/")
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {"default"}
    assert queries.replica == []


def test_an_unmarked_view_reads_from_the_primary(probing, settings, web):
    settings.ZHICHI_REPLICA_VIEWS = frozenset({"workbench"})
    client = web("civil1")
    with Queries() as queries:
        client.get("/replica-probe/")
    assert ran_on(queries, replica_urls.BEFORE_WRITE) == {"default"}
    assert queries.replica == []


PAGES = [
    ("stats:dashboard", "chief", False),
    ("stats:report", "chief", False),
    ("stats:warnings", "chief", False),
    ("cases:case_list", "civil1", False),
    ("intake:lead_list", "civil1", False),
    ("api:list_cases", "civil1", True),
    ("api:create_lead", "civil1", True),  # GET: the list of leads
    ("api:stats_summary", "chief", True),
]


@pytest.mark.parametrize(("name", "who", "through_api"), PAGES)
def test_the_statistics_and_the_lists_read_their_data_from_the_replica(
    replica, users, web, api, name, who, through_api
):
    wage_case(users, consent=True, seq="71")
    client = api(who) if through_api else web(who)
    with Queries() as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200, response.content[:500]
    assert any(DATA_TABLES.search(sql) for sql in queries.replica), queries.replica
    # the primary answers who is asking (the session, the user, the token), never the page's data
    assert not [sql for sql in queries.default if DATA_TABLES.search(sql)]


def test_a_case_page_reads_from_the_primary(replica, users, web):
    case = wage_case(users, consent=True, seq="72")
    client = web("civil1")
    with Queries() as queries:
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert queries.replica == []
    assert any(DATA_TABLES.search(sql) for sql in queries.default)


def test_outside_a_request_everything_reads_from_the_primary(replica, users):
    with Queries() as queries:
        wage_case(users, consent=True, seq="73")
    assert queries.replica == []
    assert queries.default


def test_the_replica_is_never_migrated_and_its_objects_relate_to_the_primarys():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "cases") is False
    assert router.allow_migrate("default", "cases") is None

    def read_from(alias):
        return SimpleNamespace(_state=SimpleNamespace(db=alias))

    assert router.allow_relation(read_from(REPLICA), read_from("default")) is True
    assert router.allow_relation(read_from("elsewhere"), read_from("default")) is None


def _names(patterns, prefix="") -> set[str]:
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found |= _names(pattern.url_patterns, space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.add(prefix + pattern.name)
    return found


def test_every_view_named_for_the_replica_is_one_of_the_sites(settings):
    """A renamed URL would silently send its page back to the primary."""
    unknown = settings.ZHICHI_REPLICA_VIEWS - _names(get_resolver().url_patterns)
    assert not unknown
