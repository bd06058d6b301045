from django.core.management.base import BaseCommand

from zhichi.common.purges import purge_all


class Command(BaseCommand):
    help = (
        "The daily purge: every app's files and records past their time (zhichi/common/purges.py): "
        "built case files and the lists' Excel files older than ZHICHI_CASEFILE_KEEP_DAYS (the "
        "export rows stay, marked expired) and the API's idempotency records older than "
        "ZHICHI_IDEMPOTENCY_HOURS (their stored answers name people). Run daily, e.g. beside "
        "send_reminders."
    )

    def handle(self, *args, **options):
        done = purge_all()
        self.stdout.write(", ".join(f"{name}: {count} deleted" for name, count in done.items()))
