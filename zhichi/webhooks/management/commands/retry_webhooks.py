from django.core.management.base import BaseCommand

from zhichi.webhooks.tasks import deliver_webhook, due_delivery_ids, retry_due


class Command(BaseCommand):
    help = (
        "Send every pending webhook delivery whose next attempt is due. Run it every minute or "
        "so (cron or a systemd timer) when no db_worker runs deferred tasks; --enqueue hands "
        "the due deliveries to the task queue instead of sending them here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many (500)")
        parser.add_argument("--enqueue", action="store_true", help="queue them for db_worker")

    def handle(self, *args, limit: int, enqueue: bool, **options):
        if enqueue:
            ids = due_delivery_ids(limit=limit)
            for delivery_id in ids:
                deliver_webhook.enqueue(delivery_id=delivery_id)
            self.stdout.write(f"queued {len(ids)} deliveries")
            return
        counts = retry_due(limit=limit)
        self.stdout.write(
            f"delivered {counts['delivered']}, to retry {counts['pending']}, "
            f"failed {counts['failed']}, skipped {counts['skipped']}"
        )
