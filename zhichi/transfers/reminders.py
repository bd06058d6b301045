"""Transfer deadlines in the daily reminder run (C7, rule CR-9): receipt and answer dates.

The receiving side is reminded when a date is near and when it has passed; an overdue answer is
escalated to the receiving department's heads (or the agency's staff) and reported to the
sender. Dedupe keys make a second run on the same day send nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role
from zhichi.accounts.notify import notify
from zhichi.cases.services.reminders import ReminderRun
from zhichi.transfers.models import Transfer, TransferStatus
from zhichi.transfers.services import receiving_staff


def transfer_reminders(today: date) -> ReminderRun:
    horizon = today + timedelta(days=settings.ZHICHI["REMINDER_DAYS"])
    due = (
        Transfer.objects.filter(
            Q(status=TransferStatus.SENT, receipt_due__lte=horizon)
            | Q(
                status__in=[TransferStatus.RECEIVED, TransferStatus.ACCEPTED],
                feedback_due__lte=horizon,
            )
        )
        .select_related("from_org", "from_department", "to_org", "to_department", "sent_by")
        .order_by("id")
    )
    checked = reminded = escalated = 0
    for t in due.iterator(chunk_size=500):
        checked += 1
        receipt = t.status == TransferStatus.SENT
        when = t.receipt_due if receipt else t.feedback_due
        overdue = when < today
        what = _("receipt") if receipt else _("answer")
        text = (
            _("Transfer %(number)s from %(org)s: %(what)s overdue since %(due)s")
            if overdue
            else _("Transfer %(number)s from %(org)s: %(what)s due on %(due)s")
        ) % {"number": t.number, "org": t.sender_label, "what": what, "due": when.isoformat()}
        step = f"{'receipt' if receipt else 'answer'}:{'overdue' if overdue else 'due'}"
        url = t.get_absolute_url()
        for user in receiving_staff(t.to_org_id, t.to_department_id):
            sent = notify(
                user=user,
                kind="transfer_overdue" if overdue else "transfer_due",
                text=text,
                url=url,
                dedupe_key=f"transfer-due:{t.pk}:{step}:{user.pk}",
                email=True,
            )
            if sent is None:
                continue
            if overdue and user.role in {Role.HEAD, Role.CHIEF}:
                escalated += 1
            else:
                reminded += 1
        if overdue and t.sent_by.is_active:
            sent = notify(
                user=t.sent_by,
                kind="transfer_overdue",
                text=_("Transfer %(number)s to %(org)s: the %(what)s is overdue since %(due)s")
                % {
                    "number": t.number,
                    "org": t.receiver_label,
                    "what": what,
                    "due": when.isoformat(),
                },
                url=url,
                dedupe_key=f"transfer-due:{t.pk}:{step}:{t.sent_by_id}",
                email=True,
            )
            reminded += sent is not None
    return ReminderRun(reminded=reminded, escalated=escalated, checked=checked)
