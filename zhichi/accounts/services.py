"""State changes for accounts: API tokens and gap-free numbering."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhichi.accounts.models import ApiToken, NumberSequence, Organisation, User
from zhichi.audit.services import record

TOKEN_PREFIX = "zc_"  # noqa: S105 - a public marker, not a secret


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


def issue_token(*, user: User, name: str = "", actor: User | None = None) -> IssuedToken:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:10], digest=token_digest(raw)
        )
        record(
            action="token.issue",
            actor=actor,
            obj=token,
            username=user.username,
            detail={"for": user.username, "prefix": token.prefix},
        )
    return IssuedToken(token=token, raw=raw)


def revoke_token(*, token: ApiToken, actor: User) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        record(action="token.revoke", actor=actor, obj=token)


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation", "user__department")
        .filter(digest=token_digest(raw))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


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
