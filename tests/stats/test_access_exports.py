"""Rule R2 for the Excel exports (issue 15 item 4): every fixture user × every export route, page
and API. Everyone who reads lists exports what they see (tests/stats/test_exports.py shows which
rows); the administrators export nothing (403 on the pages; the API does not know them); a
background export is its requester's alone (404 to everyone else)."""

from __future__ import annotations

import pytest

from tests.access import ADMINS, USERS, Endpoint, call_endpoint, module_world
from tests.employers.conftest import open_case
from zhichi.stats import exports_build
from zhichi.stats.exports import LISTS
from zhichi.stats.models import ListExport

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

READERS = frozenset(USERS) - ADMINS
OWNER = frozenset({"civil1"})


def build(users) -> dict:
    open_case(users, seq=100)
    export = ListExport.objects.create(
        list_name="cases", filters={"category": ["wages"]}, requested_by=users["civil1"]
    )
    exports_build.build(export.pk)
    return {"export": export.pk}


_world, users, world = module_world(build)


ENDPOINTS = [
    *(
        Endpoint(f"exports:export_{name}", "page", "post", f"/exports/{name}/", 200, None, READERS)
        for name in LISTS
    ),
    *(
        Endpoint(f"api:export_{name}", "api", "get", f"/api/v1/exports/{name}.xlsx", 200)
        for name in LISTS
    ),
    Endpoint("exports:detail", "page", "get", "/exports/{export}/", 200, OWNER),
    Endpoint("exports:download", "page", "get", "/exports/{export}/download/", 200, OWNER),
    Endpoint("api:get_export", "api", "get", "/api/v1/exports/{export}", 200, OWNER),
    Endpoint("api:export_download", "api", "get", "/api/v1/exports/{export}/download", 200, OWNER),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_export_access(endpoint, user, world, users, web, api):
    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
