"""One client of rule R8's conflicting edits, in a process of its own, against a database named
in its plan (the test database of the test that starts it, tests/cases/test_lost_updates.py):

    python -m tests.cases.lost_updates_driver <plan.json> <outcomes.json>

The plan names the database, the case, the moment the test's clock reads, the bearer tokens
(``officer`` edits the facts, ``head`` sets the level) and the edits, each an operation and its
body without a version. The driver sets Django up, prints ``ready`` and waits for a line on its
standard input, so that every client starts at once. Then, for each edit, it reads the case
through the API (``GET /api/v1/cases/{id}``) as the user who will write, and posts the edit with
the version it read. Every answer is kept: the version read, the status, and the version the
answer names (the case shown after a 200, ``current_version`` of a 409); the body of any other
answer. The outcomes are written as JSON when the last edit is answered.

The settings are the test settings (the same keys and data directory, inherited from the
environment of the test that starts it)."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

PATHS = {"facts": "/api/v1/cases/{case}/facts", "level": "/api/v1/cases/{case}/level"}
WRITERS = {"facts": "officer", "level": "head"}


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = plan["database"]  # before any connection is made
    import django

    django.setup()
    import time_machine
    from django.test import Client

    # the test's clock (tests/conftest.py), so "today" is the same day in every process
    time_machine.travel(datetime.fromisoformat(plan["clock"]), tick=True).start()
    client = Client(raise_request_exception=False)
    case = plan["case"]
    headers = {who: {"Authorization": f"Bearer {token}"} for who, token in plan["tokens"].items()}

    print("ready", flush=True)
    sys.stdin.readline()  # every client starts at once
    outcomes = []
    for number, edit in enumerate(plan["edits"]):
        who = headers[WRITERS[edit["op"]]]
        read = client.get(f"/api/v1/cases/{case}", headers=who)
        outcome: dict = {"edit": number, "op": edit["op"], "read_status": read.status_code}
        if read.status_code != 200:
            outcome["detail"] = read.content.decode(errors="replace")[:2000]
            outcomes.append(outcome)
            continue
        version = read.json()["version"]
        answer = client.post(
            PATHS[edit["op"]].format(case=case),
            {**edit["body"], "version": version},
            content_type="application/json",
            headers=who,
        )
        outcome.update(read_version=version, status=answer.status_code)
        if answer.status_code == 200:
            outcome["answered_version"] = answer.json()["version"]
        elif answer.status_code == 409:
            outcome["current_version"] = answer.json()["current_version"]
        else:
            outcome["detail"] = answer.content.decode(errors="replace")[:2000]
        outcomes.append(outcome)
    Path(argv[1]).write_text(json.dumps({"outcomes": outcomes}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
