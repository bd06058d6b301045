"""Signed-in sessions the security administrator can list and end (rule R6).

Django's session store keeps the session; a ``UserSession`` row names whose it is, from where,
since when and when last seen. A sign-in makes the row, the session limits keep ``last_seen_at``
(at most once a minute), a sign-out or a limit marks it ended. Ending one from the security
administrator's page deletes the session from the store, so its next request is signed out.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from zhichi.accounts import rules
from zhichi.accounts.models import User, UserSession
from zhichi.audit.services import record


@receiver(user_logged_in)
def _started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    request.session["zhichi_signed_in_at"] = now.timestamp()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": request.META.get("REMOTE_ADDR") or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            "started_at": now,
            "last_seen_at": now,
            "ended_at": None,
            "end_reason": "",
        },
    )


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        ended(request.session.session_key, "signed_out")


def seen(session_key: str | None, now) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            last_seen_at=now
        )


def ended(session_key: str | None, reason: str) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )


def end_all_of(user: User, reason: str) -> int:
    """Mark every open session row of ``user`` ended (their sessions stop working through the new
    security stamp or password the caller saved in the same transaction)."""
    return UserSession.objects.filter(user=user, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )


def live(now=None) -> QuerySet[UserSession]:
    """Sessions still open: not ended, still in the store and not expired there, and seen within
    the longest idle limit."""
    now = now or timezone.now()
    idle = max(
        settings.ZHICHI["SESSION_IDLE_MINUTES"], settings.ZHICHI["ADMIN_SESSION_IDLE_MINUTES"]
    )
    in_store = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    return UserSession.objects.filter(
        Exists(in_store),
        ended_at__isnull=True,
        last_seen_at__gt=now - timedelta(minutes=idle),
    )


def end_session(*, actor: User, user_session: UserSession) -> bool:
    """The security administrator ends one session: its next request is signed out. Not their
    own (they sign out instead), nor another administrator's (rule R5). Audited
    ``auth.session_end``. False when it had already ended."""
    rules.ensure_security_admin(actor, action="auth.session_end", obj=user_session.user)
    rules.ensure_not_self_or_admin(actor, user_session.user, action="auth.session_end")
    with transaction.atomic():
        row = UserSession.objects.select_for_update().get(pk=user_session.pk)
        if row.ended_at is not None:
            return False
        Session.objects.filter(session_key=row.session_key).delete()
        row.ended_at, row.end_reason = timezone.now(), "ended_by_admin"
        row.save(update_fields=["ended_at", "end_reason"])
        record(
            action="auth.session_end",
            actor=actor,
            obj=row.user,
            detail={"username": row.user.username, "session": row.session_key[:6]},
        )
    return True
