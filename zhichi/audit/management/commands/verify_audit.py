from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhichi.audit.anchor import journal_path
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail: its hash chain, its signed head and row count, and every "
        "checkpoint in the journal. Exit 0 and 'intact' only when all agree; otherwise exit 1 "
        "naming the first altered row, the truncation or the bad MAC."
    )

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            # The first line is fixed English (tools read it); the reasons are for the operator.
            lines = ["audit chain verification FAILED"]
            lines += [f"- {problem.message}" for problem in report.problems]
            raise CommandError("\n".join(lines))
        # "intact" is binding (API.md): scripts look for it, so this line is never translated.
        self.stdout.write(f"audit chain intact: {report.checked} entries")
        oldest = AuditEntry.objects.order_by("id").values_list("at", flat=True).first()
        if oldest is not None:
            self.stdout.write(
                _(
                    "kept since %(oldest)s; retention %(days)d days (rule R7: no row younger "
                    "than that may be archived out of the database)"
                )
                % {"oldest": oldest.date(), "days": settings.ZHICHI_AUDIT["RETENTION_DAYS"]}
            )
        latest = report.latest_checkpoint
        if latest is None:
            self.stdout.write(
                _(
                    "note: the checkpoint journal %(path)s holds no checkpoint yet, so a rollback "
                    "to an earlier copy of the database could not be checked"
                )
                % {"path": journal_path()}
            )
            return
        self.stdout.write(
            _("latest checkpoint: %(at)s, %(count)s rows (%(path)s)")
            % {"at": latest.at, "count": latest.count, "path": journal_path()}
        )
        if report.unanchored:
            self.stdout.write(
                _(
                    "note: %(n)s entries were committed after the latest checkpoint (its line was "
                    "not written: see the application log)"
                )
                % {"n": report.unanchored}
            )
