"""Who may hold API tokens and who keeps the instance's sign-in safety (issue 12 items 7, 8, 12).

- Every active user who is not one of the three administrators may hold personal API tokens and
  manage their own. Someone else's token is 404 to them (never revealed).
- The security administrator (role ``secadmin``) sees and revokes every token, sees and lifts
  sign-in locks, and disables or re-enables users, across the whole instance. Every other role
  gets 403 on those pages, and the refusal is audited (rule R7).
- Rule R5 (separation of the three administrators): no administrator holds an API token, and the
  security administrator acts neither on their own account nor on another administrator's.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhichi.accounts.models import SYSTEM_ROLES, ApiToken, Role
from zhichi.audit.services import record
from zhichi.common.errors import NotPermitted
from zhichi.common.scoping import get_or_404


def is_signed_in(user) -> bool:
    """An active user who signed in (any role, an administrator included)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_member(user) -> bool:
    """An active signed-in user who belongs to an organisation: whom the scopes of cases, leads,
    transfers and the rest start from. The one test of it; every app's rules use this."""
    return is_signed_in(user) and bool(user.organisation_id)


def may_hold_tokens(user) -> bool:
    return is_signed_in(user) and not user.is_admin_role


def is_security_admin(user) -> bool:
    return is_signed_in(user) and user.role == Role.SECADMIN


def ensure_may_hold_tokens(user, *, action: str) -> None:
    if not may_hold_tokens(user):
        record(action=action, actor=user, outcome="denied")
        raise NotPermitted(
            _("Administrator accounts cannot hold API tokens. Use the pages of the system instead.")
        )


def ensure_security_admin(user, *, action: str, obj=None) -> None:
    if not is_security_admin(user):
        record(action=action, actor=user, obj=obj, outcome="denied")
        raise NotPermitted(_("Only the security administrator may do this."))


def ensure_not_self_or_admin(actor, user, *, action: str) -> None:
    """Rule R5: an administrator acts neither on their own account nor on another
    administrator's (their powers are changed on the server, never from a page)."""
    if user.pk == actor.pk:
        record(action=action, actor=actor, obj=user, outcome="denied")
        raise NotPermitted(_("You cannot do this to your own account."))
    if user.is_admin_role:
        record(action=action, actor=actor, obj=user, outcome="denied")
        raise NotPermitted(
            _(
                "An administrator's account is not changed from here (separation of the three "
                "administrators)."
            )
        )
    if user.role in SYSTEM_ROLES:
        record(action=action, actor=actor, obj=user, outcome="denied")
        raise NotPermitted(_("A system account is not changed from here: it never signs in."))


def own_tokens(user) -> QuerySet[ApiToken]:
    if not is_signed_in(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk)


def get_own_token_for(user, pk) -> ApiToken:
    """One of the user's own tokens, else 404 (someone else's token is never revealed)."""
    return get_or_404(own_tokens(user), pk)


def get_any_token_for(user, pk) -> ApiToken:
    """Any token, for the security administrator (403 for everyone else, 404 when missing)."""
    ensure_security_admin(user, action="token.revoke")
    return get_or_404(ApiToken.objects.select_related("user"), pk)


# --- the system administrator (rule R5, 三员分立) -------------------------------------------------
# Organisations, departments, document templates and numbering, the law library: the system
# administrator's part. No case content, no users or roles (the security administrator's), no
# audit trail (the auditor's). Every other role gets 403, audited.
def is_system_admin(user) -> bool:
    return is_signed_in(user) and user.role == Role.SYSADMIN


def ensure_system_admin(user, *, action: str, obj=None) -> None:
    if not is_system_admin(user):
        record(action=action, actor=user, obj=obj, outcome="denied")
        raise NotPermitted(_("Only the system administrator may do this."))


# --- the auditor (rule R5, 三员分立) -------------------------------------------------------------
# The audit trail's reader: its console (zhichi.consoles) lists, exports and verifies it. Every
# other role gets 403, audited; the auditor changes nothing else.
def is_auditor(user) -> bool:
    """The audit administrator (role ``auditor``): the only reader of the audit trail (rule R5)."""
    return is_signed_in(user) and user.role == Role.AUDITOR


def ensure_auditor(user, *, action: str) -> None:
    """403 for every role but the auditor, the refusal audited (rule R7)."""
    if not is_auditor(user):
        record(action=action, actor=user, outcome="denied")
        raise NotPermitted(_("Only the auditor may read the audit trail."))
