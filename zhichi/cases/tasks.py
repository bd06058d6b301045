"""Background tasks (Django's Tasks API; the database is the queue: run `manage.py db_worker`)."""

from django_tasks import task

from zhichi.cases.services.reminders import send_reminders


@task()
def send_reminders_task() -> dict:
    run = send_reminders()
    return {"reminded": run.reminded, "escalated": run.escalated, "checked": run.checked}
