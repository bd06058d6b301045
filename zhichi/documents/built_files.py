"""What every file built in the background (``models.BuiltFile``: case files, large list
exports) shares once it is built: it expires after ``CASEFILE_KEEP_DAYS``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhichi.audit.services import record
from zhichi.documents.models import BuiltFile, ExportStatus
from zhichi.evidence.storage import evidence_storage

BATCH = 500


def expire_old(
    model: type[BuiltFile], *, action: str, detail: Callable[[BuiltFile], dict], now=None
) -> int:
    """Delete the files of ``model`` older than ``CASEFILE_KEEP_DAYS``, a batch at a time; the
    rows stay, marked expired, so who built what is kept, and each expiry is audited as
    ``action`` with ``detail(row)``. Returns how many were expired (0: nothing left)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"])
    expired = 0
    for row in model.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), requested_at__lt=cutoff
    ).order_by("id")[:BATCH]:
        with transaction.atomic():
            updated = model.objects.filter(pk=row.pk, status=row.status).update(
                status=ExportStatus.EXPIRED, storage_name=""
            )
            if not updated:
                continue
            record(action=action, obj=row, detail=detail(row))
            if row.storage_name:
                name = row.storage_name
                transaction.on_commit(lambda name=name: evidence_storage().delete(name))
        expired += 1
    return expired
