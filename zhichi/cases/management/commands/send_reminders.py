from django.core.management.base import BaseCommand

from zhichi.cases.services.reminders import send_reminders
from zhichi.cases.tasks import send_reminders_task


class Command(BaseCommand):
    help = (
        "Remind officers of deadlines due soon or overdue and escalate overdue ones to the heads. "
        "Run daily (cron or a systemd timer); --enqueue hands the work to a db_worker instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue it for db_worker")

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = send_reminders_task.enqueue()
            self.stdout.write(f"queued task {result.id}")
            return
        run = send_reminders()
        self.stdout.write(
            f"checked {run.checked} deadlines: {run.reminded} reminders, {run.escalated} escalations"
        )
