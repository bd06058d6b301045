from contextlib import suppress
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.ops.backup import ACTOR, BackupError, instance_holds_data, restore, verify

# the restore stopped before it changed anything because of what it found; anything else failed
# while loading and was undone
REFUSALS = {"manifest", "version", "migrations", "schema", "not_empty", "damaged", "keys"}


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this instance: its database (SQLite or "
        "PostgreSQL, whichever the backup came from) and its private files, in one transaction. "
        "Refuses an instance that holds data unless --force, an instance at another migration "
        "state, a damaged backup, and keys that do not open it; every table's rows and checksum "
        "and every file's SHA-256 are checked once loaded, and any difference undoes it all. "
        "Stop the application first. Writes an ops.restore audit row (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", help="the directory `manage.py backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="empty this instance first (every table; files in the store that the backup "
            "does not have are left in place)",
        )
        parser.add_argument(
            "--replace-journal",
            action="store_true",
            help="move this instance's audit checkpoint journal aside (kept, renamed) and put "
            "the backup's checkpoints in its place",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the backup against this instance (migrations, tables, every "
            "SHA-256, the keys); change nothing",
        )

    def handle(self, *args, backup_dir: str, force: bool, replace_journal: bool, check: bool, **o):
        source = Path(backup_dir).absolute()
        try:
            if check:
                manifest = verify(source, progress=self.stdout.write)
                self.stdout.write(
                    f"backup {manifest['id']} of {manifest['created']} is sound and this "
                    "instance's keys open it"
                )
                return
            figures = restore(
                source, force=force, replace_journal=replace_journal, progress=self.stdout.write
            )
        except BackupError as exc:
            if not check:
                self._refused(exc.code, source)
            raise CommandError(exc.message) from None
        except (OSError, DatabaseError) as exc:
            if not check:
                self._refused(type(exc).__name__, source)
            raise CommandError(f"restore failed, nothing was restored: {exc}") from None
        self._report(figures)

    def _report(self, figures: dict) -> None:
        write = self.stdout.write
        write(
            f"restored backup {figures['backup']} of {figures['backup_created']}: "
            f"{figures['tables']} tables, {figures['rows']} rows, {figures['files']} private "
            f"files in {figures['seconds']} s; every count, checksum and SHA-256 matches"
        )
        journal = figures["journal"]
        if journal in ("installed", "replaced"):
            write("audit checkpoint journal: the backup's checkpoints installed")
        if journal == "replaced":
            write("  (the journal that was here is kept beside it, renamed .before-restore-…)")
        if figures["audit_intact"]:
            write("audit chain intact after the restore (python manage.py verify_audit)")
        else:
            write("WARNING: the restored audit trail does not verify:")
            for problem in figures["audit_problems"]:
                write(f"  - {problem}")
            if journal == "kept":
                write(
                    "  This instance's own checkpoint journal was kept, and it knows entries the "
                    "backup does not: a restore of an older copy reads as a rollback. Record the "
                    "restore, move the journal aside and put the backup's audit-checkpoints.log "
                    "in its place (docs/backup.md, docs/audit.md)."
                )
        if figures["extra_files"]:
            write(
                f"note: {figures['extra_files']} files in the private store are not in the "
                "backup; they were left in place"
            )
        write("restart the application (and its workers) now")

    @staticmethod
    def _refused(code: str, source: Path) -> None:
        # An instance that holds data keeps a row of the refused or failed restore in its
        # trail. An empty one is left empty: a row there would make it "not empty".
        with suppress(DatabaseError):
            if instance_holds_data():
                record(
                    action="ops.restore",
                    username=ACTOR,
                    outcome=Outcome.DENIED if code in REFUSALS else Outcome.FAILED,
                    detail={"error": code, "path": str(source)},
                )
