"""Sending a notice as a text message (issue 18 item 6): the background task
``send_notice_sms`` (Django's Tasks API; run `manage.py db_worker`), queued by ``notices.notify``
after the commit.

As with webhooks, no transaction is held open across the call to the gateway: a short one claims
the notice (a compare-and-set of its attempt count while it is pending, so two workers never
both send it), the gateway is called outside it, and a second short one records the outcome. A
notice already sent (or not to be sent) is left alone: running the task again sends nothing.
A gateway failure is recorded on the notice (``failed`` with its code), never raised out of the
worker: the status page tells the person in any case.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.portal import messaging
from zhichi.portal.models import Notice, SmsStatus
from zhichi.portal.wording import sms_text

logger = logging.getLogger("zhichi.portal.sms")

NO_BACKEND = "no_backend"  # the backend setting was emptied after the notice was made
GATEWAY_ERROR = "error"  # the backend raised something else than SendFailed


@task()
def send_notice_sms(notice_id: int) -> dict:
    notice = deliver(notice_id=notice_id)
    if notice is None:
        return {"notice": notice_id, "sent": False}
    return {"notice": notice_id, "sent": True, "status": notice.sms_status}


def _claim(notice_id: int) -> tuple[Notice, str] | None:
    """The notice and its text, when it is pending and this worker is the one to send it."""
    notice = (
        Notice.objects.select_related("filing__lead__organisation")
        .filter(pk=notice_id, sms_status=SmsStatus.PENDING)
        .first()
    )
    if notice is None:
        return None
    claimed = Notice.objects.filter(
        pk=notice.pk, sms_status=SmsStatus.PENDING, sms_attempts=notice.sms_attempts
    ).update(sms_attempts=notice.sms_attempts + 1)
    if not claimed:
        return None  # another worker took it
    notice.sms_attempts += 1
    return notice, sms_text(notice)


def _finish(notice: Notice, *, status: str, error: str = "") -> Notice:
    notice.sms_status = status
    notice.sms_error = error[: messaging.CODE_LENGTH]
    notice.sms_sent_at = timezone.now() if status == SmsStatus.SENT else None
    with transaction.atomic():
        notice.save(update_fields=["sms_status", "sms_error", "sms_sent_at"])
        record(
            action="portal.sms",
            obj=notice,
            # a text not sent because texts were turned off is not a failure
            outcome=Outcome.FAILED if status == SmsStatus.FAILED else Outcome.OK,
            detail={"kind": notice.kind, "status": status, "error": notice.sms_error},
        )
    return notice


def deliver(*, notice_id: int) -> Notice | None:
    """Send one pending notice and record the outcome: ``sent`` with the time, or ``failed``
    with the gateway's code (``not_sent`` when texts were turned off meanwhile). None when there
    was nothing to send."""
    claim = _claim(notice_id)
    if claim is None:
        return None
    notice, text = claim
    gateway = messaging.backend()
    if gateway is None or not notice.filing.consent_sms:
        return _finish(
            notice, status=SmsStatus.NOT_SENT, error=NO_BACKEND if gateway is None else ""
        )
    try:
        gateway.send(phone=notice.filing.phone, text=text)
    except messaging.SendFailed as failed:
        logger.warning("text for notice %s not sent: %s", notice.pk, failed.code)
        return _finish(notice, status=SmsStatus.FAILED, error=failed.code)
    except Exception as exc:
        # any other failure of the gateway is one failed attempt too (its type only: the
        # message might quote the phone number)
        logger.error("text for notice %s not sent: %s", notice.pk, type(exc).__name__)
        return _finish(notice, status=SmsStatus.FAILED, error=GATEWAY_ERROR)
    return _finish(notice, status=SmsStatus.SENT)
