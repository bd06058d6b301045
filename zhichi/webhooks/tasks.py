"""Background delivery of webhooks (Django's Tasks API; run `manage.py db_worker`)."""

from django_tasks import task

from zhichi.webhooks.services import attempt_delivery


@task()
def deliver_webhook(delivery_id: int) -> dict:
    delivery = attempt_delivery(delivery_id=delivery_id)
    if delivery is None:
        return {"delivery": delivery_id, "sent": False}
    return {
        "delivery": delivery_id,
        "sent": True,
        "status": delivery.status,
        "attempts": delivery.attempts,
    }
