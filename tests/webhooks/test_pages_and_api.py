"""The webhook pages and API: create (the secret shown once), list, the delivery log, ping,
revoke, 422s at the field, query counts, and the OpenAPI document."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhichi.audit.models import AuditEntry
from zhichi.webhooks import services
from zhichi.webhooks.models import WebhookDelivery, WebhookSubscription
from zhichi.webhooks.services import publish_event

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
NEW = {
    "url": "https://hrss.example/zhichi",
    "events": ["transfer.sent", "transfer.closed"],
    "description": "劳动保障监察系统",
}


def subscribe(user, url="https://partner.example/hook", events=("transfer.sent",)):
    return services.create_subscription(actor=user, data={"url": url, "events": list(events)})


def deliveries(user, n: int, event="transfer.sent") -> list[int]:
    ids = []
    with transaction.atomic():
        for i in range(n):
            ids += publish_event(
                event=event, organisation_ids=[user.organisation_id], payload={"transfer_id": i}
            )
    return ids


# --- pages ------------------------------------------------------------------------------------
def test_creating_a_subscription_on_the_page_shows_the_secret_once(web, users):
    client = web("hrss1")

    r = client.post("/integrations/webhooks/new/", NEW, headers=EN)

    assert r.status_code == 200
    subscription = WebhookSubscription.objects.get()
    secret = r.context["secret"]
    assert secret in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    assert (subscription.url, subscription.events, subscription.description) == (
        NEW["url"],
        NEW["events"],
        NEW["description"],
    )
    assert (subscription.organisation.code, subscription.created_by.username) == (
        "WHHRSS",
        "hrss1",
    )
    assert AuditEntry.objects.filter(action="webhook.create", username="hrss1").count() == 1
    for path in ("/integrations/webhooks/", f"/integrations/webhooks/{subscription.pk}/"):
        page = client.get(path, headers=EN)
        assert page.status_code == 200
        assert secret not in page.content.decode()
    detail = client.get(f"/integrations/webhooks/{subscription.pk}/", headers=EN).content.decode()
    assert f"{secret[:4]}…" in detail


def test_the_list_page_shows_the_organisations_subscriptions_and_an_empty_state(web, users):
    subscribe(users["hrss1"], "https://hrss.example/one")
    subscribe(users["civilhead"], "https://proc.example/two")

    hrss = web("hrss1").get("/integrations/webhooks/", headers=EN)
    wf = web("wf1").get("/integrations/webhooks/", headers=EN)

    assert [s.url for s in hrss.context["page_obj"]] == ["https://hrss.example/one"]
    assert "https://proc.example/two" not in hrss.content.decode()
    assert list(wf.context["page_obj"]) == []
    assert "No subscription yet." in wf.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {**NEW, "url": "ftp://hrss.example/x"},
            "url",
            "The URL must start with https:// or http://.",
        ),
        ({**NEW, "events": []}, "events", "Choose at least one event."),
        ({**NEW, "events": ["nope"]}, "events", "“nope” is not one of the choices."),
        ({**NEW, "url": ""}, "url", "This field is required."),
    ],
    ids=["scheme", "no-events", "unknown-event", "no-url"],
)
def test_a_bad_subscription_form_answers_422_with_the_error_at_the_field(
    web, users, data, field, message
):
    r = web("hrss1").post("/integrations/webhooks/new/", data, headers=EN)

    assert r.status_code == 422
    form = r.context["form"]
    assert form.errors[field] == [message]
    assert 'id="id_new_' + field in r.content.decode()
    assert "is-invalid" in r.content.decode() or field == "events"
    assert WebhookSubscription.objects.count() == 0


def test_the_delivery_log_is_newest_first_and_paginated(web, users):
    created = subscribe(users["civilhead"])
    ids = deliveries(users["civilhead"], 30)
    client = web("civilhead")
    path = f"/integrations/webhooks/{created.subscription.pk}/"

    first = client.get(path, headers=EN)
    second = client.get(path, {"page": 2}, headers=EN)

    assert [d.pk for d in first.context["page_obj"]] == ids[::-1][:25]
    assert [d.pk for d in second.context["page_obj"]] == ids[::-1][25:]
    assert "Pending" in first.content.decode()


def test_ping_and_revoke_from_the_page(web, users):
    created = subscribe(users["chief"])
    client = web("chief")
    path = f"/integrations/webhooks/{created.subscription.pk}/"

    ping = client.post(f"{path}ping/")
    revoke = client.post(f"{path}revoke/")
    again = client.post(f"{path}ping/", follow=True, headers=EN)

    assert (ping.status_code, ping["Location"]) == (302, path)
    assert (revoke.status_code, revoke["Location"]) == (302, path)
    assert list(WebhookDelivery.objects.values_list("event", "status")) == [("ping", "failed")]
    assert "This subscription is revoked; it receives nothing." in again.content.decode()
    subscription = WebhookSubscription.objects.get()
    assert (subscription.is_active, subscription.revoked_at is not None) == (False, True)
    actions = AuditEntry.objects.filter(username="chief", action__startswith="webhook.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "webhook.create",
        "webhook.ping",
        "webhook.revoke",
    ]


def test_a_refused_page_is_403_and_audited(web, users):
    r = web("civil1").get("/integrations/webhooks/")

    assert r.status_code == 403
    assert AuditEntry.objects.filter(
        action="webhook.list", username="civil1", outcome="denied"
    ).exists()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def test_query_count_is_the_same_for_one_and_three_items(web, users):
    client = web("civilhead")
    created = subscribe(users["civilhead"], events=["transfer.sent"])
    deliveries(users["civilhead"], 1)
    detail = f"/integrations/webhooks/{created.subscription.pk}/"
    client.get("/integrations/webhooks/")  # warm up (session, translations)
    one = (_queries(client, "/integrations/webhooks/"), _queries(client, detail))

    subscribe(users["chief"], "https://proc.example/2", events=["transfer.closed"])
    subscribe(users["chief"], "https://proc.example/3", events=["transfer.closed"])
    deliveries(users["civilhead"], 2)
    three = (_queries(client, "/integrations/webhooks/"), _queries(client, detail))

    assert created.subscription.deliveries.count() == 3
    assert WebhookSubscription.objects.count() == 3
    assert three == one


# --- API --------------------------------------------------------------------------------------
def test_api_create_answers_the_secret_once_and_lists_without_it(api, users):
    client = api("hrss1")

    r = client.post("/api/v1/webhooks", {"url": NEW["url"], "events": NEW["events"]})

    assert r.status_code == 201, r.content
    body = r.json()
    assert r["Cache-Control"] == "no-store"
    assert sorted(body) == [
        "created_at",
        "created_by",
        "description",
        "events",
        "id",
        "is_active",
        "revoked_at",
        "secret",
        "secret_hint",
        "url",
    ]
    assert (body["url"], body["events"], body["is_active"], body["created_by"]) == (
        NEW["url"],
        NEW["events"],
        True,
        "hrss1",
    )
    assert len(body["secret"]) == 43 and body["secret_hint"] == body["secret"][:4]
    listed = client.get("/api/v1/webhooks").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    assert "secret" not in listed["items"][0]
    assert listed["next_cursor"] is None


def test_api_lists_page_with_a_cursor(api, users):
    ids = [subscribe(users["wf1"], f"https://wf.example/{i}").subscription.pk for i in range(3)]
    client = api("wf1")

    first = client.get("/api/v1/webhooks", {"limit": 2}).json()
    second = client.get("/api/v1/webhooks", {"limit": 2, "cursor": first["next_cursor"]}).json()
    bad = client.get("/api/v1/webhooks", {"cursor": "nonsense"})

    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    assert ([i["id"] for i in second["items"]], second["next_cursor"]) == (ids[:1], None)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_api_delivery_log_revoke_and_ping(api, users):
    created = subscribe(users["civilhead"])
    ids = deliveries(users["civilhead"], 3)
    client = api("civilhead")
    base = f"/api/v1/webhooks/{created.subscription.pk}"

    log = client.get(f"{base}/deliveries", {"limit": 2}).json()
    ping = client.post(f"{base}/ping")
    revoked = client.post(f"{base}/revoke")
    again = client.post(f"{base}/revoke")
    late_ping = client.post(f"{base}/ping")

    assert [i["id"] for i in log["items"]] == ids[::-1][:2]
    assert log["items"][0]["status"] == "pending"
    assert log["items"][0]["payload"] == {"transfer_id": 2}
    assert log["next_cursor"] is not None
    assert ping.status_code == 202
    assert (ping.json()["event"], ping.json()["status"]) == ("ping", "pending")
    assert (revoked.status_code, revoked.json()["is_active"]) == (200, False)
    assert revoked.json()["revoked_at"] is not None
    assert (again.status_code, again.json()["revoked_at"]) == (200, revoked.json()["revoked_at"])
    assert late_ping.status_code == 422
    assert late_ping.json()["errors"][0]["code"] == "revoked"
    assert set(
        WebhookDelivery.objects.filter(subscription=created.subscription).values_list(
            "status", flat=True
        )
    ) == {"failed"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        # an event that is not one of the documented values is refused by the schema, before
        # the URL is looked at; a URL the service refuses is reported with the body's other
        # problems of the same kind
        ({"url": "ftp://x.example/", "events": ["transfer.sent"]}, [("url", "scheme")]),
        (
            {"url": "https://x.example/", "events": ["transfer.sent", "nope"]},
            [("events.1", "choice")],
        ),
        ({"url": "https://x.example/", "events": []}, [("events", "required")]),
        ({"url": "https://x.example/"}, [("events", "missing")]),
        ({"url": "https://x.example/", "events": "transfer.sent"}, [("events", "list_type")]),
        (
            {"url": "https://a:b@x.example/", "events": []},
            [("url", "userinfo"), ("events", "required")],
        ),
        ({"url": "https://x.example/", "events": ["ping"]}, [("events.0", "choice")]),
    ],
    ids=[
        "scheme",
        "unknown-event",
        "no-events",
        "missing-events",
        "events-not-a-list",
        "userinfo-and-no-events",
        "ping",
    ],
)
def test_api_422_names_each_bad_field(api, users, body, errors):
    r = api("chief").post("/api/v1/webhooks", body)

    assert r.status_code == 422, r.content
    assert sorted(r.json()) == ["detail", "errors"]
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == errors
    assert WebhookSubscription.objects.count() == 0


def test_openapi_documents_the_webhook_operations_with_their_errors():
    doc = Client().get("/api/v1/openapi.json").json()
    paths = doc["paths"]

    assert {"201", "401", "403", "422"} <= set(paths["/api/v1/webhooks"]["post"]["responses"])
    assert {"200", "401", "403", "422"} <= set(paths["/api/v1/webhooks"]["get"]["responses"])
    deliveries_path = paths["/api/v1/webhooks/{subscription_id}/deliveries"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(deliveries_path["responses"])
    revoke = paths["/api/v1/webhooks/{subscription_id}/revoke"]["post"]
    assert {"200", "401", "403", "404"} <= set(revoke["responses"])
    ping = paths["/api/v1/webhooks/{subscription_id}/ping"]["post"]
    assert {"202", "401", "403", "404", "422"} <= set(ping["responses"])
    created = doc["components"]["schemas"]["SubscriptionCreatedOut"]["properties"]
    assert "secret" in created
    assert "secret" not in doc["components"]["schemas"]["SubscriptionOut"]["properties"]


def test_a_retried_create_with_an_idempotency_key_never_replays_the_secret(api):
    from zhichi.accounts.models import IdempotencyRecord

    client = api("hrss1")
    headers = {"Idempotency-Key": "hook-1"}
    body = {"url": "https://partner.example/hook", "events": ["transfer.sent"]}

    first = client.post("/api/v1/webhooks", body, headers=headers)
    again = client.post("/api/v1/webhooks", body, headers=headers)

    secret = first.json()["secret"]
    assert first.status_code == 201
    assert again.status_code == 201 and "secret" not in again.json()
    assert secret.encode() not in bytes(IdempotencyRecord.objects.get(key="hook-1").body)
