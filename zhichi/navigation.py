"""The collaboration and integration parts of the navigation (a context processor).

It sits at the top of the import order because it reads the rules of several apps; each flag is
the same predicate the pages themselves check, so the navigation never offers a page that would
answer 403.
"""

from __future__ import annotations

from zhichi.accounts.models import Notification
from zhichi.accounts.rules import is_auditor, is_security_admin, is_system_admin, may_hold_tokens
from zhichi.cases.rules import may_see_cases
from zhichi.cases.scope import may_see_internal
from zhichi.documents.rules import can_manage_templates
from zhichi.employers.models import may_see_joint_actions
from zhichi.imports.rules import can_import
from zhichi.stats.selectors import may_see_stats
from zhichi.transfers.models import OPEN_FOR_RECEIVER, Transfer, may_see_transfers
from zhichi.webhooks.rules import can_manage


def collaboration(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    transfers = may_see_transfers(user)
    return {
        "collab": {
            "transfers": transfers,
            # one count query per page, on the (to_org, status) index
            "inbox_waiting": Transfer.objects.inbox_of(user)
            .filter(status__in=OPEN_FOR_RECEIVER)
            .count()
            if transfers
            else 0,
            "joint_actions": may_see_joint_actions(user),
            "employers": may_see_cases(user),
            # bulk import of wage-arrears lists: intake staff and partner agencies (C14)
            "imports": can_import(user),
            # the figures, each reader over their own scope; administrators none (C13)
            "stats": may_see_stats(user),
            # the early-warning list is the procuratorate's own risk assessment (C8)
            "warnings": may_see_internal(user),
            "webhooks": can_manage(user),
            # judicial assistance and suggestions stay inside the procuratorate (not partners)
            "supervision": may_see_internal(user),
            "templates": can_manage_templates(user),
            # API tokens for everyone but the three administrators; the security pages
            "tokens": may_hold_tokens(user),
            "security": is_security_admin(user),
            # the other two administrators' consoles (rule R5): each sees only its own
            "system": is_system_admin(user),
            "audit": is_auditor(user),
        }
    }


def notifications(request):
    """The unread count in the top bar (issue 13, item 9), on every page.

    A callable, which the template calls when it shows the count: a page counts once, on the
    (user, read_at) index, however many notifications there are; an htmx fragment without the top
    bar does not count at all. The count is kept on the request, so templates rendered twice in one
    request share it; marking read is a POST followed by a new request, which counts afresh.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread_notifications() -> int:
        if not hasattr(request, "_zhichi_unread_notifications"):
            request._zhichi_unread_notifications = Notification.objects.filter(
                user=user, read_at__isnull=True
            ).count()
        return request._zhichi_unread_notifications

    return {"unread_notifications": unread_notifications}
