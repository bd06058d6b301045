"""Rule R2 for webhooks: every fixture user × every webhook page and API operation.

Partner staff, heads and chiefs manage their own organisation's subscriptions; officers,
registrars and the three administrators get 403; another organisation's subscription is 404,
exactly as if it did not exist. ``ENDPOINTS`` feeds the coverage check in
tests/test_access_matrix.py.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access import (
    USERS,
    Endpoint,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
)
from zhichi.audit.models import AuditEntry
from zhichi.webhooks import services
from zhichi.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

WHPROC = frozenset(
    {
        "civil1",
        "civil2",
        "civilhead",
        "criminal1",
        "chief",
        "registrar1",
        "sysadmin",
        "secadmin",
        "auditor",
    }
)
MANAGERS = frozenset({"civilhead", "chief", "hrss1", "wf1"})
PROC_MANAGERS = MANAGERS & WHPROC
NEW = {"url": "https://partner.example/zhichi", "events": ["case.stage_changed"]}


@pytest.fixture
def world(users) -> dict:
    """A subscription of WHPROC (made by the chief) with one delivery, and one of WHHRSS."""
    proc = services.create_subscription(actor=users["chief"], data=NEW).subscription
    services.send_ping(actor=users["chief"], subscription_id=proc.pk)
    services.create_subscription(
        actor=users["hrss1"], data={"url": "https://hrss.example/", "events": ["transfer.sent"]}
    )
    return {"subscription": proc.pk}


ENDPOINTS = [
    # pages
    Endpoint("webhooks:list", "page", "get", "/integrations/webhooks/", 200, None, MANAGERS),
    Endpoint(
        "webhooks:create", "page", "post", "/integrations/webhooks/new/", 200, None, MANAGERS, NEW
    ),
    Endpoint(
        "webhooks:detail",
        "page",
        "get",
        "/integrations/webhooks/{subscription}/",
        200,
        WHPROC,
        PROC_MANAGERS,
    ),
    Endpoint(
        "webhooks:ping",
        "page",
        "post",
        "/integrations/webhooks/{subscription}/ping/",
        302,
        WHPROC,
        PROC_MANAGERS,
    ),
    Endpoint(
        "webhooks:revoke",
        "page",
        "post",
        "/integrations/webhooks/{subscription}/revoke/",
        302,
        WHPROC,
        PROC_MANAGERS,
    ),
    # API
    Endpoint("api:list_webhooks", "api", "get", "/api/v1/webhooks", 200, None, MANAGERS),
    Endpoint("api:create_webhook", "api", "post", "/api/v1/webhooks", 201, None, MANAGERS, NEW),
    Endpoint(
        "api:list_webhook_deliveries",
        "api",
        "get",
        "/api/v1/webhooks/{subscription}/deliveries",
        200,
        WHPROC,
        PROC_MANAGERS,
    ),
    Endpoint(
        "api:ping_webhook",
        "api",
        "post",
        "/api/v1/webhooks/{subscription}/ping",
        202,
        WHPROC,
        PROC_MANAGERS,
    ),
    Endpoint(
        "api:revoke_webhook",
        "api",
        "post",
        "/api/v1/webhooks/{subscription}/revoke",
        200,
        WHPROC,
        PROC_MANAGERS,
    ),
]


def _state() -> tuple:
    return (
        sorted(WebhookSubscription.objects.values_list("pk", "is_active")),
        WebhookDelivery.objects.count(),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_webhook_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404):
        assert _state() == before  # a refused request changes nothing
    if r.status_code == 403:
        assert AuditEntry.objects.filter(username=user, outcome="denied").exists()


HIDDEN_API_CELLS = [
    pytest.param(e, u, id=f"{e}-{u}")
    for e in ENDPOINTS
    if e.kind == "api"
    for u in USERS
    if e.expected(u) == 404
]


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN_API_CELLS)
def test_r2_another_organisations_webhook_looks_like_one_that_does_not_exist(
    endpoint, user, world, web, api
):
    hidden = call_endpoint(endpoint, user, world, web, api)
    missing = call_endpoint(endpoint, user, world, web, api, ids={"subscription": 999999})

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("user", sorted(MANAGERS))
def test_r2_each_organisation_lists_only_its_own_subscriptions(user, world, users, api):
    items = api(user).get("/api/v1/webhooks").json()["items"]

    expected = set(
        WebhookSubscription.objects.filter(organisation_id=users[user].organisation_id).values_list(
            "pk", flat=True
        )
    )
    assert {i["id"] for i in items} == expected


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "page"], ids=str)
def test_anonymous_page_request_redirects_to_login(endpoint, world):
    r = getattr(Client(), endpoint.method)(endpoint.path.format(**world), endpoint.data)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "api"], ids=str)
def test_anonymous_api_request_is_401(endpoint, world):
    client = Client()
    path = endpoint.path.format(**world)

    if endpoint.method == "get":
        r = client.get(path)
    else:
        r = client.post(path, endpoint.data, content_type="application/json")

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, world, api):
    response = call_with_bad_body(endpoint, user, world, api)
    assert response.status_code == bad_body_expected(endpoint, user), response.content
