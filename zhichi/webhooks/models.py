"""Webhook subscriptions of partner organisations and the log of every delivery to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation
from zhichi.accounts.rules import is_member


class Event(models.TextChoices):
    TRANSFER_SENT = "transfer.sent", _("Transfer sent")
    TRANSFER_RECEIVED = "transfer.received", _("Transfer received")
    TRANSFER_ACCEPTED = "transfer.accepted", _("Transfer accepted")
    TRANSFER_REJECTED = "transfer.rejected", _("Transfer rejected")
    TRANSFER_ANSWERED = "transfer.answered", _("Transfer answered")
    TRANSFER_CLOSED = "transfer.closed", _("Transfer closed")
    CASE_STAGE_CHANGED = "case.stage_changed", _("Case stage changed")
    JOINT_ACTION_RECORDED = "joint_action.recorded", _("Joint action recorded")
    # sent on request to one subscription only; nobody subscribes to it
    PING = "ping", _("Test ping")


SUBSCRIBABLE_EVENTS = tuple(e for e in Event if e != Event.PING)


def subscribable_choices() -> list[tuple[str, str]]:
    return [(e.value, e.label) for e in SUBSCRIBABLE_EVENTS]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


# Why the last attempt failed, stored in ``last_error`` as one of these codes and shown as a
# sentence that says no more than the partner may know: never the socket error, nothing that
# tells a closed port from a filtered one or a timeout from a refusal (issue 12 item 4). The
# technical reason goes to the server log ("zhichi.webhooks").
FAILURE_REVOKED = "revoked"  # stopped without an attempt
FAILURE_NOT_ALLOWED = "not_allowed"  # the address was refused before connecting; not retried
FAILURE_NO_ANSWER = "no_answer"  # no HTTP answer, whatever the network said
FAILURE_HTTP = "http_error"  # an HTTP status other than 2xx (in ``last_status_code``)
FAILURE_REDIRECT = "redirect"  # a 3xx: redirects are not followed


def failure_text(failure: str, status_code: int | None) -> str:
    """What the delivery log says about a failed attempt. A stored text that is not one of the
    codes (a technical reason kept by an older version) is never shown as it is."""
    if not failure:
        return ""
    if failure == FAILURE_REVOKED:
        return str(_("Delivery stopped: the subscription was revoked."))
    if failure == FAILURE_NOT_ALLOWED:
        return str(_("Delivery failed: the address is not allowed."))
    if status_code is not None and failure != FAILURE_NO_ANSWER:
        if 300 <= status_code < 400:
            return str(
                _("Delivery failed: HTTP %(code)s (redirects are not followed).")
                % {"code": status_code}
            )
        return str(_("Delivery failed: HTTP %(code)s.") % {"code": status_code})
    return str(_("Delivery failed: no answer."))


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The subscriptions of the user's own organisation (another's is never revealed)."""
        if not is_member(user):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)


class WebhookSubscription(models.Model):
    """A partner system's endpoint for some events of one organisation.

    The secret is encrypted at rest (the same keys as personal identifiers) and shown to its
    creator once; ``secret_hint`` (its first characters) lets people tell subscriptions apart.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    url = models.CharField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret_enc = models.TextField()
    secret_hint = models.CharField(max_length=8)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "is_active"])]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.url}"

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", args=[self.pk])

    @property
    def event_labels(self) -> list[str]:
        return [str(Event(e).label) if e in Event.values else e for e in self.events]


class WebhookDelivery(models.Model):
    """One event for one subscription. ``body`` is fixed when the row is made, so every attempt
    sends the same bytes under the same signature."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(default=dict)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # a worker sending the delivery holds it until then, so no other worker sends it meanwhile
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last status code"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=200, blank=True, default="")
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"

    @property
    def last_error_display(self) -> str:
        return failure_text(self.last_error, self.last_status_code)
