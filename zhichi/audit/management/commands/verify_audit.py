from django.core.management.base import BaseCommand, CommandError

from zhichi.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero at the first altered row."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry {report.first_broken_id} "
                f"after {report.checked} valid entries"
            )
        self.stdout.write(f"audit chain intact: {report.checked} entries")
