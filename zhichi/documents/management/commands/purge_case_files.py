from django.core.management.base import BaseCommand

from zhichi.documents.casefile import purge_expired


class Command(BaseCommand):
    help = (
        "Delete built case files older than ZHICHI_CASEFILE_KEEP_DAYS (the export rows stay, "
        "marked expired). Run daily, e.g. beside send_reminders."
    )

    def handle(self, *args, **options):
        total = 0
        while purged := purge_expired():
            total += purged
        self.stdout.write(f"{total} case files expired")
