"""Run one import in a process of its own, as the task worker does, against a database named on
the command line (the test database of the test that starts it; rule R9's SIGKILL test):

    python -m tests.imports.resume_worker <database name> <import id>

The settings are the test settings (the same keys and data directory, inherited from the
environment of the test that starts it); ZHICHI_IMPORT_BATCH_ROWS sets the batch size."""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    database, job_id = argv[0], int(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database  # before any connection is made
    import django

    django.setup()
    from zhichi.imports import running

    job = running.run_import(job_id=job_id)
    print(job.status, job.units_done, job.rows_total, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
