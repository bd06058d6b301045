"""Issue 12 item 9: the audit chain is anchored by a signed head (row count, last entry) and by a
checkpoint journal outside the database, so a cut-off tail, a recomputed chain or a rollback of the
database to an earlier copy no longer verifies as "intact" (rule R7, docs/audit.md)."""

from __future__ import annotations

import errno
import importlib
import logging
import threading

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import translation

from tests.audit.tampering import head_values, raw, set_head
from zhichi.audit import anchor
from zhichi.audit.models import AuditChainHead, AuditEntry
from zhichi.audit.services import _digest, _fields, record, verify_chain

pytestmark = pytest.mark.integration

OTHER_KEY = "b3RoZXItYXVkaXQta2V5LW90aGVyLWF1ZGl0LWtleTE="  # 32 bytes, url-safe base64
THIRD_KEY = "dGhpcmQtYXVkaXQta2V5LXRoaXJkLWF1ZGl0LWtleTI="


@pytest.fixture(autouse=True)
def _english():
    # The operator's messages are translatable; the assertions read the English source.
    with translation.override("en"):
        yield


def override_keys(keys: list[str]) -> override_settings:
    return override_settings(ZHICHI_AUDIT={**settings.ZHICHI_AUDIT, "KEYS": keys})


def write(n: int, capture, *, start: int = 0) -> list[AuditEntry]:
    """n committed-looking entries: the on-commit journal lines are written as after a commit."""
    with capture(execute=True):
        return [record(action="test.write", object_type="x", object_id=start + i) for i in range(n)]


def verify_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def failing_command() -> str:
    with pytest.raises(CommandError) as excinfo:
        verify_command()
    assert excinfo.value.returncode == 1
    message = str(excinfo.value)
    assert message.startswith("audit chain verification FAILED")
    assert "intact" not in message
    return message


# --- the intact case ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_item9_intact_chain_agrees_with_its_signed_head_and_every_checkpoint(
    django_capture_on_commit_callbacks,
):
    entries = write(12, django_capture_on_commit_callbacks)
    report = verify_chain()
    assert (report.ok, report.problems, report.checked, report.rows) == (True, (), 12, 12)
    assert report.head_count == 12
    assert report.latest_checkpoint.count == 12
    assert report.latest_checkpoint.last_id == entries[-1].pk
    assert report.unanchored == 0
    checkpoints = list(anchor.read_journal())
    assert [c.count for c in checkpoints] == list(range(1, 13))
    assert [c.last_hash for c in checkpoints] == [e.hash for e in entries]
    out = verify_command()
    assert out.splitlines()[0] == "audit chain intact: 12 entries"
    assert "latest checkpoint:" in out and ", 12 rows (" in out


@pytest.mark.django_db
def test_item9_head_mac_is_written_with_each_entry_in_the_same_transaction(users):
    first = record(action="test.write", actor=users["civil1"])
    count, last_id, last_hash, mac = head_values()
    assert (count, last_id, last_hash) == (1, first.pk, first.hash)
    assert anchor.head_mac_valid(count=1, last_id=first.pk, last_hash=first.hash, mac=mac)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(action="test.write", actor=users["civil1"])
        raise RuntimeError("the change fails")
    assert head_values() == (count, last_id, last_hash, mac)
    assert verify_chain().ok


@pytest.mark.django_db
def test_item9_journal_is_written_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        record(action="test.write")
        assert list(anchor.read_journal()) == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [c.count for c in anchor.read_journal()] == [1]


@pytest.mark.django_db
def test_item9_rows_without_a_checkpoint_yet_still_verify_and_are_reported(users):
    # Inside a rolled-back test transaction nothing commits: the head leads the journal, as after a
    # crash between a commit and its journal line. That is not tampering.
    record(action="test.write", actor=users["civil1"])
    report = verify_chain()
    assert report.ok
    assert (report.latest_checkpoint, report.unanchored) == (None, 1)
    assert "holds no checkpoint yet" in verify_command()


# --- truncation ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_item9_deleting_the_last_20_rows_is_reported_as_truncation(
    django_capture_on_commit_callbacks,
):
    entries = write(30, django_capture_on_commit_callbacks)
    raw("DELETE FROM audit_auditentry WHERE id > %s", [entries[9].pk])
    report = verify_chain()
    assert report.first_broken_id is None  # the chain that is left is sound in itself
    assert not report.ok
    assert report.codes == ["checkpoint_truncation", "head_count", "head_last"]
    at = report.latest_checkpoint.at
    messages = [p.message for p in report.problems]
    assert messages[0] == f"30 rows expected by the checkpoint of {at}, 10 found"
    assert messages[1] == "head says 30 rows, 10 found"
    message = failing_command()
    assert f"30 rows expected by the checkpoint of {at}, 10 found" in message
    assert "head says 30 rows, 10 found" in message


@pytest.mark.django_db
def test_item9_truncation_with_a_head_rewritten_to_match_fails_on_the_mac(users):
    entries = [record(action="test.write", actor=users["civil1"], object_id=i) for i in range(30)]
    raw("DELETE FROM audit_auditentry WHERE id > %s", [entries[9].pk])
    *_, old_mac = head_values()
    # without the audit key the attacker can only keep the old MAC or make one with another key
    set_head(10, entries[9].pk, entries[9].hash, old_mac)
    assert verify_chain().codes == ["head_mac"]
    with override_keys([OTHER_KEY]):
        forged = anchor.head_mac(count=10, last_id=entries[9].pk, last_hash=entries[9].hash)
    set_head(10, entries[9].pk, entries[9].hash, forged)
    report = verify_chain()
    assert report.codes == ["head_mac"]
    assert "MAC is missing or not valid under any audit key" in report.problems[0].message
    assert "MAC is missing or not valid" in failing_command()


@pytest.mark.django_db
def test_item9_deleting_the_whole_trail_and_its_head_is_caught_by_the_journal(
    django_capture_on_commit_callbacks,
):
    write(5, django_capture_on_commit_callbacks)
    raw("DELETE FROM audit_auditentry")
    AuditChainHead.objects.all().delete()
    report = verify_chain()
    assert report.codes == ["checkpoint_truncation"]
    assert report.problems[0].message.startswith("5 rows expected by the checkpoint of ")
    assert report.problems[0].message.endswith(", 0 found")


@pytest.mark.django_db
def test_item9_rows_without_a_head_are_reported(users):
    record(action="test.write", actor=users["civil1"])
    AuditChainHead.objects.all().delete()
    report = verify_chain()
    assert report.codes == ["head_missing"]
    assert report.problems[0].message == "the chain head is missing, but 1 entries exist"


# --- rewriting ----------------------------------------------------------------------------------


def rewrite_and_rehash(entries: list[AuditEntry], index: int) -> None:
    """Change one row, then recompute its hash and every later one, and the head's last hash:
    everything an attacker who knows the algorithm but not the audit key can do."""
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["tampered", entries[index].pk])
    prev = AuditEntry.objects.get(pk=entries[index - 1].pk).hash if index else "0" * 64
    for entry in AuditEntry.objects.filter(pk__gte=entries[index].pk).order_by("id"):
        new_hash = _digest(prev, _fields(entry))
        raw(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, new_hash, entry.pk],
        )
        prev = new_hash
    count, last_id, _, mac = head_values()
    set_head(count, last_id, prev, mac)


@pytest.mark.django_db
def test_item9_rewritten_row_with_every_later_hash_recomputed_fails_on_the_head_mac(users):
    entries = [record(action="test.write", actor=users["civil1"], object_id=i) for i in range(8)]
    rewrite_and_rehash(entries, 3)
    report = verify_chain()
    assert report.first_broken_id is None  # the recomputed chain is sound in itself
    assert report.codes == ["head_mac"]
    assert "MAC is missing or not valid under any audit key" in failing_command()


@pytest.mark.django_db
def test_item9_rewritten_row_is_named_by_the_first_checkpoint_that_disagrees(
    django_capture_on_commit_callbacks,
):
    entries = write(8, django_capture_on_commit_callbacks)
    rewrite_and_rehash(entries, 3)
    report = verify_chain()
    assert report.codes == ["checkpoint_mismatch", "head_mac"]
    assert report.problems[0].entry_id == entries[3].pk
    assert report.problems[0].message.startswith(f"entry {entries[3].pk} (row 4) differs from")
    assert f"entry {entries[3].pk} (row 4) differs from the checkpoint of" in failing_command()


@pytest.mark.django_db
def test_item9_a_row_changed_in_place_is_still_named_as_the_first_bad_row(users):
    first = record(action="test.write", actor=users["civil1"], object_id=1)
    record(action="test.write", actor=users["civil1"], object_id=2)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["99", first.pk])
    report = verify_chain()
    assert report.first_broken_id == first.pk
    assert report.codes == ["chain_broken"]
    assert failing_command().splitlines()[1].startswith(f"- entry {first.pk} does not match")


# --- rolling back ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_item9_rows_and_head_rolled_back_to_an_earlier_copy_are_caught_by_the_journal(
    django_capture_on_commit_callbacks,
):
    entries = write(5, django_capture_on_commit_callbacks)
    earlier_head = head_values()
    write(5, django_capture_on_commit_callbacks, start=5)
    # restore the rows and the head row as they were after the fifth entry: a consistent copy
    raw("DELETE FROM audit_auditentry WHERE id > %s", [entries[4].pk])
    set_head(*earlier_head)
    report = verify_chain()
    assert report.codes == ["checkpoint_truncation"]  # the chain and the signed head agree...
    at = report.latest_checkpoint.at
    assert report.problems[0].message == f"10 rows expected by the checkpoint of {at}, 5 found"
    assert f"10 rows expected by the checkpoint of {at}, 5 found" in failing_command()


@pytest.mark.django_db
def test_item9_a_rollback_written_over_by_new_entries_is_still_caught(
    django_capture_on_commit_callbacks,
):
    entries = write(5, django_capture_on_commit_callbacks)
    earlier_head = head_values()
    lost = write(3, django_capture_on_commit_callbacks, start=5)
    raw("DELETE FROM audit_auditentry WHERE id > %s", [entries[4].pk])
    set_head(*earlier_head)
    # the application goes on past the old end: the newest checkpoint agrees with the rows,
    # the ones written before the rollback do not
    write(6, django_capture_on_commit_callbacks, start=100)
    report = verify_chain()
    assert report.codes == ["checkpoint_mismatch"]
    assert report.problems[0].entry_id == lost[0].pk
    assert report.problems[0].message.startswith(f"entry {lost[0].pk} (row 6), named by the")


# --- the journal itself ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_item9_a_forged_or_edited_journal_line_is_reported(django_capture_on_commit_callbacks):
    entries = write(3, django_capture_on_commit_callbacks)
    path = anchor.journal_path()
    lines = path.read_text().splitlines(keepends=True)
    parts = lines[1].split(" ")
    parts[2] = "7"  # claim a different count under the old MAC
    lines[1] = " ".join(parts)
    with override_keys([OTHER_KEY]):
        forged = anchor.checkpoint_line(
            at="2026-01-01T00:00:00+00:00", count=3, last_id=entries[2].pk, last_hash="f" * 64
        )
    path.write_text("".join([*lines, forged, "not a checkpoint\n"]))
    report = verify_chain()
    assert report.codes == ["checkpoint_bad_line"] * 3
    assert [p.message for p in report.problems] == [
        "line 2 of the checkpoint journal has a MAC that no audit key produces: the line was "
        "forged or altered (or ZHICHI_AUDIT_KEY lacks the key that signed it)",
        "line 4 of the checkpoint journal has a MAC that no audit key produces: the line was "
        "forged or altered (or ZHICHI_AUDIT_KEY lacks the key that signed it)",
        "line 5 of the checkpoint journal is not a checkpoint: it was altered",
    ]


@pytest.mark.django_db
def test_item9_a_journal_that_cannot_be_written_does_not_fail_the_change(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    write(2, django_capture_on_commit_callbacks)
    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, logger="zhichi.audit"):
        patch.setattr(anchor.os, "open", disk_full)
        entry = write(1, django_capture_on_commit_callbacks, start=2)[0]
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert "audit checkpoint journal" in caplog.text
    report = verify_chain()
    assert (report.ok, report.latest_checkpoint.count, report.unanchored) == (True, 2, 1)
    assert "note: 1 entries were committed after the latest checkpoint" in verify_command()


@pytest.mark.django_db
def test_item9_a_journal_that_cannot_be_read_is_reported(settings, tmp_path, users):
    record(action="test.write", actor=users["civil1"])
    settings.ZHICHI_AUDIT = {**settings.ZHICHI_AUDIT, "JOURNAL": tmp_path}  # a directory
    report = verify_chain()
    assert report.codes == ["journal_unreadable"]
    assert report.problems[0].message.startswith(
        f"the checkpoint journal {tmp_path} cannot be read"
    )


@pytest.mark.django_db(transaction=True)
def test_item9_concurrent_writers_leave_a_consistent_head_and_journal():
    errors: list[BaseException] = []
    per_thread, threads_n = 15, 4

    def worker(n: int) -> None:
        try:
            for i in range(per_thread):
                with transaction.atomic():
                    record(action="test.concurrent", object_type="thread", object_id=n * 100 + i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = per_thread * threads_n
    assert errors == []
    report = verify_chain()
    assert (report.ok, report.problems, report.rows, report.head_count) == (True, (), total, total)
    checkpoints = list(anchor.read_journal())
    assert sorted(c.count for c in checkpoints) == list(range(1, total + 1))
    by_id = dict(AuditEntry.objects.values_list("id", "hash"))
    assert all(by_id[c.last_id] == c.last_hash for c in checkpoints)
    assert report.latest_checkpoint.count == total
    assert verify_command().startswith(f"audit chain intact: {total} entries")


# --- keys -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_item9_rotated_key_signs_new_checkpoints_and_old_ones_still_verify(
    django_capture_on_commit_callbacks,
):
    current = settings.ZHICHI_AUDIT["KEYS"][0]
    write(3, django_capture_on_commit_callbacks)
    with override_keys([OTHER_KEY, current]):  # the new key first, the old one kept
        assert verify_chain().ok  # head and lines of the old key still verify
        write(2, django_capture_on_commit_callbacks, start=3)
        count, last_id, last_hash, mac = head_values()
        assert mac == anchor.head_mac(count=count, last_id=last_id, last_hash=last_hash)
        assert verify_chain().ok
    with override_keys([OTHER_KEY]):  # the old key dropped too early: its lines no longer verify
        report = verify_chain()
        assert report.codes == ["checkpoint_bad_line"] * 3
    with override_keys([THIRD_KEY]):  # a wrong key: nothing verifies
        assert verify_chain().codes == ["head_mac"] + ["checkpoint_bad_line"] * 5


# --- the database refuses, the migration anchors ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL only")
def test_item9_postgresql_refuses_update_and_delete_of_audit_rows_below_the_application(users):
    entry = record(action="test.write", actor=users["civil1"])
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.write"


class _SchemaEditor:
    connection = connection


@pytest.mark.django_db
def test_item9_migration_anchors_a_trail_written_before_the_change(
    users, django_capture_on_commit_callbacks
):
    migration = importlib.import_module("zhichi.audit.migrations.0002_anchored_head")
    entries = [record(action="test.write", actor=users["civil1"], object_id=i) for i in range(4)]
    set_head(0, 0, entries[-1].hash, "")  # the head as the old code left it: the last hash only
    assert verify_chain().codes == ["head_count", "head_last", "head_mac"]
    with django_capture_on_commit_callbacks(execute=True):
        migration.anchor_existing_chain(global_apps, _SchemaEditor())
    assert head_values()[:3] == (4, entries[-1].pk, entries[-1].hash)
    assert [c.count for c in anchor.read_journal()] == [4]
    assert verify_chain().ok


@pytest.mark.django_db
def test_item9_migration_does_not_bless_a_head_that_disagrees_with_the_rows(users):
    migration = importlib.import_module("zhichi.audit.migrations.0002_anchored_head")
    entries = [record(action="test.write", actor=users["civil1"], object_id=i) for i in range(4)]
    set_head(0, 0, entries[1].hash, "")  # the old head named an earlier row: rows were added below
    migration.anchor_existing_chain(global_apps, _SchemaEditor())
    assert head_values()[3] == ""
    assert "head_mac" in verify_chain().codes
