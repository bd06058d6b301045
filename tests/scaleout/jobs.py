"""The task of the scale-out test (tests/scaleout/test_multiprocess.py). Each run adds a row
naming the task and the worker that ran it to a table the test makes, so a task run twice shows
as two rows, and a task never run as none."""

import os
import time

from django.db import connection
from django_tasks import task

TABLE = "scaleout_task_run"


@task()
def record_run(number: int) -> None:
    # long enough that the other worker takes the next task meanwhile
    time.sleep(0.05)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scaleout_task_run (number, worker) VALUES (%s, %s)",
            [number, os.environ["ZHICHI_TEST_WORKER"]],
        )
