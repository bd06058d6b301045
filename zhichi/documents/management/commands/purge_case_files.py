from django.core.management.base import BaseCommand

from zhichi.accounts.api_auth import purge_idempotency_records
from zhichi.documents.casefile import purge_expired


class Command(BaseCommand):
    help = (
        "The daily purge: delete built case files older than ZHICHI_CASEFILE_KEEP_DAYS (the export "
        "rows stay, marked expired) and the API's idempotency records older than "
        "ZHICHI_IDEMPOTENCY_HOURS (their stored answers name people). Run daily, e.g. beside "
        "send_reminders."
    )

    def handle(self, *args, **options):
        total = 0
        while purged := purge_expired():
            total += purged
        idempotency = purge_idempotency_records()
        self.stdout.write(f"{total} case files expired, {idempotency} idempotency records deleted")
