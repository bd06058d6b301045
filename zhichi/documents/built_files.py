"""What every file built in the background (``models.BuiltFile``: case files, large list
exports) shares once it is built: it expires after ``CASEFILE_KEEP_DAYS``; and the one way a
kept private file is forgotten (``delete_files``, also for an import's uploaded list)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
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
    rows = model.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), requested_at__lt=cutoff
    ).order_by("id")[:BATCH]
    return delete_files(
        rows,
        fields=("storage_name",),
        action=action,
        detail=detail,
        changes={"status": ExportStatus.EXPIRED},
    )


def delete_files(
    rows: Iterable[models.Model],
    *,
    fields: tuple[str, ...],
    action: str,
    detail: Callable[[models.Model], dict],
    changes: dict | None = None,
) -> int:
    """Forget the private files named in ``fields`` of each row (and apply ``changes``), each
    row in its own transaction and only while it still names the files read (a concurrent
    change wins); audited as ``action`` with ``detail(row)``; the files are deleted once that is
    committed. Returns how many rows were done."""
    done = 0
    for row in rows:
        names = {field: getattr(row, field) for field in fields}
        with transaction.atomic():
            updated = (
                type(row)
                .objects.filter(pk=row.pk, **names)
                .update(**dict.fromkeys(fields, ""), **(changes or {}))
            )
            if not updated:
                continue
            record(action=action, obj=row, detail=detail(row))
            for name in names.values():
                if name:
                    transaction.on_commit(lambda name=name: evidence_storage().delete(name))
        done += 1
    return done
