"""Webhooks for partner systems (API.md § webhooks): subscriptions, and publishing events.

Other apps call ``publish_event`` inside their own transaction: the delivery rows commit (or roll
back) with the change they report, and the sending is queued only after the commit. How a
delivery is sent, signed, with retries and back-off, is in ``tasks``.

Where a webhook may go is decided in ``targets`` (when a subscription is made and again before
every attempt, DNS included), how it is sent in ``transport`` (to the checked address only).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.parties import crypto
from zhichi.webhooks import rules, signing, targets, tasks
from zhichi.webhooks.models import (
    FAILURE_REVOKED,
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from zhichi.webhooks.schemas import SubscriptionIn

MAX_ACTIVE_PER_ORGANISATION = 20
URL_MAX_LENGTH = 500
# Payloads carry ids, numbers, states and times only: a key that looks like personal data is a
# programming error, refused before anything is stored or sent.
FORBIDDEN_KEY_PARTS = ("name", "id_number", "id_card", "phone", "mobile", "address", "email")


class PayloadNotAllowed(ValueError):
    """A payload that could carry personal data or cannot be sent as JSON."""


# --- payloads and bodies ------------------------------------------------------------------------
def clean_payload(value: Any, path: str = "data") -> Any:
    """The payload as plain JSON values (times in local time with their offset); refuses keys
    that look like personal data."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadNotAllowed(f"webhook payload key {key!r} at {path} is not text")
            lowered = key.lower()
            if any(part in lowered for part in FORBIDDEN_KEY_PARTS):
                raise PayloadNotAllowed(
                    f"webhook payload key {path}.{key} looks like personal data; "
                    "webhooks carry ids, numbers, states and times only"
                )
            out[key] = clean_payload(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [clean_payload(item, f"{path}.{i}") for i, item in enumerate(value)]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise PayloadNotAllowed(f"webhook payload value at {path} cannot be sent as JSON")


def render_body(delivery: WebhookDelivery) -> str:
    """The exact text sent (as UTF-8) for every attempt: compact JSON, fixed at creation."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": timezone.localtime(delivery.created_at).isoformat(timespec="seconds"),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _queue(subscription: WebhookSubscription, event: str, data: dict) -> WebhookDelivery:
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event=event,
        payload=data,
        body="",
        next_attempt_at=now,
        created_at=now,
    )
    delivery.body = render_body(delivery)
    delivery.save(update_fields=["body"])
    # robust: a queue that cannot take the task must not fail the change that was just
    # committed; the delivery stays pending and ``retry_webhooks`` sends it
    transaction.on_commit(partial(tasks.enqueue, delivery.pk), robust=True)
    return delivery


# --- publishing ---------------------------------------------------------------------------------
def publish_event(*, event: str, organisation_ids: Iterable[int], payload: dict) -> list[int]:
    """Queue ``event`` for every active subscription of ``organisation_ids`` that subscribes to it.

    Call it inside the transaction of the change it reports: the deliveries are made in that
    transaction (a rolled-back change sends nothing) and sent after the commit. ``payload`` holds
    ids, numbers, states and times only, never names, ID numbers or phones (refused with
    ``PayloadNotAllowed``). Returns the new deliveries' ids.
    """
    if event not in SUBSCRIBABLE_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    if not isinstance(payload, dict):
        raise PayloadNotAllowed("the webhook payload must be a dict")
    data = clean_payload(payload)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish_event must be called inside the caller's transaction")
    organisations = {int(pk) for pk in organisation_ids}
    if not organisations:
        return []
    subscriptions = WebhookSubscription.objects.filter(
        organisation_id__in=organisations, is_active=True
    ).order_by("id")
    # JSON "contains" is not available on SQLite; an organisation has a handful of subscriptions
    value = Event(event).value
    return [_queue(s, value, data).pk for s in subscriptions if value in s.events]


# --- managing subscriptions ---------------------------------------------------------------------
@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str  # shown to the creator once, never stored in the clear


def _ensure_own(actor: User, subscription: WebhookSubscription, action: str) -> None:
    rules.ensure_may_manage(actor, action=action, obj=subscription)
    if subscription.organisation_id != actor.organisation_id:
        record(action=action, actor=actor, obj=subscription, outcome="denied")
        raise NotPermitted(_("This subscription belongs to another organisation."))


def create_subscription(*, actor: User, data: SubscriptionIn | dict) -> NewSubscription:
    """A subscription for the actor's organisation, with a new secret (returned once)."""
    rules.ensure_may_manage(actor, action="webhook.create")
    data = parse(SubscriptionIn, data)
    url, events, description = data.url, data.events, data.description or ""
    errors: list[FieldError] = []
    # where the address leads depends on the deployment and on DNS: checked here, for a caller
    # allowed to subscribe, and reported with "at least one event" in the same answer
    problem = targets.url_problem(url)
    if problem:
        errors.append(FieldError("url", *problem))
    if not events:
        errors.append(FieldError("events", "required", _("Choose at least one event.")))
    active = WebhookSubscription.objects.filter(
        organisation_id=actor.organisation_id, is_active=True
    ).count()
    if active >= MAX_ACTIVE_PER_ORGANISATION:
        errors.append(
            FieldError(
                "url",
                "too_many",
                _("Your organisation has %(n)d active subscriptions; revoke one first.")
                % {"n": active},
            )
        )
    if errors:
        raise InvalidInput(errors, detail=_("The subscription has errors; nothing was saved."))
    secret = signing.new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organisation_id=actor.organisation_id,
            url=url,
            events=events,
            secret_enc=crypto.encrypt(secret),
            secret_hint=secret[:4],
            description=description,
            created_by=actor,
        )
        record(
            action="webhook.create",
            actor=actor,
            obj=subscription,
            detail={"host": urlsplit(url).hostname, "events": events},
        )
    return NewSubscription(subscription=subscription, secret=secret)


def revoke_subscription(*, actor: User, subscription_id: int) -> WebhookSubscription:
    """Stop a subscription: no new events, and its pending deliveries are not retried."""
    _ensure_own(actor, WebhookSubscription.objects.get(pk=subscription_id), "webhook.revoke")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        if not subscription.is_active:
            return subscription
        subscription.is_active = False
        subscription.revoked_at = timezone.now()
        subscription.save(update_fields=["is_active", "revoked_at"])
        stopped = subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=FAILURE_REVOKED
        )
        record(
            action="webhook.revoke",
            actor=actor,
            obj=subscription,
            detail={"pending_stopped": stopped},
        )
    return subscription


def send_ping(*, actor: User, subscription_id: int) -> WebhookDelivery:
    """A test event ("ping") for one subscription, signed and retried like any other."""
    _ensure_own(actor, WebhookSubscription.objects.get(pk=subscription_id), "webhook.ping")
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        if not subscription.is_active:
            raise InvalidInput(
                [
                    FieldError(
                        "subscription",
                        "revoked",
                        _("This subscription is revoked; it receives nothing."),
                    )
                ]
            )
        delivery = _queue(subscription, Event.PING.value, {"subscription_id": subscription.pk})
        record(
            action="webhook.ping",
            actor=actor,
            obj=subscription,
            detail={"delivery": delivery.pk},
        )
    return delivery
