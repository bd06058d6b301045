"""Writing and checking the audit trail (rule R7)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.audit import anchor, context
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


def entry_for(
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
    """An audit row, not yet chained or saved (``append``)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ctx = context.current()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    organisation = getattr(getattr(user, "organisation", None), "code", "") if user else ""
    return AuditEntry(
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


def record(**kwargs) -> AuditEntry:
    """Append one audit row (``entry_for``'s arguments). Runs inside the caller's transaction, so
    it commits with the change."""
    return append([entry_for(**kwargs)])[0]


def append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain and save ``entries`` in order, under one lock of the chain's head (a bulk change,
    such as an imported list's leads, writes its rows at once). Inside the caller's transaction."""
    if not entries:
        return entries
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            # get_or_create: two first writers racing on an empty trail must not both insert it
            AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        last_hash = head.last_hash
        for entry in entries:
            entry.prev_hash = last_hash
            entry.hash = last_hash = _digest(entry.prev_hash, _fields(entry))
        if len(entries) == 1:
            entries[0].save()
        else:
            AuditEntry.objects.bulk_create(entries, batch_size=500)
        count, last_id = head.count + len(entries), entries[-1].pk
        # The head's MAC is written in the same transaction as the rows; the journal line only
        # once they are committed, so the journal never names a row that was rolled back.
        AuditChainHead.objects.filter(pk=1).update(
            last_hash=last_hash,
            count=count,
            last_id=last_id,
            mac=anchor.head_mac(count=count, last_id=last_id, last_hash=last_hash),
        )
        transaction.on_commit(
            lambda: anchor.write_checkpoint_after_commit(count, last_id, last_hash), robust=True
        )
    return entries


@dataclass(frozen=True)
class Problem:
    """One reason the trail does not verify; ``code`` is stable, ``message`` is for the operator."""

    code: str
    message: str
    entry_id: int | None = None


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found. ``ok`` only when the chain, the anchored head and its row count
    and every checkpoint in the journal agree with the rows."""

    checked: int
    first_broken_id: int | None
    rows: int = 0
    head_count: int | None = None
    latest_checkpoint: anchor.Checkpoint | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]

    @property
    def unanchored(self) -> int:
        """Entries committed after the latest checkpoint (its line not written yet, or lost)."""
        anchored = self.latest_checkpoint.count if self.latest_checkpoint else 0
        return max(0, (self.head_count or 0) - anchored)


# The first altered row and a truncation first, as the command's first line names them.
_PROBLEM_ORDER = [
    "chain_broken",
    "checkpoint_mismatch",
    "checkpoint_truncation",
    "head_count",
    "head_last",
    "head_missing",
    "head_mac",
    "checkpoint_bad_line",
    "journal_unreadable",
]


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order, then hold the rows against the anchored head and against
    every checkpoint in the journal. Reports the first altered row, a truncation, or a bad MAC."""
    prev = GENESIS
    checked = 0
    broken: int | None = None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        if entry.prev_hash != prev or _digest(prev, _fields(entry)) != entry.hash:
            broken = entry.pk
            break
        prev = entry.hash
        checked += 1
    rows = AuditEntry.objects.count()
    last_id, last_hash = AuditEntry.objects.order_by("-id").values_list("id", "hash").first() or (
        0,
        GENESIS,
    )
    problems: list[Problem] = []
    if broken is not None:
        problems.append(
            Problem(
                "chain_broken",
                _(
                    "entry %(id)s does not match its hash: it, or its link to the entry before "
                    "it, was altered (%(checked)s entries before it are sound)"
                )
                % {"id": broken, "checked": checked},
                broken,
            )
        )
    latest, journal_problems = _check_journal(rows=rows, batch_size=batch_size)
    problems.extend(journal_problems)
    head = AuditChainHead.objects.filter(pk=1).first()
    problems.extend(_check_head(head, rows=rows, last_id=last_id, last_hash=last_hash))
    problems.sort(key=lambda problem: _PROBLEM_ORDER.index(problem.code))
    return ChainReport(
        checked=checked,
        first_broken_id=broken,
        rows=rows,
        head_count=head.count if head else None,
        latest_checkpoint=latest,
        problems=tuple(problems),
    )


def _check_head(
    head: AuditChainHead | None, *, rows: int, last_id: int, last_hash: str
) -> list[Problem]:
    if head is None:
        if not rows:
            return []
        return [
            Problem(
                "head_missing",
                _("the chain head is missing, but %(rows)s entries exist") % {"rows": rows},
            )
        ]
    problems = []
    if not anchor.head_mac_valid(
        count=head.count, last_id=head.last_id, last_hash=head.last_hash, mac=head.mac
    ):
        problems.append(
            Problem(
                "head_mac",
                _(
                    "the chain head's MAC is missing or not valid under any audit key: the head "
                    "was rewritten outside the application (or ZHICHI_AUDIT_KEY lacks the key "
                    "that signed it)"
                ),
            )
        )
    if head.count != rows:
        problems.append(
            Problem(
                "head_count",
                _("head says %(expected)s rows, %(found)s found")
                % {"expected": head.count, "found": rows},
            )
        )
    if (head.last_id, head.last_hash) != (last_id, last_hash):
        problems.append(
            Problem(
                "head_last",
                _("the chain head names entry %(head)s as the last, but the last entry is %(last)s")
                % {"head": head.last_id or "-", "last": last_id or "-"},
                last_id or None,
            )
        )
    return problems


def _check_journal(*, rows: int, batch_size: int) -> tuple[anchor.Checkpoint | None, list[Problem]]:
    """Each checkpoint says "row <count> was entry <last_id> with hash <last_hash>". Once the chain
    verifies, an entry that still has the checkpoint's hash proves every row up to it is the one
    the checkpoint saw (the hash covers all of them), so one look-up per checkpoint suffices."""
    latest: anchor.Checkpoint | None = None
    first_mismatch: tuple[anchor.Checkpoint, bool] | None = None
    bad: list[anchor.BadLine] = []
    batch: list[anchor.Checkpoint] = []

    def check(batch: list[anchor.Checkpoint]) -> None:
        nonlocal first_mismatch
        hashes = dict(
            AuditEntry.objects.filter(pk__in={c.last_id for c in batch}).values_list("id", "hash")
        )
        for checkpoint in batch:
            if hashes.get(checkpoint.last_id) == checkpoint.last_hash:
                continue
            if first_mismatch is None or checkpoint.count < first_mismatch[0].count:
                first_mismatch = (checkpoint, checkpoint.last_id in hashes)

    problems = []
    try:
        for item in anchor.read_journal():
            if isinstance(item, anchor.BadLine):
                bad.append(item)
                continue
            if latest is None or item.count > latest.count:
                latest = item
            if item.count <= rows:  # beyond the rows: reported once, as the truncation below
                batch.append(item)
            if len(batch) >= batch_size:
                check(batch)
                batch = []
    except OSError as exc:
        problems.append(
            Problem(
                "journal_unreadable",
                _("the checkpoint journal %(path)s cannot be read (%(error)s)")
                % {"path": anchor.journal_path(), "error": exc.strerror or exc},
            )
        )
    if batch:
        check(batch)

    if first_mismatch is not None:
        checkpoint, present = first_mismatch
        values = {"id": checkpoint.last_id, "row": checkpoint.count, "at": checkpoint.at}
        if present:
            message = _(
                "entry %(id)s (row %(row)s) differs from the checkpoint of %(at)s: it or an entry "
                "before it was rewritten, or the trail was rolled back and written again"
            )
        else:
            message = _("entry %(id)s (row %(row)s), named by the checkpoint of %(at)s, is missing")
        problems.append(Problem("checkpoint_mismatch", message % values, checkpoint.last_id))
    if latest is not None and latest.count > rows:
        problems.append(
            Problem(
                "checkpoint_truncation",
                _("%(expected)s rows expected by the checkpoint of %(at)s, %(found)s found")
                % {"expected": latest.count, "at": latest.at, "found": rows},
            )
        )
    for line in bad:
        if line.reason == "mac":
            message = _(
                "line %(line)s of the checkpoint journal has a MAC that no audit key produces: "
                "the line was forged or altered (or ZHICHI_AUDIT_KEY lacks the key that signed it)"
            )
        else:
            message = _(
                "line %(line)s of the checkpoint journal is not a checkpoint: it was altered"
            )
        problems.append(Problem("checkpoint_bad_line", message % {"line": line.line}))
    return latest, problems
