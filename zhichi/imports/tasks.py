"""Background work of the imports (Django's Tasks API; run `manage.py db_worker`)."""

from django_tasks import task

from zhichi.imports import running


@task()
def run_import_task(job_id: int) -> dict:
    job = running.run_import(job_id=job_id)
    return {"import": job.pk, "status": job.status, "rows_total": job.rows_total}
