"""Writing and checking the audit trail (rule R7)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhichi.audit import context
from zhichi.audit.models import AuditChainHead, AuditEntry, Outcome

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        # the database returns UTC; hash the same representation on write and on verify
        "at": entry.at.astimezone(UTC).isoformat(),
        "user": entry.user_id_ref,
        "username": entry.username,
        "organisation": entry.organisation,
        "role": entry.role,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


def record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = Outcome.OK,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEntry:
    """Append one audit row. Runs inside the caller's transaction, so it commits with the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ctx = context.current()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    organisation = getattr(getattr(user, "organisation", None), "code", "") if user else ""
    entry = AuditEntry(
        at=timezone.now(),
        user_id_ref=user.pk if user else None,
        username=user.username if user else username,
        organisation=organisation,
        role=getattr(user, "role", "") if user else "",
        ip=ctx.ip,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        outcome=outcome,
        detail=detail or {},
    )
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=GENESIS)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        entry.prev_hash = head.last_hash
        entry.hash = _digest(entry.prev_hash, _fields(entry))
        entry.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first row that does not match."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        if entry.prev_hash != prev or _digest(prev, _fields(entry)) != entry.hash:
            return ChainReport(checked=checked, first_broken_id=entry.pk)
        prev = entry.hash
        checked += 1
    return ChainReport(checked=checked, first_broken_id=None)
