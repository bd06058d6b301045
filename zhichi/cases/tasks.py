"""Background tasks (Django's Tasks API; the database is the queue: run `manage.py db_worker`)."""

from datetime import datetime, time

from django.utils import timezone
from django_tasks import task

from zhichi.cases.services.criminal import recheck_criminal_leads
from zhichi.cases.services.reminders import send_reminders


@task()
def send_reminders_task() -> dict:
    run = send_reminders()
    return {"reminded": run.reminded, "escalated": run.escalated, "checked": run.checked}


@task()
def recheck_criminal_leads_task(province: str, threshold_id: int) -> dict:
    return {"changed": recheck_criminal_leads(province=province, threshold_id=threshold_id)}


def on_threshold_entered(sender, threshold, **kwargs) -> None:
    """A province's figures were entered in the law library (rulebook.signals): check its open
    cases again, now, or on the day the figures take effect (rule CR-4)."""
    job = recheck_criminal_leads_task
    if threshold.effective_from > timezone.localdate():
        if not job.get_backend().supports_defer:
            # e.g. the ImmediateBackend: the figures apply at each case's next change of facts
            return
        start = datetime.combine(threshold.effective_from, time.min)
        job = job.using(run_after=timezone.make_aware(start))
    job.enqueue(province=threshold.province, threshold_id=threshold.pk)
