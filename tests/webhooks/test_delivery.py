"""Publishing events and delivering them to a real local receiver: signatures, retries with
back-off, failure after the last attempt, rolled-back changes, subscribed events only, revoked
subscriptions, no redirects, and the case stage changes the case services publish."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from tests.webhooks.conftest import allow_local_receiver
from zhichi.audit.models import AuditEntry
from zhichi.cases.services import disposal, move_stage
from zhichi.common.errors import InvalidInput
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead
from zhichi.parties import crypto
from zhichi.webhooks import services, tasks
from zhichi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from zhichi.webhooks.services import PayloadNotAllowed, publish_event
from zhichi.webhooks.tasks import BACKOFF

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

TRANSFER = {"transfer_id": 7, "case_id": 3, "state": "sent", "at": "2026-11-20T10:00:00+08:00"}


def subscribe(user, url, events, **data):
    return services.create_subscription(actor=user, data={"url": url, "events": events, **data})


def publish(user, event="transfer.sent", payload=None, capture=None):
    """Publish inside a transaction, like a service does; with ``capture`` the deliveries are
    sent after the commit (ImmediateBackend: in this thread)."""
    if capture is None:
        with transaction.atomic():
            return publish_event(
                event=event, organisation_ids=[user.organisation_id], payload=payload or TRANSFER
            )
    with capture(execute=True), transaction.atomic():
        return publish_event(
            event=event, organisation_ids=[user.organisation_id], payload=payload or TRANSFER
        )


def make_due(delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def retry() -> str:
    out = StringIO()
    call_command("retry_webhooks", stdout=out)
    return out.getvalue()


# --- delivery and retries ----------------------------------------------------------------------
def test_a_failed_first_attempt_is_retried_and_delivers_the_same_signed_body(
    users, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 200]
    created = subscribe(users["civilhead"], receiver.url, ["transfer.sent"])
    receiver.secret = created.secret

    before = timezone.now()
    [delivery_id] = publish(users["civilhead"], capture=django_capture_on_commit_callbacks)
    after = timezone.now()

    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "http_error"
    with translation.override("en"):
        assert delivery.last_error_display == "Delivery failed: HTTP 500."
    assert before + BACKOFF[0] <= delivery.next_attempt_at <= after + BACKOFF[0]
    assert delivery.locked_until is None

    assert retry().startswith("delivered 0, to retry 0")  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    make_due(delivery_id)
    assert retry().startswith("delivered 1")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert (delivery.next_attempt_at, delivery.last_error) == (None, "")
    assert delivery.delivered_at is not None
    first, second = receiver.requests
    assert (first.verified, second.verified) == (True, True)
    assert first.body == second.body == delivery.body.encode("utf-8")
    assert json.loads(first.body) == {
        "id": delivery_id,
        "event": "transfer.sent",
        "created_at": timezone.localtime(delivery.created_at).isoformat(timespec="seconds"),
        "data": TRANSFER,
    }
    assert first.headers["content-type"] == "application/json"
    assert first.headers["x-zhichi-event"] == "transfer.sent"
    assert first.headers["x-zhichi-delivery"] == str(delivery_id)
    assert first.headers["x-zhichi-timestamp"].isdigit()
    assert first.headers["x-zhichi-signature"].startswith("sha256=")


def test_the_body_is_compact_json_fixed_when_the_delivery_is_made(users, receiver):
    subscribe(users["civilhead"], receiver.url, ["transfer.sent"])

    [delivery_id] = publish(users["civilhead"], payload={"case_number": "五华检民支〔2026〕1号"})

    body = WebhookDelivery.objects.get(pk=delivery_id).body
    assert '"data":{"case_number":"五华检民支〔2026〕1号"}}' in body
    assert " " not in body.replace("〔", "").split('"created_at"')[0]


def test_back_off_grows_and_the_delivery_fails_after_the_last_attempt(users, receiver, settings):
    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_MAX_ATTEMPTS": 6}
    receiver.answers = [503] * 10
    subscribe(users["chief"], receiver.url, ["transfer.sent"])
    [delivery_id] = publish(users["chief"])

    waits = []
    for _attempt in range(5):
        make_due(delivery_id)
        before = timezone.now()
        delivery = tasks.attempt_delivery(delivery_id=delivery_id)
        after = timezone.now()
        assert delivery.status == "pending"
        assert before <= delivery.next_attempt_at - BACKOFF[len(waits)] <= after
        waits.append(BACKOFF[len(waits)])
    make_due(delivery_id)
    delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert (delivery.last_status_code, delivery.last_error) == (503, "http_error")
    assert retry().startswith("delivered 0, to retry 0, failed 0")
    assert tasks.attempt_delivery(delivery_id=delivery_id) is None
    assert len(receiver.requests) == 6


def test_a_delivery_that_is_not_due_or_is_being_sent_is_not_sent(users, receiver):
    subscribe(users["chief"], receiver.url, ["transfer.sent"])
    [delivery_id] = publish(users["chief"])
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        locked_until=timezone.now() + timedelta(seconds=30)
    )

    assert tasks.attempt_delivery(delivery_id=delivery_id) is None
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        locked_until=None, next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert tasks.attempt_delivery(delivery_id=delivery_id) is None
    assert receiver.requests == []


def test_redirects_are_not_followed(users, receiver):
    receiver.answers = [302]
    subscribe(users["chief"], receiver.url, ["transfer.sent"])
    [delivery_id] = publish(users["chief"])

    delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_error == "redirect"
    with translation.override("en"):
        assert delivery.last_error_display == (
            "Delivery failed: HTTP 302 (redirects are not followed)."
        )
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_failed_attempt_logged_for_operators_only(
    users, settings, caplog
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the attempt: nobody listens there
    allow_local_receiver(settings, port)
    subscribe(users["chief"], f"http://127.0.0.1:{port}/hook?token=abc", ["transfer.sent"])
    [delivery_id] = publish(users["chief"])

    with caplog.at_level(logging.INFO, logger="zhichi.webhooks"):
        delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == "no_answer"
    # the technical reason is in the server log, for operators, without the URL's token
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert f"webhook delivery {delivery_id} to 127.0.0.1 port {port}: " in log
    assert "ConnectionRefusedError" in log
    assert "token" not in log


# --- what is published, to whom ----------------------------------------------------------------
def test_a_rolled_back_change_creates_and_sends_nothing(
    users, receiver, django_capture_on_commit_callbacks
):
    subscribe(users["chief"], receiver.url, ["transfer.sent"])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish_event(
            event="transfer.sent", organisation_ids=[users["chief"].organisation_id], payload={}
        )
        raise RuntimeError("the change fails after publishing")

    assert WebhookDelivery.objects.count() == 0
    assert callbacks == []
    assert receiver.requests == []


def test_only_subscribed_events_of_the_recipient_organisations_are_delivered(users, orgs):
    stage = subscribe(users["civilhead"], "https://proc.example/a", ["case.stage_changed"])
    subscribe(users["chief"], "https://proc.example/b", ["transfer.sent", "transfer.closed"])
    subscribe(users["hrss1"], "https://hrss.example/c", ["case.stage_changed"])

    with transaction.atomic():
        ids = publish_event(
            event="case.stage_changed",
            organisation_ids=[orgs["proc"].pk],
            payload={"case_id": 1, "case_number": "X", "from": "review", "to": "closed"},
        )

    assert list(WebhookDelivery.objects.values_list("pk", "subscription_id", "event")) == [
        (ids[0], stage.subscription.pk, "case.stage_changed")
    ]


def test_several_organisations_receive_one_delivery_per_subscription(users, orgs):
    subscribe(users["civilhead"], "https://proc.example/a", ["transfer.accepted"])
    subscribe(users["hrss1"], "https://hrss.example/c", ["transfer.accepted"])
    subscribe(users["wf1"], "https://wf.example/d", ["transfer.sent"])

    with transaction.atomic():
        ids = publish_event(
            event="transfer.accepted",
            organisation_ids=iter(
                [orgs["proc"].pk, orgs["hrss"].pk, orgs["wf"].pk, orgs["proc"].pk]
            ),
            payload={"transfer_id": 1},
        )

    assert sorted(
        WebhookDelivery.objects.filter(pk__in=ids).values_list(
            "subscription__organisation__code", flat=True
        )
    ) == ["WHHRSS", "WHPROC"]
    with transaction.atomic():
        assert publish_event(event="transfer.accepted", organisation_ids=[], payload={}) == []


def test_a_revoked_subscription_gets_nothing_and_its_pending_retries_stop(
    users, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    created = subscribe(users["hrss1"], receiver.url, ["transfer.sent"])
    [pending] = publish(users["hrss1"], capture=django_capture_on_commit_callbacks)

    services.revoke_subscription(actor=users["hrss1"], subscription_id=created.subscription.pk)
    with transaction.atomic():
        later = publish_event(
            event="transfer.sent", organisation_ids=[users["hrss1"].organisation_id], payload={}
        )
    make_due(pending)
    retry()

    assert later == []
    delivery = WebhookDelivery.objects.get(pk=pending)
    assert (delivery.status, delivery.last_error) == ("failed", "revoked")
    assert len(receiver.requests) == 1
    assert AuditEntry.objects.filter(action="webhook.revoke", outcome="ok").count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"case_id": 1, "name": "王建国"},
        {"case_id": 1, "claimant_name": "王建国"},
        {"case_id": 1, "id_number": "530102198503121234"},
        {"case_id": 1, "Phone": "13800001111"},
        {"case_id": 1, "claimants": [{"party_id": 2, "mobile": "13800001111"}]},
        {"case_id": 1, "respondent": {"address": "某路1号"}},
        {"case_id": object()},
        {"case_id": float("nan")},
    ],
    ids=["name", "claimant_name", "id_number", "phone", "nested", "address", "object", "nan"],
)
def test_publish_event_refuses_payloads_with_personal_data_or_no_json(users, payload):
    subscribe(users["chief"], "https://proc.example/a", ["transfer.sent"])

    with pytest.raises(PayloadNotAllowed), transaction.atomic():
        publish_event(
            event="transfer.sent",
            organisation_ids=[users["chief"].organisation_id],
            payload=payload,
        )

    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize("event", ["ping", "case.created", ""])
def test_publish_event_refuses_unknown_events_and_ping(users, event):
    with pytest.raises(ValueError), transaction.atomic():
        publish_event(event=event, organisation_ids=[users["chief"].organisation_id], payload={})


def test_times_in_a_payload_are_sent_in_local_time_with_their_offset(users):
    subscribe(users["chief"], "https://proc.example/a", ["joint_action.recorded"])
    at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)

    [delivery_id] = publish(
        users["chief"], "joint_action.recorded", {"joint_action_id": 1, "at": at}
    )

    assert WebhookDelivery.objects.get(pk=delivery_id).payload == {
        "joint_action_id": 1,
        "at": "2026-11-20T10:30:00+08:00",
    }


# --- subscriptions ----------------------------------------------------------------------------
def test_the_secret_is_stored_encrypted_and_returned_only_at_creation(users):
    created = subscribe(users["hrss1"], "https://hrss.example/hook", ["transfer.sent"])

    row = WebhookSubscription.objects.get(pk=created.subscription.pk)
    assert created.secret not in row.secret_enc
    assert crypto.decrypt(row.secret_enc) == created.secret
    assert row.secret_hint == created.secret[:4]
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.detail == {"host": "hrss.example", "events": ["transfer.sent"]}
    assert created.secret not in json.dumps(entry.detail)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://partner.example/hook", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("partner.example/hook", "scheme"),
        ("https://user:pw@partner.example/hook", "userinfo"),
        ("https:///hook", "host"),
        ("https://partner.example:99999/hook", "invalid"),
        ("https://partner.example/a hook", "invalid"),
        ("", "required"),
        ("https://partner.example/" + "x" * 500, "max_length"),
    ],
)
def test_bad_urls_are_refused_at_the_field(users, url, code):
    with pytest.raises(InvalidInput) as exc:
        subscribe(users["hrss1"], url, ["transfer.sent"])

    assert [(e.field, e.code) for e in exc.value.errors] == [("url", code)]
    assert WebhookSubscription.objects.count() == 0


def test_events_must_be_known_and_at_least_one(users):
    with pytest.raises(InvalidInput) as exc:
        subscribe(users["hrss1"], "https://partner.example/hook", ["transfer.sent", "ping", "x"])
    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("events.1", "choice"),
        ("events.2", "choice"),
    ]
    with pytest.raises(InvalidInput) as exc:
        subscribe(users["hrss1"], "https://partner.example/hook", [])
    assert [(e.field, e.code) for e in exc.value.errors] == [("events", "required")]


def test_allowed_hosts_limit_where_subscriptions_and_deliveries_may_go(users, settings, receiver):
    created = subscribe(users["chief"], receiver.url, ["transfer.sent"])
    settings.ZHICHI = {
        **settings.ZHICHI,
        "WEBHOOK_ALLOWED_HOSTS": [".partner.example", "10.0.0.5"],
    }

    for url in ("https://hook.partner.example/x", "https://PARTNER.example/x"):
        subscribe(users["chief"], url, ["transfer.sent"])
    for url in ("https://evil.example/x", "https://notpartner.example/x", receiver.url):
        with pytest.raises(InvalidInput) as exc:
            subscribe(users["chief"], url, ["transfer.sent"])
        assert exc.value.errors[0].code == "host_not_allowed"
    # the address rules apply on top of the list: a private address needs the private setting
    with pytest.raises(InvalidInput) as exc:
        subscribe(users["chief"], "http://10.0.0.5/", ["transfer.sent"])
    assert exc.value.errors[0].code == "address_not_allowed"
    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_ALLOW_PRIVATE": True}
    subscribe(users["chief"], "http://10.0.0.5/", ["transfer.sent"])
    # a subscription made before the setting changed is not sent to any more: one failed
    # attempt, not retried
    with transaction.atomic():
        publish_event(
            event="transfer.sent", organisation_ids=[users["chief"].organisation_id], payload={}
        )
    delivery = WebhookDelivery.objects.get(subscription=created.subscription)
    tasks.attempt_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        1,
        "not_allowed",
    )
    assert (delivery.next_attempt_at, delivery.locked_until) == (None, None)
    assert receiver.requests == []


def test_an_organisation_has_at_most_twenty_active_subscriptions(users):
    for i in range(services.MAX_ACTIVE_PER_ORGANISATION):
        subscribe(users["wf1"], f"https://wf.example/{i}", ["transfer.sent"])

    with pytest.raises(InvalidInput) as exc:
        subscribe(users["wf1"], "https://wf.example/one-more", ["transfer.sent"])

    assert exc.value.errors[0].code == "too_many"


def test_a_ping_is_delivered_like_any_event_and_a_revoked_subscription_refuses_it(
    users, receiver, django_capture_on_commit_callbacks
):
    created = subscribe(users["hrss1"], receiver.url, ["transfer.sent"])
    receiver.secret = created.secret

    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_ping(actor=users["hrss1"], subscription_id=created.subscription.pk)

    delivery.refresh_from_db()
    assert (delivery.event, delivery.status, delivery.payload) == (
        "ping",
        DeliveryStatus.DELIVERED,
        {"subscription_id": created.subscription.pk},
    )
    assert [r.verified for r in receiver.requests] == [True]
    assert receiver.requests[0].headers["x-zhichi-event"] == "ping"
    services.revoke_subscription(actor=users["hrss1"], subscription_id=created.subscription.pk)
    with pytest.raises(InvalidInput):
        services.send_ping(actor=users["hrss1"], subscription_id=created.subscription.pk)
    assert AuditEntry.objects.filter(action="webhook.ping").count() == 1


# --- case stage changes -------------------------------------------------------------------------
def open_case(users, payload):
    lead = intake.create_lead(actor=users["civil1"], data=validate_lead(payload()))
    return intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def test_case_stage_changes_and_closing_are_published_to_the_case_organisation(
    users, payload, receiver, django_capture_on_commit_callbacks
):
    created = subscribe(users["civilhead"], receiver.url, ["case.stage_changed"])
    receiver.secret = created.secret
    subscribe(users["chief"], "https://proc.example/transfers", ["transfer.sent"])
    subscribe(users["hrss1"], "https://hrss.example/cases", ["case.stage_changed"])
    case = open_case(users, payload)

    with django_capture_on_commit_callbacks(execute=True):
        moved = move_stage(
            case_id=case.pk,
            to="pre_litigation",
            reason="先行调解",
            version=case.version,
            actor=users["civil1"],
        )
    with pytest.raises(InvalidInput):
        move_stage(
            case_id=case.pk,
            to="post_litigation",
            reason="无判决",
            version=moved.version,
            actor=users["civil1"],
        )
    closed = disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "撤回"}
    )

    rows = list(WebhookDelivery.objects.order_by("id"))
    assert [(d.subscription_id, d.event) for d in rows] == [
        (created.subscription.pk, "case.stage_changed"),
        (created.subscription.pk, "case.stage_changed"),
    ]
    assert rows[0].payload == {
        "case_id": case.pk,
        "case_number": case.number,
        "from": "review",
        "to": "pre_litigation",
        "at": timezone.localtime(moved.updated_at).isoformat(timespec="seconds"),
    }
    assert rows[1].payload == {
        "case_id": case.pk,
        "case_number": case.number,
        "from": "pre_litigation",
        "to": "closed",
        "at": timezone.localtime(closed.updated_at).isoformat(timespec="seconds"),
    }
    assert rows[0].status == "delivered"
    assert [r.verified for r in receiver.requests] == [True]
    assert json.loads(receiver.requests[0].body)["data"]["to"] == "pre_litigation"
