"""State changes for accounts: API tokens, sign-in locks, disabling users, gap-free numbering."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts import passwords, rules, sessions
from zhichi.accounts.models import (
    ADMIN_ROLES,
    GIVEN_ROLES,
    PORTAL_USERNAME_PREFIX,
    ApiToken,
    Department,
    NumberSequence,
    Organisation,
    OrgKind,
    Role,
    User,
)
from zhichi.audit.services import record
from zhichi.common import changes
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted

TOKEN_PREFIX = "zc_"  # noqa: S105 - a public marker, not a secret
TOKEN_NAME_MAX = ApiToken._meta.get_field("name").max_length


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


def _clean_token_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(
            [
                FieldError(
                    "name", "required", _("Give the token a name, e.g. the system that uses it.")
                )
            ]
        )
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(
            [
                FieldError(
                    "name",
                    "max_length",
                    _("Keep the name under %(max)d characters.") % {"max": TOKEN_NAME_MAX},
                )
            ]
        )
    return name


def issue_token(*, user: User, name: str, actor: User | None = None) -> IssuedToken:
    """Create a token for ``user``, valid for ZHICHI_TOKEN_DAYS; the raw value is returned once
    and never stored. ``actor`` None is the server's operator (``manage.py issue_token``);
    otherwise users issue tokens only for themselves. The three administrator roles hold none
    (issue 12 item 8, rule R5)."""
    if user.is_admin_role:
        raise NotPermitted(
            _("Administrator accounts cannot hold API tokens. Use the pages of the system instead.")
        )
    if not user.is_active:
        raise NotPermitted(_("This account is disabled; it cannot hold API tokens."))
    if actor is not None and actor.pk != user.pk:
        raise NotPermitted(_("Users issue API tokens only for themselves."))
    name = _clean_token_name(name)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:10],
            digest=token_digest(raw),
            created_at=now,
            expires_at=now + timedelta(days=settings.ZHICHI_TOKEN_DAYS),
        )
        record(
            action="token.issue",
            actor=actor,
            obj=token,
            username="" if actor else "manage.py",
            detail={
                "for": user.username,
                "prefix": token.prefix,
                "name": token.name,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return IssuedToken(token=token, raw=raw)


def _may_revoke(actor: User | None, token: ApiToken) -> bool:
    if actor is None:  # the server's operator (manage.py revoke_token)
        return True
    return actor.pk == token.user_id or rules.is_security_admin(actor)


def revoke_token(*, token: ApiToken, actor: User | None) -> bool:
    """Revoke one token: its owner, the security administrator or the server's operator.
    True when it was live until now; revoking a revoked token changes nothing."""
    if not _may_revoke(actor, token):
        record(action="token.revoke", actor=actor, obj=token, outcome="denied")
        raise NotPermitted(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            owner = User.objects.only("username").get(pk=token.user_id)
            record(
                action="token.revoke",
                actor=actor,
                obj=token,
                username="" if actor else "manage.py",
                detail={"for": owner.username, "prefix": token.prefix},
            )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(changed)


def _revoke_all(user: User, actor: User | None, reason: str) -> int:
    """Inside the caller's transaction: revoke every unrevoked token of ``user``, one audit row."""
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    prefixes = sorted(live.values_list("prefix", flat=True))
    count = ApiToken.objects.filter(pk__in=live.values("pk")).update(revoked_at=timezone.now())
    if count:
        record(
            action="token.revoke",
            actor=actor,
            obj=user,
            username="" if actor else "manage.py",
            detail={"for": user.username, "prefixes": prefixes, "count": count, "reason": reason},
        )
    return count


def revoke_tokens_of(*, user: User, actor: User | None) -> int:
    """Revoke every token of ``user`` (the security administrator, or the server's operator
    through ``manage.py revoke_token``). Returns how many were revoked."""
    if actor is not None:
        rules.ensure_security_admin(actor, action="token.revoke", obj=user)
    with transaction.atomic():
        return _revoke_all(user, actor, "all tokens of the user")


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None: a revoked or expired token, a
    disabled user, or a user who now holds an administrator role (who may hold no token)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation", "user__department")
        .filter(digest=token_digest(raw))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if not token.user.is_active or token.user.is_admin_role:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- disabling users (issue 12 item 12) --------------------------------------------------------
def set_user_active(*, user: User, active: bool, actor: User) -> bool:
    """Disable or re-enable ``user`` (the security administrator only). Either way every session
    of the user ends (a new security stamp) and every token is revoked, so nothing from before
    survives a disable. Refused for the actor's own account and for another administrator's
    (rule R5). True when the state changed; asking for the state it already has changes nothing.
    """
    rules.ensure_security_admin(actor, action="user.set_active", obj=user)
    rules.ensure_not_self_or_admin(actor, user, action="user.set_active")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return False
        locked.is_active = active
        locked.rotate_security_stamp()
        locked.save(update_fields=["is_active", "security_stamp"])
        sessions.end_all_of(locked, "enabled" if active else "disabled")
        revoked = _revoke_all(locked, actor, "user enabled" if active else "user disabled")
        record(
            action="user.enable" if active else "user.disable",
            actor=actor,
            obj=locked,
            detail={"username": locked.username, "tokens_revoked": revoked},
        )
    user.is_active, user.security_stamp = locked.is_active, locked.security_stamp
    return True


# --- the security administrator's user management (rule R5, R6) ------------------------------
PROCURATORATE_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.CHIEF, Role.REGISTRAR})
NEEDS_DEPARTMENT = frozenset({Role.OFFICER, Role.HEAD, Role.REGISTRAR})
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,150}$")


@dataclass(frozen=True)
class Membership:
    role: str
    organisation: Organisation | None
    department: Department | None


def _membership_errors(m: Membership) -> list[FieldError]:
    """One role, in an organisation that has it (rule R5 and the scopes every app starts from)."""
    errors = []
    if m.role not in GIVEN_ROLES:
        errors.append(
            FieldError(
                "role",
                "invalid",
                _("Choose one of the roles listed; administrator roles are given on the server."),
            )
        )
        return errors
    if m.organisation is None:
        return [FieldError("organisation", "required", _("Choose the user's organisation."))]
    if not m.organisation.is_active:
        errors.append(
            FieldError("organisation", "inactive", _("This organisation is deactivated."))
        )
    is_proc = m.organisation.kind == OrgKind.PROCURATORATE
    if m.role in PROCURATORATE_ROLES and not is_proc:
        errors.append(
            FieldError("role", "wrong_org", _("This role belongs to a procuratorate's staff."))
        )
    if m.role == Role.PARTNER and is_proc:
        errors.append(
            FieldError(
                "role",
                "wrong_org",
                _("Partner agency staff belong to a partner organisation, not a procuratorate."),
            )
        )
    if m.department is not None and m.department.organisation_id != m.organisation.pk:
        errors.append(
            FieldError(
                "department", "wrong_org", _("This department belongs to another organisation.")
            )
        )
    elif m.department is None and m.role in NEEDS_DEPARTMENT:
        errors.append(
            FieldError("department", "required", _("This role works in a department: choose it."))
        )
    return errors


def _clean_names(first_name: str, last_name: str, phone: str) -> tuple[str, str, str]:
    return (
        " ".join(str(first_name or "").split())[:150],
        " ".join(str(last_name or "").split())[:150],
        " ".join(str(phone or "").split())[:32],
    )


def create_user(
    *,
    actor: User,
    username: str,
    membership: Membership,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> passwords.TemporaryPassword:
    """The security administrator opens an account with one role and a temporary password
    (returned once), which the user replaces at the first sign-in; they then set up their
    authenticator. Audited ``user.create``."""
    rules.ensure_security_admin(actor, action="user.create")
    username = str(username or "").strip()
    errors = []
    if not USERNAME_RE.match(username):
        errors.append(
            FieldError(
                "username",
                "invalid",
                _("2 to 150 letters, digits and . _ - (no spaces, no Chinese characters)."),
            )
        )
    # a person's account under a portal account's name would stop that procuratorate's portal
    elif username.lower().startswith(PORTAL_USERNAME_PREFIX):
        errors.append(
            FieldError(
                "username",
                "reserved",
                _("User names starting with “portal.” belong to the public portal's accounts."),
            )
        )
    elif User.objects.filter(username__iexact=username).exists():
        errors.append(FieldError("username", "taken", _("This user name is taken.")))
    errors += _membership_errors(membership)
    first_name, last_name, phone = _clean_names(first_name, last_name, phone)
    if not (first_name or last_name):
        errors.append(FieldError("first_name", "required", _("Enter the person's name.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            role=membership.role,
            organisation=membership.organisation,
            department=membership.department,
        )
        user.set_unusable_password()
        user.save()
        raw = passwords.set_temporary_password(user)
        record(
            action="user.create",
            actor=actor,
            obj=user,
            detail={
                "username": username,
                "role": membership.role,
                "organisation": membership.organisation.code,
                "department": membership.department.code if membership.department else None,
            },
        )
    return passwords.TemporaryPassword(user=user, raw=raw)


def update_user(
    *,
    actor: User,
    user: User,
    membership: Membership,
    first_name: str,
    last_name: str,
    phone: str,
) -> list[str]:
    """The security administrator changes a user's one role, organisation, department, name or
    phone. A new role or place ends the user's sessions (their powers changed). Not their own
    account, nor another administrator's (rule R5). Returns the fields changed; audited
    ``user.update`` with the values before and after."""
    rules.ensure_security_admin(actor, action="user.update", obj=user)
    rules.ensure_not_self_or_admin(actor, user, action="user.update")
    errors = _membership_errors(membership)
    first_name, last_name, phone = _clean_names(first_name, last_name, phone)
    if not (first_name or last_name):
        errors.append(FieldError("first_name", "required", _("Enter the person's name.")))
    if errors:
        raise InvalidInput(errors)
    wanted = {
        "role": membership.role,
        "organisation_id": membership.organisation.pk,
        "department_id": membership.department.pk if membership.department else None,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
    }
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = changes.diff(locked, wanted)
        if not changed:
            return []
        fields = changes.apply(locked, changed)
        if {"role", "organisation_id", "department_id"} & set(changed):
            locked.rotate_security_stamp()
            fields.append("security_stamp")
            sessions.end_all_of(locked, "role_changed")
        locked.save(update_fields=fields)
        record(
            action="user.update",
            actor=actor,
            obj=locked,
            detail={
                "username": locked.username,
                "changed": {k: {"before": b, "after": a} for k, (b, a) in changed.items()},
            },
        )
    return list(changed)


def reset_password(*, actor: User, user: User) -> passwords.TemporaryPassword:
    """The security administrator gives ``user`` a temporary password (returned once) to replace
    at the next sign-in; every session of the user ends. Not their own account (they change it
    themselves), nor another administrator's (rule R5). Audited ``user.password_reset``."""
    rules.ensure_security_admin(actor, action="user.password_reset", obj=user)
    rules.ensure_not_self_or_admin(actor, user, action="user.password_reset")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        raw = passwords.set_temporary_password(locked)
        locked.rotate_security_stamp()
        locked.save(update_fields=["security_stamp"])
        sessions.end_all_of(locked, "password_reset")
        record(
            action="user.password_reset",
            actor=actor,
            obj=locked,
            detail={"username": locked.username},
        )
    return passwords.TemporaryPassword(user=locked, raw=raw)


def set_admin_role(
    *, username: str, role: str, organisation: Organisation | None = None, name: str = ""
) -> tuple[User, str | None]:
    """The server's operator (``manage.py set_admin_role``) makes an account one of the three
    administrators (rule R5: one role per account, and no administrator changes another's
    powers from a page). A missing account is created with a temporary password (returned once;
    changed at the first sign-in, with the second factor set up then). An account made an
    administrator loses its sessions and API tokens. Audited ``user.admin_role``."""
    if role not in ADMIN_ROLES:
        raise InvalidInput(
            [FieldError("role", "invalid", _("Choose sysadmin, secadmin or auditor."))]
        )
    raw = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        if created:
            if not USERNAME_RE.match(username) or username.lower().startswith(
                PORTAL_USERNAME_PREFIX
            ):
                raise InvalidInput(
                    [FieldError("username", "invalid", _("2 to 150 letters, digits and . _ -."))]
                )
            if organisation is None:
                raise InvalidInput(
                    [FieldError("organisation", "required", _("Name the organisation."))]
                )
            user = User(username=username, first_name=name or username, organisation=organisation)
            user.role = role
            user.save()
            raw = passwords.set_temporary_password(user)
        else:
            before = user.role
            user.role = role
            user.department = None
            user.rotate_security_stamp()
            user.save(update_fields=["role", "department", "security_stamp"])
            sessions.end_all_of(user, "role_changed")
            _revoke_all(user, None, "became an administrator")
        record(
            action="user.admin_role",
            username="manage.py",
            obj=user,
            detail={
                "username": username,
                "role": role,
                "created": created,
                **({} if created else {"before": before}),
            },
        )
    return user, raw


# --- sign-in locks (issue 12 item 7) -----------------------------------------------------------
def unlock_login(*, username: str, ip_address: str | None, actor: User) -> int:
    """Lift the sign-in lock of ``username`` from one client (``ip_address``), or clear every
    recorded failure of the username (``ip_address`` None: every lock and the waiting time).
    The security administrator only; audited ``auth.unlock``. Returns the records cleared."""
    rules.ensure_security_admin(actor, action="auth.unlock")
    target = User.objects.filter(username=username).first()
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=username)
        if ip_address is not None:
            attempts = attempts.filter(ip_address=ip_address)
        _total, per_model = attempts.delete()
        cleared = per_model.get(AccessAttempt._meta.label, 0)
        record(
            action="auth.unlock",
            actor=actor,
            obj=target,
            object_type="" if target else "accounts.user",
            detail={
                "username": username,
                "ip_address": ip_address or "all clients",
                "records_cleared": cleared,
            },
        )
    return cleared


def next_number(*, organisation: Organisation, kind: str, year: int) -> int:
    """The next serial for (organisation, kind, year): gap-free, unique under concurrency.

    Must run inside the caller's transaction, so a rolled-back caller gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    seq = (
        NumberSequence.objects.select_for_update()
        .filter(organisation=organisation, kind=kind, year=year)
        .first()
    )
    if seq is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(organisation=organisation, kind=kind, year=year)
        except IntegrityError:
            pass  # another writer created it first; lock theirs below
        seq = NumberSequence.objects.select_for_update().get(
            organisation=organisation, kind=kind, year=year
        )
    seq.last += 1
    NumberSequence.objects.filter(pk=seq.pk).update(last=seq.last)
    return seq.last
