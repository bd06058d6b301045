"""Sending in-app notifications (and mail, after the transaction commits)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhichi.accounts.models import Notification, User
from zhichi.audit.services import record


def notify(
    *,
    user: User,
    kind: str,
    text: str,
    url: str = "",
    dedupe_key: str | None = None,
    email: bool = False,
) -> Notification | None:
    """Create one notification; with ``dedupe_key`` the same notice is never sent twice."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, kind=kind, text=text[:500], url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None
    if email and user.email:
        transaction.on_commit(lambda: _mail(note.pk))
    return note


def _mail(notification_id: int) -> None:
    note = Notification.objects.select_related("user").get(pk=notification_id)
    send_mail(
        subject=f"[Zhichi] {note.text[:60]}",
        message=note.text + (f"\n\n{note.url}" if note.url else ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[note.user.email],
        fail_silently=True,
    )
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def mark_notifications_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's own notifications read, or all of them (``notification_id``
    None). Returns how many were unread. Reading the page changes nothing (issue 12, item 16):
    this is the page's "mark as read" and "mark all read"."""
    with transaction.atomic():
        unread = Notification.objects.filter(user=user, read_at__isnull=True)
        if notification_id is not None:
            unread = unread.filter(pk=notification_id)
        count = unread.update(read_at=timezone.now())
        if count:
            record(
                action="notification.read",
                actor=user,
                object_type="accounts.notification",
                object_id=notification_id or "",
                detail={"count": count, "all": notification_id is None},
            )
    return count
