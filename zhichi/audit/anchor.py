"""Anchoring the audit chain outside its rows (issue 12 item 9; docs/audit.md).

A hash chain proves that no row was changed *inside* it, but whoever can delete or rewrite rows can
also cut the tail off or recompute every later hash. Two anchors close that:

- the chain head carries a keyed MAC (HMAC-SHA256 with the audit key) over the row count, the last
  row's id and its hash, written in the same transaction as each entry: a recomputed chain cannot be
  given a valid head without the key;
- each committed entry appends a checkpoint line (time, count, last id, last hash, MAC) to a journal
  file outside the database: rolling the rows and the head back to an earlier consistent copy
  leaves checkpoints the database no longer agrees with.

The first audit key signs; every listed key verifies (rotation, as for the encryption key).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("zhichi.audit")

JOURNAL_FORMAT = "v1"
# Domain separation: a head MAC can never pass for a checkpoint MAC, nor the other way round.
_HEAD_CONTEXT = "zhichi-audit-head"
_CHECKPOINT_CONTEXT = "zhichi-audit-checkpoint"


def _keys() -> list[bytes]:
    return [base64.urlsafe_b64decode(key.encode("ascii")) for key in settings.ZHICHI_AUDIT["KEYS"]]


def _mac(key: bytes, *parts: object) -> str:
    message = "|".join(str(part) for part in parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _valid(mac: str, *parts: object) -> bool:
    return any(hmac.compare_digest(_mac(key, *parts), mac) for key in _keys())


def head_mac(*, count: int, last_id: int, last_hash: str) -> str:
    """The head's MAC under the current (first) audit key."""
    return _mac(_keys()[0], _HEAD_CONTEXT, count, last_id, last_hash)


def head_mac_valid(*, count: int, last_id: int, last_hash: str, mac: str) -> bool:
    return bool(mac) and _valid(mac, _HEAD_CONTEXT, count, last_id, last_hash)


def journal_path() -> Path:
    return Path(settings.ZHICHI_AUDIT["JOURNAL"])


@dataclass(frozen=True)
class Checkpoint:
    """One journal line: the chain had ``count`` rows, the last being ``last_id`` with ``last_hash``."""

    at: str
    count: int
    last_id: int
    last_hash: str
    line: int


@dataclass(frozen=True)
class BadLine:
    """A journal line that does not parse, or whose MAC no audit key produces."""

    line: int
    reason: str


def checkpoint_line(*, at: str, count: int, last_id: int, last_hash: str) -> str:
    mac = _mac(_keys()[0], _CHECKPOINT_CONTEXT, at, count, last_id, last_hash)
    return f"{JOURNAL_FORMAT} {at} {count} {last_id} {last_hash} {mac}\n"


def append_checkpoint(*, count: int, last_id: int, last_hash: str) -> None:
    """Append one checkpoint line; called after the entry's transaction commits.

    O_APPEND puts every write at the end of the file whoever else is appending; the exclusive lock
    keeps a line whole even if the kernel accepted only part of it in one write (several gunicorn
    workers and db_workers append to the same file).
    """
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    data = checkpoint_line(at=at, count=count, last_id=last_id, last_hash=last_hash).encode("ascii")
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)  # also releases the lock


def write_checkpoint_after_commit(count: int, last_id: int, last_hash: str) -> None:
    """The on-commit side of ``record``: a journal that cannot be written must not turn a committed
    change into an error for the user, so it is logged; ``verify_audit`` then shows the journal
    lagging behind the head."""
    try:
        append_checkpoint(count=count, last_id=last_id, last_hash=last_hash)
    except OSError:
        logger.exception("audit checkpoint journal %s could not be written", journal_path())


def read_journal(path: Path | None = None) -> Iterator[Checkpoint | BadLine]:
    """Every line of the journal, in file order, as a checkpoint or as a bad line.

    A last line without its newline is being written at this moment (the reader takes no lock, so
    verification never holds up a commit) and is left for the next run.
    """
    path = path or journal_path()
    try:
        fh = path.open("r", encoding="ascii", errors="replace", newline="\n")
    except FileNotFoundError:
        return
    with fh:
        for number, text in enumerate(fh, start=1):
            if not text.endswith("\n"):
                return
            yield _parse(number, text)


def _parse(number: int, text: str) -> Checkpoint | BadLine:
    parts = text.rstrip("\n").split(" ")
    if len(parts) != 6 or parts[0] != JOURNAL_FORMAT:
        return BadLine(number, "malformed")
    _, at, count_text, last_id_text, last_hash, mac = parts
    if not (count_text.isdigit() and last_id_text.isdigit()) or len(last_hash) != 64:
        return BadLine(number, "malformed")
    count, last_id = int(count_text), int(last_id_text)
    if not _valid(mac, _CHECKPOINT_CONTEXT, at, count, last_id, last_hash):
        return BadLine(number, "mac")
    return Checkpoint(at=at, count=count, last_id=last_id, last_hash=last_hash, line=number)
