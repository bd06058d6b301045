"""What the person who applied is told of each step of their matter (issue 18 item 6): a
``Notice`` made once per step (``notify``), shown on the status page always (``describe``) and
sent as a text message where they agreed and a backend is configured (``sms_text``, sent by
``tasks.send_notice_sms``).

A notice keeps codes and values only (a redirect code, a date, an amount): it is put into plain
words (``wording``) when it is shown or sent. Nothing the staff typed (a reason, a note) and
nobody's name is ever in it.
"""

from __future__ import annotations

from functools import partial

from django.db import IntegrityError, transaction

from zhichi.audit.services import record
from zhichi.portal import messaging
from zhichi.portal.models import Filing, Notice, SmsStatus
from zhichi.portal.tasks import send_notice_sms


def notify(*, filing: Filing, kind: str, data: dict, source_key: str) -> Notice | None:
    """Tell the person of one step: a notice made once per (filing, ``source_key``), e.g.
    ``"event:12"`` or ``"lead:5:accepted"``; a second call for the same source is a no-op that
    returns None. Call inside the caller's transaction: the notice commits (and its text is
    queued) with the change it tells of, or not at all.

    ``data`` holds codes and values only (never text typed by the staff). The text goes out when
    the person agreed to texts and a backend is configured (``SMS_BACKEND``); otherwise the
    notice is only on the status page (``not_sent``).
    """
    if Notice.objects.filter(filing=filing, source_key=source_key).exists():
        return None
    sms = SmsStatus.PENDING if filing.consent_sms and messaging.configured() else SmsStatus.NOT_SENT
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses without harm
            notice = Notice.objects.create(
                filing=filing, kind=kind, data=data, source_key=source_key, sms_status=sms
            )
    except IntegrityError:
        return None
    record(
        action="portal.notice",
        obj=notice,
        detail={"filing": filing.pk, "kind": kind, "source": source_key, "sms": sms},
    )
    if sms == SmsStatus.PENDING:
        transaction.on_commit(partial(send_notice_sms.enqueue, notice_id=notice.pk), robust=True)
    return notice
