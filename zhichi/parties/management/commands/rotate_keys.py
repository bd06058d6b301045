from django.core.management.base import BaseCommand

from zhichi.audit.services import record
from zhichi.parties import rotation


class Command(BaseCommand):
    help = (
        "Seal everything again under the primary encryption key (the first of "
        "ZHICHI_ENCRYPTION_KEY): identifiers and their blind indexes, webhook secrets, issued "
        "documents, case files and evidence files. Put the new key first and keep the old ones "
        "after it while this runs; remove the old keys afterwards. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = rotation.rotate_all()
        record(action="keys.rotate", username="manage.py", detail={"changed": counts})
        for name, n in counts.items():
            self.stdout.write(f"{name}: {n} re-sealed")
        self.stdout.write("rotation done")
