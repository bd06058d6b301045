"""Webhooks for partner systems (API.md § webhooks): subscriptions, publishing events, and
delivering them signed, with retries and back-off.

Other apps call ``publish_event`` inside their own transaction: the delivery rows commit (or roll
back) with the change they report, and the sending is scheduled only after the commit. Sending
never holds a database transaction open: a short transaction claims the delivery (row lock plus a
lease), the POST runs outside it, and a second short transaction records the outcome. On SQLite
every write transaction locks the whole database, so holding one across a 5-second network call
would stall every other writer.

Where a webhook may go is decided in ``targets`` (when a subscription is made and again before
every attempt, DNS included), how it is sent in ``transport`` (to the checked address only).
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.validation import Collector
from zhichi.parties import crypto
from zhichi.webhooks import rules, signing, targets, transport
from zhichi.webhooks.models import (
    FAILURE_NO_ANSWER,
    FAILURE_NOT_ALLOWED,
    FAILURE_REVOKED,
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookSubscription,
    subscribable_choices,
)

logger = logging.getLogger(__name__)

# the wait after the 1st, 2nd, ... failed attempt; past the end the last step repeats
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ACTIVE_PER_ORGANISATION = 20
URL_MAX_LENGTH = 500
LEASE_MARGIN = timedelta(seconds=60)
USER_AGENT = "Zhichi-Webhooks/1"
# Payloads carry ids, numbers, states and times only: a key that looks like personal data is a
# programming error, refused before anything is stored or sent.
FORBIDDEN_KEY_PARTS = ("name", "id_number", "id_card", "phone", "mobile", "address", "email")


class PayloadNotAllowed(ValueError):
    """A payload that could carry personal data or cannot be sent as JSON."""


# --- settings ---------------------------------------------------------------------------------
def timeout_seconds() -> int:
    return int(settings.ZHICHI.get("WEBHOOK_TIMEOUT_SECONDS", 5))


def max_attempts() -> int:
    return int(settings.ZHICHI.get("WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts (1 → 1 minute, 2 → 5 minutes, ...)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


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
    transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
    return delivery


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from zhichi.webhooks.tasks import deliver_webhook  # the task module imports this one

    task = deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # e.g. the ImmediateBackend: running the retry now would recurse and ignore the
            # back-off. The ``retry_webhooks`` command sends it when it is due.
            return
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id=delivery_id)


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


def create_subscription(*, actor: User, data: dict) -> NewSubscription:
    """A subscription for the actor's organisation, with a new secret (returned once)."""
    rules.ensure_may_manage(actor, action="webhook.create")
    c = Collector()
    url = c.text(data, "url", "url", required=True, max_length=URL_MAX_LENGTH)
    if url and not c.errors:
        problem = targets.url_problem(url)
        if problem:
            c.add("url", *problem)
    errors_before = len(c.errors)
    events = c.choices(data, "events", "events", subscribable_choices())
    if not events and len(c.errors) == errors_before:
        c.add("events", "required", _("Choose at least one event."))
    description = c.text(data, "description", "description", max_length=200)
    active = WebhookSubscription.objects.filter(
        organisation_id=actor.organisation_id, is_active=True
    ).count()
    if active >= MAX_ACTIVE_PER_ORGANISATION:
        c.add(
            "url",
            "too_many",
            _("Your organisation has %(n)d active subscriptions; revoke one first.")
            % {"n": active},
        )
    c.raise_if_errors(_("The subscription has errors; nothing was saved."))
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


# --- delivering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    event: str
    url: str
    secret: str
    body: bytes


def _claim(delivery_id: int) -> _Claim | None:
    """Lock the delivery and take a lease on it, if it is pending, due and nobody holds it."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # a stray task or an early run: the back-off decides
        if delivery.locked_until and delivery.locked_until > now:
            return None  # another worker is sending it
        subscription = delivery.subscription
        if not subscription.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = FAILURE_REVOKED
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return None
        # long enough for each of the name's addresses to time out, then the answer to
        delivery.locked_until = (
            now + timedelta(seconds=timeout_seconds() * (targets.MAX_ADDRESSES + 1)) + LEASE_MARGIN
        )
        delivery.save(update_fields=["locked_until"])
        return _Claim(
            delivery_id=delivery.pk,
            event=delivery.event,
            url=subscription.url,
            secret=crypto.decrypt(subscription.secret_enc),
            body=delivery.body.encode("utf-8"),
        )


def headers_for(claim: _Claim, at: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Zhichi-Event": claim.event,
        "X-Zhichi-Delivery": str(claim.delivery_id),
        "X-Zhichi-Timestamp": str(int(at.timestamp())),
        "X-Zhichi-Signature": signing.sign(claim.secret, claim.body),
    }


def _finish(
    delivery_id: int,
    outcome: transport.Outcome,
    *,
    started_at: datetime,
    give_up: bool = False,
) -> WebhookDelivery:
    """Record one attempt. The next attempt is counted from when this one started, so the log
    does not show how long it took (a timeout from a refusal)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        delivery.locked_until = None
        delivery.last_status_code = outcome.status_code
        if not outcome.failure:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
        else:
            delivery.last_error = outcome.failure
            if (
                give_up
                or delivery.status != DeliveryStatus.PENDING
                or delivery.attempts >= max_attempts()
            ):
                # a refused address, revoked while it was being sent, or out of attempts
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = started_at + backoff(delivery.attempts)
                transaction.on_commit(
                    partial(_enqueue, delivery.pk, delivery.next_attempt_at), robust=True
                )
        delivery.save()
    logger.info(
        "webhook delivery %s attempt %s: %s %s",
        delivery.pk,
        delivery.attempts,
        delivery.status,
        outcome.status_code or outcome.failure,
    )
    return delivery


def _send(claim: _Claim) -> tuple[transport.Outcome, bool]:
    """Check the target again (its name resolved now, once) and POST to the checked address:
    (the outcome, whether to give up). The technical reason of a failure goes to the server log
    only, with the host but never the URL (it may hold a token)."""
    try:
        target = targets.check_url(claim.url)
    except targets.TargetRefused as refused:
        logger.warning(
            "webhook delivery %s: target refused (%s): %s",
            claim.delivery_id,
            refused.code,
            refused.reason,
        )
        if refused.temporary:  # the resolver did not answer: like no answer, tried again later
            return transport.Outcome(None, FAILURE_NO_ANSWER, refused.reason), False
        return transport.Outcome(None, FAILURE_NOT_ALLOWED, refused.reason), True
    try:
        outcome = transport.post(
            target, claim.body, headers_for(claim, timezone.now()), timeout_seconds()
        )
    except Exception as exc:
        # whatever else the network side raises is one failed attempt, not a delivery stuck
        # under its lease with no attempt counted (the type only: the message might quote the
        # URL, which may hold a token)
        logger.error("webhook delivery %s: %s", claim.delivery_id, type(exc).__name__)
        return transport.Outcome(None, FAILURE_NO_ANSWER, type(exc).__name__), False
    if outcome.failure:
        logger.warning(
            "webhook delivery %s to %s port %s: %s",
            claim.delivery_id,
            target.host,
            target.port,
            outcome.reason,
        )
    return outcome, False


def attempt_delivery(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one delivery if it is pending, due and nobody else is sending it, and record the
    outcome: 2xx delivered; otherwise another attempt after the back-off, or failed after
    ``ZHICHI_WEBHOOK_MAX_ATTEMPTS``. None when there was nothing to send."""
    claim = _claim(delivery_id)
    if claim is None:
        return None
    started_at = timezone.now()
    outcome, give_up = _send(claim)
    return _finish(delivery_id, outcome, started_at=started_at, give_up=give_up)


def retry_due(*, limit: int = 500) -> Counter:
    """Send every pending delivery whose next attempt is due (``retry_webhooks``); counts by
    outcome: delivered, pending (will be retried), failed, skipped (taken by another worker)."""
    counts: Counter = Counter()
    for delivery_id in due_delivery_ids(limit=limit):
        delivery = attempt_delivery(delivery_id=delivery_id)
        counts["skipped" if delivery is None else delivery.status] += 1
    return counts


def due_delivery_ids(*, limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
