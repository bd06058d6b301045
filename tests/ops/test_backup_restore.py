"""Rule R10: `manage.py backup`, then `restore` into an empty instance, gives identical row counts
and per-table checksums, private files equal by SHA-256, identifiers that still decrypt and an
audit trail that still verifies; and a restore that cannot be complete changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import threading
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import JSONField, Value
from django_tasks_db.models import DBTaskResult

from tests.conftest import make_id
from zhichi.accounts.models import IdempotencyRecord, User
from zhichi.audit.anchor import journal_path
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record, verify_chain
from zhichi.cases.models import Case
from zhichi.evidence.models import Attachment
from zhichi.evidence.services import upload_attachment
from zhichi.evidence.storage import evidence_storage, new_name
from zhichi.ops import backup as ops
from zhichi.parties import crypto
from zhichi.parties.models import Party, PartyKind

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

AUDIT_TABLES = {"audit_auditentry", "audit_auditchainhead"}


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def stored_files() -> dict[str, str]:
    """Each file in the private store, as it lies there (sealed), by its SHA-256."""
    store = ops.private_store()
    found = {}
    for name in ops._walk(store):
        with store.open(name, "rb") as handle:
            found[name] = hashlib.sha256(handle.read()).hexdigest()
    return found


def journal_counts(backup_dir: Path) -> list[int]:
    """The row counts of the checkpoints copied into a backup, in order."""
    lines = (backup_dir / "audit-checkpoints.log").read_text().splitlines()
    return sorted(int(line.split(" ")[2]) for line in lines)


def new_instance() -> None:
    """What a new machine has after `migrate`: an empty database (content types and permissions
    remade by the flush's post_migrate, with ids of their own), no private files, no journal."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.ZHICHI["EVIDENCE_DIR"], ignore_errors=True)
    journal_path().unlink(missing_ok=True)


def is_empty() -> bool:
    return not ops.instance_holds_data() and not stored_files() and not journal_path().exists()


def without_audit(figures: dict) -> dict:
    return {table: facts for table, facts in figures.items() if table not in AUDIT_TABLES}


def add_awkward_rows(user) -> None:
    """Rows that a careless dump gets wrong: binary bytes, SQL NULL beside JSON null, a JSON
    object with keys out of order, and an auto_now_add time that must not become the restore's."""
    IdempotencyRecord.objects.create(user=user, key="k1", fingerprint="f" * 64, body=BYTES)
    for result in (None, Value(None, JSONField())):
        DBTaskResult.objects.create(
            args_kwargs={"kwargs": {"b": "二", "a": [1.5, None]}, "args": [1]},
            task_path="zhichi.tasks.example",
            backend_name="default",
            run_after=datetime(2026, 12, 1, tzinfo=UTC),
            return_value=result,
        )
    DBTaskResult.objects.update(enqueued_at=ENQUEUED)


BYTES = bytes(range(256))
ENQUEUED = datetime(2026, 11, 30, 8, 0, 0, 123456, tzinfo=UTC)


def unchanged(before: dict, files: dict, journal: bytes) -> bool:
    """The instance is as it was: every table, every private file and the journal's checkpoints,
    except that its audit trail may have grown by the rows of refused restores."""
    now = journal_path().read_bytes() if journal_path().exists() else b""
    later = AuditEntry.objects.order_by("id")[before["audit_auditentry"]["rows"] :]
    return (
        without_audit(ops.digests()) == without_audit(before)
        and stored_files() == files
        and now.startswith(journal)
        and all(e.action == "ops.restore" and e.outcome != "ok" for e in later)
    )


def snapshot() -> tuple[dict, dict, bytes]:
    journal = journal_path().read_bytes() if journal_path().exists() else b""
    return ops.digests(), stored_files(), journal


@pytest.fixture
def world(users):
    """A small instance: the users, a person with an encrypted ID number and phone, the awkward
    rows, a sealed private file and a few audit rows anchored in the journal."""
    person = Party(kind=PartyKind.PERSON, name="王建国")
    person.set_id_number(make_id(seq="321"))
    person.set_phone("13800001111")
    person.save()
    add_awkward_rows(users["civil1"])
    evidence_storage().save(new_name(), ContentFile(b"a sealed private file " * 100))
    for n in range(3):
        record(action="test.world", username="tests", detail={"n": n})
    return {"person": person, "id_number": make_id(seq="321")}


@pytest.fixture
def backup_dir(tmp_path):
    return tmp_path / "backup"


@pytest.fixture(autouse=True)
def own_private_store(settings, tmp_path):
    """A private file store of this test's own: the data dir is shared by the test workers, and
    these tests empty the store and count what is in it."""
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_DIR": tmp_path / "evidence"}


def test_r10_round_trip_drill_on_the_demo_data(tmp_path, backup_dir):
    call_command("seed_demo", "--force", "--leads=6", stdout=StringIO())
    case = Case.objects.exclude(officer=None).filter(status="open").order_by("id").first()
    upload_attachment(
        actor=case.officer,
        file=SimpleUploadedFile("工资表.txt", "张三 三月工资 4500 元".encode(), "text/plain"),
        kind="wage_record",
        case_id=case.pk,
    )
    add_awkward_rows(User.objects.get(username="civil1"))
    before = ops.digests()
    files = stored_files()
    people = {p.pk: (p.id_number, p.phone) for p in Party.objects.exclude(id_number_enc="")}
    trail = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
    # a world worth the drill: people with identifiers, files, hundreds of rows (how many the
    # small demo makes depends on the fixed clock's date)
    assert len(people) > 10 and len(files) >= 2 and sum(f["rows"] for f in before.values()) > 500

    out = run("backup", str(backup_dir))
    assert "audit_auditentry:" in out and f"written to {backup_dir}" in out

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert {
        t["table"]: {"rows": t["rows"], "checksum": t["checksum"]} for t in manifest["tables"]
    } == before
    assert {f["name"]: f["sha256"] for f in manifest["files"]["entries"]} == files
    assert all(f["size"] > 0 for f in manifest["files"]["entries"])
    assert manifest["migrations"] == ops.migration_state()
    assert journal_counts(backup_dir)[-1] == len(trail)  # the checkpoints of the dumped trail
    # the backup's own audit row comes after the dump, so the backup's checksums stay true
    backup_row = AuditEntry.objects.order_by("id").last()
    assert (backup_row.action, backup_row.username) == ("ops.backup", "manage.py")
    assert backup_row.detail["rows"] == sum(t["rows"] for t in manifest["tables"])
    assert backup_row.detail["files"] == len(files)
    # no key, in any form, is in the backup
    everything = b"".join(p.read_bytes() for p in backup_dir.rglob("*") if p.is_file())
    for key in [*settings.ZHICHI["ENCRYPTION_KEYS"], *settings.ZHICHI_AUDIT["KEYS"]]:
        assert key.encode() not in everything
    assert settings.SECRET_KEY.encode() not in everything

    new_instance()
    assert is_empty()

    out = run("restore", str(backup_dir))
    assert "every count, checksum and SHA-256 matches" in out
    assert "audit chain intact after the restore" in out
    assert "rotate_keys" not in out  # the same keys: nothing to redo

    assert without_audit(ops.digests()) == without_audit(before)
    assert stored_files() == files
    # the trail is the one backed up, then the restore's own row
    restored = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
    assert restored[:-1] == trail
    restore_row = AuditEntry.objects.order_by("id").last()
    assert (restore_row.action, restore_row.username, restore_row.outcome) == (
        "ops.restore",
        "manage.py",
        "ok",
    )
    assert restore_row.detail["backup"] == manifest["id"]
    assert restore_row.detail["rows"] == sum(f["rows"] for f in before.values())
    assert restore_row.detail["audit_intact"] is True
    assert "audit chain intact: " in run("verify_audit")
    assert verify_chain().latest_checkpoint.count == len(trail) + 1

    # identifiers still decrypt, and are still found by their blind index
    assert {p.pk: (p.id_number, p.phone) for p in Party.objects.exclude(id_number_enc="")} == people
    number = next(iter(people.values()))[0]
    assert Party.objects.filter(id_number_index=crypto.blind_index("id", number)).exists()
    # evidence files open with the keys and are the bytes that were uploaded
    attachments = list(Attachment.objects.all())
    assert attachments
    for attachment in attachments:
        with evidence_storage().open(attachment.storage_name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == attachment.sha256
    # the restored users sign in with their passwords
    assert User.objects.get(username="civil1").check_password("zhichi-demo")
    # the awkward rows came back as they were
    assert bytes(IdempotencyRecord.objects.get().body) == BYTES
    assert DBTaskResult.objects.filter(return_value__isnull=True).count() == 1
    assert DBTaskResult.objects.filter(return_value=Value(None, JSONField())).count() == 1
    assert set(DBTaskResult.objects.values_list("enqueued_at", flat=True)) == {ENQUEUED}
    # new rows get ids after the restored ones (the sequences moved past them)
    newest = Party.objects.create(kind=PartyKind.PERSON, name="李秀英")
    assert newest.pk > max(people)


def test_a_restore_is_refused_on_an_instance_that_holds_data_unless_forced(world, backup_dir):
    manifest = ops.backup(backup_dir)
    Party.objects.create(kind=PartyKind.PERSON, name="后来登记的人")
    record(action="test.after_backup", username="tests")  # the journal moves on
    before, files, journal = snapshot()

    with pytest.raises(CommandError, match=r"this instance is not empty: .*parties_party"):
        run("restore", str(backup_dir))
    assert unchanged(before, files, journal)
    refused = AuditEntry.objects.order_by("id").last()
    assert (refused.action, refused.outcome, refused.detail["error"]) == (
        "ops.restore",
        "denied",
        "not_empty",
    )

    expected = {
        t["table"]: {"rows": t["rows"], "checksum": t["checksum"]} for t in manifest["tables"]
    }
    out = run("restore", str(backup_dir), "--force")
    assert "every count, checksum and SHA-256 matches" in out
    assert without_audit(ops.digests()) == without_audit(expected)
    assert not Party.objects.filter(name="后来登记的人").exists()
    # this instance's journal knew entries the backup lacks: the restored trail reads as a
    # rollback, and the restore says so and what to do
    assert "WARNING: the restored audit trail does not verify" in out
    assert "move the journal aside" in out
    with pytest.raises(CommandError, match="FAILED"):
        run("verify_audit")

    out = run("restore", str(backup_dir), "--force", "--replace-journal")
    assert "audit chain intact after the restore" in out
    assert without_audit(ops.digests()) == without_audit(expected)
    # the journal that knew the later entries is kept aside, renamed
    assert list(journal_path().parent.glob(f"{journal_path().name}.before-restore-*"))
    assert "audit chain intact" in run("verify_audit")


def _rewrite(path: Path, change) -> str:
    """Rewrite a table file with ``change`` applied to its lines; its new SHA-256."""
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    data = gzip.compress(b"".join(change(lines)))
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _rename_person(lines: list[bytes]) -> list[bytes]:
    return [line.replace("王".encode(), "汪".encode()) for line in lines]


def test_a_backup_that_does_not_fit_or_was_damaged_changes_nothing(world, tmp_path, backup_dir):
    ops.backup(backup_dir)
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    parties = next(t for t in manifest["tables"] if t["table"] == "parties_party")
    before, files, journal = snapshot()

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(backup_dir, target)
        return target

    # made at another migration state
    altered = copy("other-migrations")
    altered_manifest = json.loads((altered / "manifest.json").read_text())
    altered_manifest["migrations"]["cases"] = ["9999_from_the_future"]
    (altered / "manifest.json").write_text(json.dumps(altered_manifest))
    with pytest.raises(
        CommandError, match=r"another migration state(.|\n)*cases: backup 9999_from_the_future"
    ):
        run("restore", str(altered), "--force")
    assert unchanged(before, files, journal)

    # a table file altered
    altered = copy("altered-table")
    _rewrite(altered / parties["file"], _rename_person)
    with pytest.raises(
        CommandError, match=r"altered(.|\n)*parties_party.jsonl.gz: SHA-256 differs"
    ):
        run("restore", str(altered), "--force")
    assert unchanged(before, files, journal)
    with pytest.raises(CommandError, match="damaged or was altered"):
        run("restore", str(altered), "--check")

    # a private file altered
    altered = copy("altered-file")
    name = manifest["files"]["entries"][0]["name"]
    with (altered / "files" / name).open("r+b") as handle:
        handle.seek(40)
        byte = handle.read(1)
        handle.seek(40)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(CommandError, match=f"files/{name}: SHA-256 differs"):
        run("restore", str(altered), "--force")
    assert unchanged(before, files, journal)

    # a row altered and the file's SHA-256 written into the manifest to match: the rows no longer
    # match the table's checksum, found while loading; everything is undone
    altered = copy("altered-rows")
    altered_manifest = json.loads((altered / "manifest.json").read_text())
    entry = next(t for t in altered_manifest["tables"] if t["table"] == "parties_party")
    entry["file_sha256"] = _rewrite(altered / entry["file"], _rename_person)
    (altered / "manifest.json").write_text(json.dumps(altered_manifest))
    with pytest.raises(CommandError, match="do not match the manifest's checksum"):
        run("restore", str(altered), "--force")
    assert unchanged(before, files, journal)
    assert Party.objects.get().name == "王建国"

    # a manifest that names a file outside the backup
    altered = copy("escaping")
    altered_manifest = json.loads((altered / "manifest.json").read_text())
    altered_manifest["files"]["entries"][0]["name"] = "../../outside"
    (altered / "manifest.json").write_text(json.dumps(altered_manifest))
    with pytest.raises(CommandError, match="outside its directory"):
        run("restore", str(altered), "--force")
    assert unchanged(before, files, journal)
    # each refusal of a restore over data is in the trail
    refusals = AuditEntry.objects.filter(action="ops.restore").values_list("detail", flat=True)
    assert [r["error"] for r in refusals] == [
        "migrations",
        "damaged",
        "damaged",
        "checksum",
        "manifest",
    ]


def test_a_failure_at_the_last_step_undoes_the_database_the_files_and_the_journal(
    world, backup_dir, monkeypatch
):
    ops.backup(backup_dir)
    new_instance()

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ops, "audit_record", broken)
    with pytest.raises(CommandError, match="nothing was restored: disk full"):
        run("restore", str(backup_dir))
    assert is_empty()


def test_a_restore_needs_the_keys_the_instance_had(world, backup_dir):
    manifest = ops.backup(backup_dir)
    # the private files stay sealed in the backup: the keys are needed to read them
    entry = manifest["files"]["entries"][0]
    data = (backup_dir / "files" / entry["name"]).read_bytes()
    assert data.startswith(crypto.SEAL_MAGIC) and b"a sealed private file" not in data
    assert crypto.unseal(data) == b"a sealed private file " * 100
    before, files, journal = snapshot()
    other = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMDE="

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(settings.ZHICHI, "ENCRYPTION_KEYS", [other])
        with pytest.raises(CommandError, match="ZHICHI_ENCRYPTION_KEY cannot decrypt"):
            run("restore", str(backup_dir), "--force")
        with pytest.raises(CommandError, match="ZHICHI_ENCRYPTION_KEY cannot decrypt"):
            run("restore", str(backup_dir), "--check")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(settings.ZHICHI_AUDIT, "KEYS", [other])
        with pytest.raises(CommandError, match="ZHICHI_AUDIT_KEY does not verify"):
            run("restore", str(backup_dir), "--force")
    assert unchanged(before, files, journal)
    # a new primary key in front of the old one still opens everything; the look-up indexes
    # need rotate_keys, and the restore says so
    with pytest.MonkeyPatch.context() as patch:
        keys = [other, *settings.ZHICHI["ENCRYPTION_KEYS"]]
        patch.setitem(settings.ZHICHI, "ENCRYPTION_KEYS", keys)
        out = run("restore", str(backup_dir), "--force")
    assert "rotate_keys" in out and "every count, checksum and SHA-256 matches" in out
    assert "is sound and this instance's keys open it" in run("restore", str(backup_dir), "--check")


def test_a_backup_is_one_snapshot_while_others_write(world, backup_dir):
    """A writer that commits while the dump runs is in none of the tables dumped after it."""
    before = ops.digests()
    wrote = []

    def write_meanwhile():
        try:
            Party.objects.create(kind=PartyKind.PERSON, name="备份期间登记")
            record(action="test.meanwhile", username="tests")
            wrote.append(True)
        finally:
            connection.close()

    def progress(line: str) -> None:
        if not wrote:
            writer = threading.Thread(target=write_meanwhile)
            writer.start()
            writer.join(timeout=30)

    manifest = ops.backup(backup_dir, progress=progress)
    assert wrote == [True]
    dumped = {
        t["table"]: {"rows": t["rows"], "checksum": t["checksum"]} for t in manifest["tables"]
    }
    assert dumped == before
    assert Party.objects.count() == 2
    assert journal_counts(backup_dir)[-1] == before["audit_auditentry"]["rows"]


def test_a_backup_goes_into_a_new_or_empty_directory_only(world, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "something").write_text("x")
    with pytest.raises(CommandError, match="exists and is not an empty directory"):
        run("backup", str(taken))
    failed = AuditEntry.objects.order_by("id").last()
    assert (failed.action, failed.outcome, failed.detail) == (
        "ops.backup",
        "failed",
        {"error": "output_not_empty"},
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    run("backup", str(empty))
    assert (empty / "manifest.json").is_file()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]  # no partial backup left
    assert [p.name for p in taken.iterdir()] == ["something"]
    assert (empty.stat().st_mode & 0o777) == 0o700


@pytest.mark.django_db(transaction=False)
def test_only_the_tables_migrate_fills_are_allowed_rows_in_an_empty_instance():
    filled = {table.label for table in ops.instance_tables() if table.model._base_manager.exists()}
    assert filled and filled <= ops.FILLED_BY_MIGRATE
    for label in ops.FILLED_BY_MIGRATE:
        apps.get_model(label)  # a real model, not a typo


@pytest.mark.django_db(transaction=False)
def test_the_dependency_order_puts_referenced_tables_first():
    order = [table.label for table in ops.instance_tables()]
    for position, table in enumerate(ops.instance_tables()):
        for model_field in table.fields:
            if model_field.is_relation and model_field.related_model is not table.model:
                target = model_field.related_model._meta.label_lower
                assert order.index(target) < position or target == table.label, (
                    table.label,
                    target,
                )
    assert "django_migrations" not in {t.name for t in ops.instance_tables()}
    assert {"django_session", "django_content_type", "auth_permission"} <= {
        t.name for t in ops.instance_tables()
    }
