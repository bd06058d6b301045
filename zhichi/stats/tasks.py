"""Background work of the statistics app (Django's Tasks API; run `manage.py db_worker`)."""

from django_tasks import task

from zhichi.stats import exports_build


@task()
def build_list_export(export_id: int) -> dict:
    export = exports_build.build(export_id)
    return {"export": export.pk, "status": export.status, "rows": export.rows_total}
