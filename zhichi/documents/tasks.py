"""Background work of documents (Django's Tasks API; run `manage.py db_worker`)."""

from django_tasks import task

from zhichi.documents import casefile_build


@task()
def build_case_file(export_id: int) -> dict:
    export = casefile_build.build(export_id)
    return {"export": export.pk, "status": export.status, "size": export.size}
