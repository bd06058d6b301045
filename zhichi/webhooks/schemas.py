"""A webhook subscription as it is asked for, declared once: the API validates its body with it
and ``services.create_subscription`` reads a page's form values (or a caller's dict) through it.

Whether the address may receive webhooks (scheme, port, and what the host resolves to under the
deployment's settings) is the service's check (``targets``), made only for a caller allowed to
subscribe; so is "at least one event", which is reported in the same answer as the address."""

from __future__ import annotations

from ninja import Field
from pydantic import field_validator

from zhichi.common.schemas import StrippedIn, one_of, text
from zhichi.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookSubscription

EVENTS = tuple(e.value for e in SUBSCRIBABLE_EVENTS)


class SubscriptionIn(StrippedIn):
    url: text(WebhookSubscription, "url", required=True) = Field(
        ...,
        description=(
            "https:// or http://, no user name or password in it, on an allowed port (by default "
            "80, 443, 8080, 8443); the host must resolve to public addresses only (no loopback, "
            "private, link-local, multicast or reserved address unless the deployment allows "
            "it): otherwise 422 at `url`"
        ),
    )
    events: list[one_of(EVENTS)] = Field(..., description="at least one")
    description: text(WebhookSubscription, "description") | None = None

    @field_validator("events")
    @classmethod
    def _once_each(cls, events: list[str]) -> list[str]:
        return list(dict.fromkeys(events))
