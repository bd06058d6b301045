"""Sending webhook deliveries (API.md § webhooks): claim a delivery, POST it signed, record the
outcome, and queue the next attempt after the back-off. ``deliver_webhook`` is the background task
that sends one (Django's Tasks API; run `manage.py db_worker`); ``services`` makes the deliveries
and queues them here.

Sending never holds a database transaction open: a short transaction claims the delivery (row
lock plus a lease), the POST runs outside it, and a second short transaction records the outcome.
On SQLite every write transaction locks the whole database, so holding one across a 5-second
network call would stall every other writer.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from zhichi.parties import crypto
from zhichi.webhooks import signing, targets, transport
from zhichi.webhooks.models import (
    FAILURE_NO_ANSWER,
    FAILURE_NOT_ALLOWED,
    FAILURE_REVOKED,
    DeliveryStatus,
    WebhookDelivery,
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
LEASE_MARGIN = timedelta(seconds=60)
USER_AGENT = "Zhichi-Webhooks/1"


# --- settings ---------------------------------------------------------------------------------
def timeout_seconds() -> int:
    return int(settings.ZHICHI.get("WEBHOOK_TIMEOUT_SECONDS", 5))


def max_attempts() -> int:
    return int(settings.ZHICHI.get("WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts (1 → 1 minute, 2 → 5 minutes, ...)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


# --- the background task ------------------------------------------------------------------------
@task()
def deliver_webhook(delivery_id: int) -> dict:
    delivery = attempt_delivery(delivery_id=delivery_id)
    if delivery is None:
        return {"delivery": delivery_id, "sent": False}
    return {
        "delivery": delivery_id,
        "sent": True,
        "status": delivery.status,
        "attempts": delivery.attempts,
    }


def enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    """Queue the sending of a delivery, now or (a retry) at ``run_after``."""
    task = deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # e.g. the ImmediateBackend: running the retry now would recurse and ignore the
            # back-off. The ``retry_webhooks`` command sends it when it is due.
            return
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id=delivery_id)


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
                    partial(enqueue, delivery.pk, delivery.next_attempt_at), robust=True
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
