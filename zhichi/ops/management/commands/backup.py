from contextlib import suppress
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.ops.backup import ACTOR, BackupError, backup, summary


class Command(BaseCommand):
    help = (
        "Back up this instance into OUTPUT_DIR (a new or empty directory): every table of the "
        "database as a logical dump that restores into SQLite or PostgreSQL, the private files "
        "(sealed, as stored), the audit checkpoints that cover the dumped trail, and a manifest "
        "with each table's rows and checksum and each file's SHA-256. The keys are not in it: "
        "keep them apart (docs/backup.md). Writes an ops.backup audit row once the dump is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("output_dir", help="where the backup goes; must not hold anything")

    def handle(self, *args, output_dir: str, **options):
        try:
            manifest = backup(output_dir, progress=self.stdout.write)
        except BackupError as exc:
            self._failed(exc.code)
            raise CommandError(f"backup failed: {exc.message}") from None
        except (OSError, DatabaseError) as exc:
            self._failed(type(exc).__name__)
            raise CommandError(f"backup failed, nothing was written: {exc}") from None
        figures = summary(manifest)
        record(
            action="ops.backup",
            username=ACTOR,
            detail={**figures, "path": str(Path(output_dir).absolute())},
        )
        self.stdout.write(
            f"backup {figures['backup']} written to {Path(output_dir).absolute()}: "
            f"{figures['tables']} tables, {figures['rows']} rows, {figures['files']} private "
            f"files; {manifest['size']} bytes in {manifest['seconds']} s"
        )

    @staticmethod
    def _failed(code: str) -> None:
        # the failure itself is what the operator must see: a database that is down cannot
        # take the audit row either, and that second error would only hide the first
        with suppress(DatabaseError):
            record(
                action="ops.backup",
                username=ACTOR,
                outcome=Outcome.FAILED,
                detail={"error": code},
            )
