"""The collaboration and integration parts of the navigation (a context processor).

It sits at the top of the import order because it reads the rules of several apps; each flag is
the same predicate the pages themselves check, so the navigation never offers a page that would
answer 403.
"""

from __future__ import annotations

from zhichi.accounts.rules import is_security_admin, may_hold_tokens
from zhichi.assistance.rules import may_see_assistance
from zhichi.cases.rules import may_see_cases
from zhichi.documents.rules import can_manage_templates
from zhichi.employers.rules import joint_action_scope
from zhichi.transfers import rules as transfer_rules
from zhichi.transfers.models import OPEN_FOR_RECEIVER
from zhichi.webhooks.rules import can_manage


def collaboration(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    transfers = transfer_rules.transfer_scope(user) is not None
    return {
        "collab": {
            "transfers": transfers,
            # one count query per page, on the (to_org, status) index
            "inbox_waiting": transfer_rules.inbox_of(user)
            .filter(status__in=OPEN_FOR_RECEIVER)
            .count()
            if transfers
            else 0,
            "joint_actions": joint_action_scope(user) is not None,
            "employers": may_see_cases(user),
            "webhooks": can_manage(user),
            # judicial assistance and suggestions stay inside the procuratorate (not partners)
            "supervision": may_see_assistance(user),
            "templates": can_manage_templates(user),
            # API tokens for everyone but the three administrators; the security pages
            "tokens": may_hold_tokens(user),
            "security": is_security_admin(user),
        }
    }
