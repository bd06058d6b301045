"""Webhook subscriptions in the partner API (API.md § webhooks). The same services as the pages;
another organisation's subscription is 404, a role that may not manage webhooks 403."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from zhichi.common.api import (
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
)
from zhichi.common.schemas import IsoText, OptionalIsoText
from zhichi.webhooks import rules, services
from zhichi.webhooks.models import WebhookSubscription
from zhichi.webhooks.schemas import SubscriptionIn

router = Router()

LIST_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
OBJECT_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SubscriptionOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    secret_hint: str = Field(..., description="the secret's first characters")
    created_by: str = Field(..., alias="created_by.username")
    created_at: IsoText
    revoked_at: OptionalIsoText


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(
        ..., description="signs every delivery (X-Zhichi-Signature); returned only in this answer"
    )


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event: str
    payload: dict[str, Any]
    status: str = Field(..., description="pending | delivered | failed")
    attempts: int
    last_status_code: int | None
    last_error: str = Field(
        ...,
        alias="last_error_display",
        description=(
            "why the last attempt failed, in words (empty when delivered): the address is not "
            "allowed, no answer, or the HTTP status; never the network's technical reason"
        ),
    )
    next_attempt_at: OptionalIsoText
    delivered_at: OptionalIsoText
    created_at: IsoText


def _own(request, subscription_id: int, action: str) -> WebhookSubscription:
    subscription = rules.get_subscription_for(request.auth, subscription_id)  # 404 elsewhere
    rules.ensure_may_manage(request.auth, action=action, obj=subscription)  # 403
    return subscription


def _manages(request):
    """Who may subscribe is decided before the body is judged (issue 12, item 10)."""
    rules.ensure_may_manage(request.auth, action="webhook.create")


@router.post(
    "",
    response={201: SubscriptionCreatedOut, **LIST_ERRORS},
    summary="Subscribe a partner system to events",
)
@checks_first(_manages)
def create_webhook(request, response: HttpResponse, payload: SubscriptionIn):
    """Answers the secret once; keep it: it is never shown again."""
    created = services.create_subscription(actor=request.auth, data=payload)
    response["Cache-Control"] = "no-store"
    return Status(201, Shown(created.subscription, secret=created.secret))


@router.get(
    "", response={200: list[SubscriptionOut], **LIST_ERRORS}, summary="Your organisation's webhooks"
)
@keyset_paginated()
def list_webhooks(request):
    rules.ensure_may_manage(request.auth, action="webhook.list")
    return WebhookSubscription.objects.visible_to(request.auth).select_related("created_by")


@router.get(
    "/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **OBJECT_ERRORS, 422: ValidationErrorOut},
    summary="The delivery log of a webhook, newest first",
)
@keyset_paginated()
def list_webhook_deliveries(request, subscription_id: int):
    subscription = _own(request, subscription_id, "webhook.view")
    return subscription.deliveries.all()


@router.post(
    "/{subscription_id}/revoke",
    response={200: SubscriptionOut, **OBJECT_ERRORS},
    summary="Revoke a webhook: no more events, pending retries stop",
)
def revoke_webhook(request, subscription_id: int):
    subscription = rules.get_subscription_for(request.auth, subscription_id)
    services.revoke_subscription(actor=request.auth, subscription_id=subscription.pk)
    return rules.get_subscription_for(request.auth, subscription.pk)


@router.post(
    "/{subscription_id}/ping",
    response={202: DeliveryOut, **OBJECT_ERRORS, 422: ValidationErrorOut},
    summary="Send a test event (ping) to a webhook",
)
def ping_webhook(request, subscription_id: int):
    subscription = rules.get_subscription_for(request.auth, subscription_id)
    delivery = services.send_ping(actor=request.auth, subscription_id=subscription.pk)
    return Status(202, delivery)
