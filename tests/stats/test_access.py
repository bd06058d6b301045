"""Rule R2 for the statistics (issue 15 item 2): every fixture user × every route, page and API.
Everyone who reads cases reads the figures of their own scope (tests/stats/test_figures.py shows
whose); the three administrators read none: 403 on the pages, and the API does not know them."""

from __future__ import annotations

import pytest

from tests.access import ADMINS, USERS, Endpoint, call_endpoint
from zhichi.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

READERS = frozenset(USERS) - ADMINS
STAFF = READERS - {"hrss1", "wf1"}  # the early-warning list is the procuratorate's own (C8)
YEAR = "date_from=2026-01-01&date_to=2026-12-04"

ENDPOINTS = [
    Endpoint("stats:dashboard", "page", "get", f"/stats/?{YEAR}", 200, None, READERS),
    Endpoint(
        "stats:figure", "page", "get", f"/stats/figures/cases_accepted/?{YEAR}", 200, None, READERS
    ),
    Endpoint("stats:report", "page", "get", "/stats/report/?period=month", 200, None, READERS),
    Endpoint("stats:warnings", "page", "get", "/stats/warnings/", 200, None, STAFF),
    Endpoint("api:stats_summary", "api", "get", "/api/v1/stats/summary", 200),
    Endpoint("api:stats_breakdown", "api", "get", "/api/v1/stats/breakdown?by=level", 200),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_statistics_access(endpoint, user, users, web, api):
    before = Case.objects.count()

    r = call_endpoint(endpoint, user, {}, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    assert Case.objects.count() == before


def test_an_unknown_figure_or_group_is_not_found(web, users):
    client = web("civil1")
    assert client.get("/stats/figures/nope/").status_code == 404
    assert client.get("/stats/figures/cases_closed/?by=stage&value=review").status_code == 404
    assert client.get("/stats/figures/cases_accepted/?by=stage&value=nope").status_code == 404
    assert client.get("/stats/figures/cases_accepted/?by=stage&value=review").status_code == 200
