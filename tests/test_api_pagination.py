"""Every list of the partner API pages one way (issue 14, item 8): ninja's pagination with the one
``KeysetPagination`` class, answering ``{"items": [...], "next_cursor": "..." | null}`` newest
first, ``?limit=`` from 1 to 200 (50 unless asked, never above the deployment's maximum) and
``?cursor=`` the last page's ``next_cursor``; a cursor that is not one of ours is 422 at
``cursor``. The walk below finds every list operation, so a new one cannot page its own way."""

from __future__ import annotations

import base64
import re
import socket

import pytest
from django.test import Client

from tests.conftest import lead_payload
from tests.webhooks.conftest import FakeResolver
from zhichi.accounts.services import issue_token
from zhichi.common.api import KeysetPagination
from zhichi.webhooks import services as webhooks

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
BAD_CURSOR = {
    "detail": "This cursor is not valid.",
    "errors": [{"field": "cursor", "code": "invalid", "message": "This cursor is not valid."}],
}
# lists answered whole, as API.md gives them: a record's own records (at most 200, each in the
# order it is read in), a case's timeline (oldest first), the approvals waiting for the caller and
# the statistics' breakdown (one row per group: at most the months of ten years)
PLAIN_ARRAYS = {
    "/api/v1/approvals",
    "/api/v1/cases/{case_id}/assistance",
    "/api/v1/cases/{case_id}/documents",
    "/api/v1/cases/{case_id}/legal-aid",
    "/api/v1/cases/{case_id}/mediation-appointments",
    "/api/v1/cases/{case_id}/shares",
    "/api/v1/cases/{case_id}/suggestions",
    "/api/v1/cases/{case_id}/timeline",
    "/api/v1/cases/{case_id}/transfers",
    "/api/v1/cases/{case_id}/visits",
    "/api/v1/stats/breakdown",
}
PAGED = {
    "/api/v1/assistance",
    "/api/v1/imports",
    "/api/v1/cases",
    "/api/v1/cases/{case_id}/attachments",
    "/api/v1/joint-actions",
    "/api/v1/leads",
    "/api/v1/leads/{lead_id}/attachments",
    "/api/v1/me/tokens",
    "/api/v1/suggestions",
    "/api/v1/transfers",
    "/api/v1/webhooks",
    "/api/v1/webhooks/{subscription_id}/deliveries",
}


def cursor_after(last_id: int) -> str:
    """The cursor as the API has always written it: the last id shown, base64url, unpadded."""
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def pages(client, path: str, limit: int, **params) -> list[dict]:
    """Every page of a list, following next_cursor to the end."""
    found, cursor = [], None
    for _ in range(20):
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        r = client.get(path, query)
        assert r.status_code == 200, r.content
        found.append(r.json())
        cursor = found[-1]["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("the list never ended")


# --- the walk ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def doc() -> dict:
    from zhichi.api import api

    return api.get_openapi_schema()


def _operations():
    """(full path, operation) for every operation of the API."""
    from zhichi.api import api

    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = re.sub("/+", "/", f"/api/v1/{bound.prefix}/{path}").rstrip("/")
            for operation in view.operations:
                yield full, operation


def _schema(doc: dict, ref: dict) -> tuple[str, dict]:
    name = ref["$ref"].rsplit("/", 1)[-1]
    return name, doc["components"]["schemas"][name]


def test_every_list_operation_pages_with_the_one_keyset_class(doc):
    """A GET answering many records is either paged by KeysetPagination ({items, next_cursor},
    limit and cursor) or one of the plain arrays API.md gives whole; nothing else."""
    paged, arrays, other = set(), set(), []
    for route, methods in doc["paths"].items():
        get = methods.get("get")
        ok = get and (get["responses"].get(200) or get["responses"].get("200"))
        if not ok:
            continue
        content = ok.get("content", {}).get("application/json")
        if not content:
            continue  # files
        schema = content["schema"]
        if schema.get("type") == "array":
            arrays.add(route)
            continue
        if "$ref" not in schema:
            continue
        name, body = _schema(doc, schema)
        if "next_cursor" in body.get("properties", {}) or name.endswith("Page"):
            if name.startswith("Paged") and set(body["properties"]) == {"items", "next_cursor"}:
                assert body["required"] == ["items", "next_cursor"]
                assert body["properties"]["items"]["type"] == "array"
                assert "$ref" in body["properties"]["items"]["items"]
                parameters = {p["name"]: p for p in get["parameters"]}
                assert parameters["limit"]["schema"]["maximum"] == 200
                assert parameters["limit"]["schema"]["minimum"] == 1
                assert parameters["limit"]["schema"]["default"] == 50
                assert "cursor" in parameters
                paged.add(route)
            else:
                other.append((route, name))
    assert other == []
    assert arrays == PLAIN_ARRAYS
    assert paged == PAGED


def test_each_paged_operation_is_paged_by_keyset_pagination():
    """The page model of each list is ninja's Paged<Item> made from KeysetPagination.Output, with
    the item schema the route declares (``response=list[ItemOut]``): the item is declared once."""
    found = set()
    for route, operation in _operations():
        if "GET" not in operation.methods:
            continue
        model = operation.response_models.get(200)
        if model is None:
            continue
        page = model.model_fields["response"].annotation
        if isinstance(page, type) and issubclass(page, KeysetPagination.Output):
            assert page.__name__.startswith("Paged")
            found.add(route)
    assert found == PAGED


def test_no_page_wrapper_schema_is_left(doc):
    from zhichi.api import api

    names = set(doc["components"]["schemas"])
    assert not [n for n in names if n.endswith("Page")]
    for _route, operation in _operations():
        for model in operation.response_models.values():
            if model is None:
                continue
            shown = model.model_fields["response"].annotation
            assert not getattr(shown, "__name__", "").endswith("Page")
    assert api  # the walk saw the mounted API


# --- paging ----------------------------------------------------------------------------------
def test_tokens_page_newest_first_to_a_null_cursor(api, users):
    client = api("hrss1")  # holds its own token already
    made = [issue_token(user=users["hrss1"], name=f"t{n}").token.pk for n in range(4)]
    newest_first = sorted([*made, client_token_id(users["hrss1"], made)], reverse=True)

    found = pages(client, "/api/v1/me/tokens", 2)

    assert [[i["id"] for i in p["items"]] for p in found] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
    ]
    assert [p["next_cursor"] for p in found] == [
        cursor_after(newest_first[1]),
        cursor_after(newest_first[3]),
        None,
    ]


def client_token_id(user, made: list[int]) -> int:
    from zhichi.accounts.models import ApiToken

    (other,) = ApiToken.objects.filter(user=user).exclude(pk__in=made).values_list("pk", flat=True)
    return other


def test_webhooks_page_with_the_same_class(api, users, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", FakeResolver())  # the hooks' hosts resolve
    made = [
        webhooks.create_subscription(
            actor=users["wf1"],
            data={"url": f"https://wf.example/{n}", "events": ["transfer.sent"]},
        ).subscription.pk
        for n in range(5)
    ]

    found = pages(api("wf1"), "/api/v1/webhooks", 2)

    assert [i["id"] for p in found for i in p["items"]] == made[::-1]
    assert [len(p["items"]) for p in found] == [2, 2, 1]
    assert found[-1]["next_cursor"] is None
    # a page exactly full is not the last: the next one is empty, with a null cursor
    full = pages(api("wf1"), "/api/v1/webhooks", 5)
    assert [len(p["items"]) for p in full] == [5]
    assert full[0]["next_cursor"] is None


def test_leads_page_with_filters_kept_across_pages(api):
    client = api("civil1")
    ids = []
    for n in range(3):
        r = client.post("/api/v1/leads", lead_payload(summary=f"lead {n}", source="hotline"))
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    other = client.post("/api/v1/leads", lead_payload(source="walk_in")).json()["id"]

    found = pages(client, "/api/v1/leads", 2, source="hotline")

    assert [i["id"] for p in found for i in p["items"]] == ids[::-1]
    assert other not in [i["id"] for p in found for i in p["items"]]
    assert found[0]["items"][0]["claimant_count"] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/tokens",
        "/api/v1/webhooks",
        "/api/v1/leads",
        "/api/v1/cases",
        "/api/v1/transfers",
        "/api/v1/suggestions",
        "/api/v1/assistance",
        "/api/v1/joint-actions",
    ],
)
@pytest.mark.parametrize("cursor", ["nonsense", "aWQ6YWJj", "bm90LWEtY3Vyc29y", "%%%"])
def test_a_bad_cursor_is_422_with_the_same_body_everywhere(api, path, cursor):
    user = "wf1" if path == "/api/v1/webhooks" else "civilhead"

    r = api(user).get(path, {"cursor": cursor}, headers=EN)

    assert (r.status_code, r.json()) == (422, BAD_CURSOR)


@pytest.mark.parametrize("limit", ["0", "201", "-1", "x"])
@pytest.mark.parametrize("path", ["/api/v1/leads", "/api/v1/transfers", "/api/v1/suggestions"])
def test_a_limit_out_of_range_is_422_at_limit(api, path, limit):
    r = api("civil1").get(path, {"limit": limit})

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["limit"]


def test_the_deployment_maximum_clamps_the_limit(api, users, settings):
    settings.ZHICHI = {**settings.ZHICHI, "API_MAX_LIMIT": 2}
    for n in range(3):
        issue_token(user=users["hrss1"], name=f"t{n}")

    body = api("hrss1").get("/api/v1/me/tokens", {"limit": 200}).json()

    assert len(body["items"]) == 2
    assert body["next_cursor"] == cursor_after(body["items"][-1]["id"])


def test_a_list_without_a_token_is_401_before_its_cursor_is_read():
    r = Client().get("/api/v1/cases", {"cursor": "nonsense"})

    assert r.status_code == 401
