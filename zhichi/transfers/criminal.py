"""What became of a case's criminal-lead transfer, for the case's criminal-lead flag
(zhichi/cases/criminal_flag.py; issue 13, item 4): once the receiver has answered, the flag shows
the answer instead of asking for action."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet
from django.utils import timezone

from zhichi.cases.criminal_flag import Referral, register_referral_source
from zhichi.transfers.models import FeedbackResult, Transfer, TransferKind, TransferStatus


def _on(t: Transfer):
    """The day the transfer reached its present state."""
    at = {
        TransferStatus.RECEIVED: t.received_at,
        TransferStatus.ACCEPTED: t.decided_at,
        TransferStatus.REJECTED: t.decided_at,
        TransferStatus.ANSWERED: t.answered_at,
        TransferStatus.CLOSED: t.closed_at,
    }.get(t.status) or t.sent_at
    return timezone.localdate(at) if at else None


def _label(enum, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value or ""


def latest_criminal_referrals(case_ids: Collection[int]) -> dict[int, Referral]:
    """The latest criminal-lead transfer of each of ``case_ids`` that has one."""
    rows = (
        Transfer.objects.filter(case_id__in=list(case_ids), kind=TransferKind.CRIMINAL_LEAD)
        .select_related("to_org", "to_department")
        .order_by("case_id", "-sent_at", "-id")
    )
    out: dict[int, Referral] = {}
    for t in rows:
        if t.case_id in out:
            continue
        out[t.case_id] = Referral(
            transfer_id=t.pk,
            number=t.number,
            status=t.status,
            status_label=_label(TransferStatus, t.status),
            result=t.feedback_result,
            result_label=_label(FeedbackResult, t.feedback_result) if t.feedback_result else "",
            receiver=t.to_department.name if t.to_department_id else t.to_org.name,
            on=_on(t),
        )
    return out


def referred_case_ids() -> QuerySet:
    return Transfer.objects.filter(kind=TransferKind.CRIMINAL_LEAD, case__isnull=False).values(
        "case_id"
    )


def register() -> None:
    register_referral_source(latest=latest_criminal_referrals, referred_case_ids=referred_case_ids)
