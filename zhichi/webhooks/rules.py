"""Who may manage webhook subscriptions: the partner staff, heads and chiefs of the subscription's
own organisation. Another organisation's subscription is 404 (never revealed); a role that may
not manage gets 403, and the refusal is audited (rule R7)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.rules import is_member
from zhichi.audit.services import record
from zhichi.common.errors import NotPermitted
from zhichi.common.scoping import get_or_404
from zhichi.webhooks.models import WebhookSubscription

MANAGER_ROLES = frozenset({Role.PARTNER, Role.HEAD, Role.CHIEF})


def can_manage(user) -> bool:
    return is_member(user) and user.role in MANAGER_ROLES


def ensure_may_manage(user, *, action: str, obj: WebhookSubscription | None = None) -> None:
    if not can_manage(user):
        record(action=action, actor=user, obj=obj, outcome="denied")
        raise NotPermitted(
            _("Only partner staff, department heads and the chief may manage webhooks.")
        )


def get_subscription_for(user, pk) -> WebhookSubscription:
    """The subscription if it belongs to the user's organisation, else 404."""
    return get_or_404(WebhookSubscription.objects.visible_to(user).select_related("created_by"), pk)
