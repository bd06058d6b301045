"""Rule R8: no lost updates. Many clients editing one case at once: every write made on a version
that is no longer the case's gets 409, and the case ends exactly as the successful writes, made
one after another, leave it.

How a case is kept from losing an update: every change to a case goes through
``cases.services.common.changing_case``, which opens a transaction, locks the case row first
(``select_for_update``), compares the version the client sent with the stored one (409 when they
differ) and saves the change with the version bumped, all before the lock is released. On
PostgreSQL the row lock makes a second writer wait and then read the committed version (so it is
refused); on SQLite, where ``FOR UPDATE`` does not exist, every transaction starts with ``BEGIN
IMMEDIATE`` (settings: ``transaction_mode``), which takes the database's write lock before the
version is read, and ``busy_timeout`` makes the next writer wait for it instead of failing with
"database is locked". The check and the write are therefore one step on both databases: no
writer can read a version, be overtaken, and still write.

How it is proven: ``ZHICHI_CONFLICT_PROCESSES`` processes (4 by default) each make
``ZHICHI_CONFLICT_EDITS`` edits (25 by default; QUALITY.md R8 is 8 × 500, ``make conflicts``)
of one case through the API, as its officer (the facts: ``POST /cases/{id}/facts``) and its
department head (the level: ``POST /cases/{id}/level``), each edit on the version the client
has just read (tests/cases/lost_updates_driver.py). Every facts edit names an order-to-pay
authority no other edit names, and every level edit a reason no other names, so each write is
recognisable afterwards and always changes the case. Then:

- every answer is 200 or 409 (no 500, no "database is locked", nothing else);
- the versions the successful writes were made on are exactly the versions the case went through,
  once each: the successes are as many as the version went up, and every 409 was on a version
  that one success had already replaced;
- the case's timeline and the audit trail hold one entry per successful write, in the order of
  the versions they were made on, each naming that write (its authority or its reason), and the
  facts each one recorded as changed are those a serial replay changes;
- the successful writes replayed one after another, in the order of their versions, on a fresh
  copy of the case leave the copy exactly as the case (facts, level, grading, flags, criminal
  check, the number of versions), and the directly written fields equal those of the writes
  applied in order to the starting state;
- the audit trail's hash chain still verifies.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.transfers.conftest import wage_case
from zhichi.accounts.services import issue_token
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import verify_chain
from zhichi.cases.choices import Evasion, LabourRelationship, RiskSignal
from zhichi.cases.models import Case, TimelineEvent
from zhichi.cases.services import override_level

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = int(os.environ.get("ZHICHI_CONFLICT_PROCESSES", "4"))
EDITS = int(os.environ.get("ZHICHI_CONFLICT_EDITS", "25"))
TIMEOUT = 60 + PROCESSES * EDITS  # seconds; the 8 × 500 pass takes several minutes

# the fields the facts route writes (FactsIn names) as the case stores them
FACT_FIELDS = ("labour_relationship", "has_iou", "evasion", "signals")
WRITTEN = (*FACT_FIELDS, "payment_order_authority", "level", "level_override_reason")
# everything the two routes change, written or worked out from what was written
COMPARED = (
    "labour_relationship",
    "has_iou",
    "consent_to_share",
    "payment_order_authority",
    "payment_order_issued_on",
    "payment_order_deadline",
    "evasion",
    "signals",
    "flags",
    "level",
    "level_reasons",
    "level_overridden_by_id",
    "level_override_reason",
    "risk_score",
    "risk_reasons",
    "criminal_check",
    "stage",
    "status",
)
AUTHORITY = "五华区人力资源和社会保障局"


def plan_edits(process: int, edits: int, rng: random.Random) -> list[dict]:
    """A quarter of the edits set the level (the head), the rest change some facts (the
    officer); each names something no other edit names, so every write changes the case."""
    planned = []
    for n in range(edits):
        tag = f"p{process}-e{n:04d}"
        if rng.random() < 0.25:
            body = {"level": rng.choice([1, 2, 3]), "reason": f"复核定级 {tag}"}
            planned.append({"op": "level", "body": body})
            continue
        body: dict = {"payment_order": {"authority": f"{AUTHORITY} {tag}"}}
        if rng.random() < 0.5:
            body["has_iou"] = rng.random() < 0.5
        if rng.random() < 0.3:
            body["labour_relationship"] = rng.choice(LabourRelationship.values)
        if rng.random() < 0.3:
            body["evasion"] = rng.sample(Evasion.values, rng.randint(0, len(Evasion.values)))
        if rng.random() < 0.3:
            body["signals"] = rng.sample(RiskSignal.values, rng.randint(0, 2))
        planned.append({"op": "facts", "body": body})
    return planned


def start_clients(case: Case, users, tmp_path: Path) -> tuple[list[dict], float]:
    """Start the clients, let them go at once, and answer every client's plan beside its
    outcomes, and how long the edits took (from the start signal to the last answer)."""
    database = connection.settings_dict["NAME"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    clients = []
    for process in range(PROCESSES):
        edits = plan_edits(process, EDITS, random.Random(f"r8-{process}"))
        plan = {
            "database": database,
            "case": case.pk,
            "clock": timezone.now().isoformat(),
            "tokens": {
                "officer": issue_token(user=users["civil1"], name=f"r8 {process}").raw,
                "head": issue_token(user=users["civilhead"], name=f"r8 {process}").raw,
            },
            "edits": edits,
        }
        plan_path = tmp_path / f"plan-{process}.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        out = tmp_path / f"outcomes-{process}.json"
        err = (tmp_path / f"stderr-{process}.log").open("wb")
        popen = subprocess.Popen(
            [sys.executable, "-m", "tests.cases.lost_updates_driver", str(plan_path), str(out)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        clients.append((popen, edits, out, err))
    try:
        for popen, _edits, _out, err in clients:
            line = popen.stdout.readline()
            assert line.strip() == b"ready", Path(err.name).read_text(errors="replace")[-3000:]
        started = time.monotonic()
        for popen, *_rest in clients:
            popen.stdin.write(b"go\n")
            popen.stdin.flush()
        for popen, _edits, _out, err in clients:
            popen.wait(timeout=TIMEOUT)
            assert popen.returncode == 0, Path(err.name).read_text(errors="replace")[-3000:]
        elapsed = time.monotonic() - started
    finally:
        for popen, _edits, _out, err in clients:
            if popen.poll() is None:
                popen.kill()
                popen.wait()
            err.close()
    results = []
    for process, (_popen, edits, out, _err) in enumerate(clients):
        for outcome in json.loads(out.read_text(encoding="utf-8"))["outcomes"]:
            results.append({**outcome, "process": process, "body": edits[outcome["edit"]]["body"]})
    return results, elapsed


def stored(case: Case, fields=WRITTEN) -> dict:
    return Case.objects.filter(pk=case.pk).values(*fields).get()


def apply(state: dict, op: str, body: dict) -> list[str]:
    """What the write does to the stored fields, made on ``state``: the fields it changes."""
    if op == "level":
        state["level"], state["level_override_reason"] = body["level"], body["reason"]
        return ["level", "level_override_reason"]
    values = {k: body[k] for k in FACT_FIELDS if k in body}
    values["payment_order_authority"] = body["payment_order"]["authority"]
    changed = sorted(k for k, v in values.items() if state[k] != v)
    state.update(values)
    return changed


def graded_case(users, seq: str) -> Case:
    """A wage case of civil1 whose level a head has set once, so every later level is one the
    edits set (the facts then change the grading's reasons, never the level itself)."""
    case = wage_case(users, consent=False, seq=seq)
    override_level(
        case_id=case.pk,
        level=2,
        reason="初始定级",
        actor=users["civilhead"],
        version=Case.objects.get(pk=case.pk).version,
    )
    return Case.objects.get(pk=case.pk)


def test_r8_conflicting_edits_of_one_case_lose_no_update(users, api, tmp_path):
    case = graded_case(users, "81")
    copy = graded_case(users, "82")
    first = case.version
    start_state = stored(case)
    last_event = TimelineEvent.objects.order_by("-id").values_list("id", flat=True).first()
    last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    outcomes, elapsed = start_clients(case, users, tmp_path)

    # every read answered, every write 200 or 409
    assert len(outcomes) == PROCESSES * EDITS
    reads = Counter(o["read_status"] for o in outcomes)
    statuses = Counter(o.get("status") for o in outcomes)
    others = [o for o in outcomes if o["read_status"] != 200 or o["status"] not in (200, 409)]
    assert others == [], [(o.get("status"), o.get("detail", "")[:300]) for o in others[:5]]
    print(
        f"\nR8 on {connection.vendor}: {PROCESSES} processes × {EDITS} edits in {elapsed:.1f} s: "
        f"{statuses[200]} written (200), {statuses[409]} stale (409), reads {dict(reads)}"
    )
    assert statuses[409] > 0  # the clients did overtake each other

    # the successes are the versions the case went through, each once
    final = Case.objects.get(pk=case.pk).version
    successes = sorted((o for o in outcomes if o["status"] == 200), key=lambda o: o["read_version"])
    assert len(successes) == final - first
    assert [o["read_version"] for o in successes] == list(range(first, final))
    assert all(o["answered_version"] > o["read_version"] for o in successes)
    stale = [o for o in outcomes if o["status"] == 409]
    assert all(first <= o["read_version"] < final for o in stale)
    assert all(o["current_version"] > o["read_version"] for o in stale)

    # the serial replay of the successes, in the order of their versions, on the starting state
    state = dict(start_state)
    changes = [apply(state, o["op"], o["body"]) for o in successes]
    assert stored(case) == state

    # one timeline entry and one audit row per success, in that order, naming that write
    events = list(
        TimelineEvent.objects.filter(case=case, id__gt=last_event or 0)
        .order_by("id")
        .values_list("kind", "summary", "data")
    )
    assert [kind for kind, _s, _d in events] == [
        {"facts": "facts", "level": "level_set"}[o["op"]] for o in successes
    ]
    for (kind, summary, data), o, changed in zip(events, successes, changes, strict=True):
        if kind == "level_set":
            assert (summary, data["to"]) == (o["body"]["reason"], o["body"]["level"])
        else:
            assert data["changed"] == changed
    audits = list(
        AuditEntry.objects.filter(
            object_type="cases.case", object_id=str(case.pk), id__gt=last_audit or 0
        )
        .order_by("id")
        .values_list("action", "outcome", "detail")
    )
    assert [(action, outcome) for action, outcome, _d in audits] == [
        ("case." + o["op"], "ok") for o in successes
    ]
    authority = start_state["payment_order_authority"]
    for (action, _outcome, detail), o in zip(audits, successes, strict=True):
        if action == "case.level":
            assert detail["to"] == o["body"]["level"]
            continue
        new = o["body"]["payment_order"]["authority"]
        assert detail["changed"]["payment_order_authority"] == [authority, new]
        authority = new

    # the same writes made one after another on a fresh copy leave it exactly as the case
    writers = {"facts": api("civil1"), "level": api("civilhead")}
    for o in successes:
        version = Case.objects.get(pk=copy.pk).version
        r = writers[o["op"]].post(
            f"/api/v1/cases/{copy.pk}/{o['op']}", {**o["body"], "version": version}
        )
        assert r.status_code == 200, r.content
    replayed = Case.objects.get(pk=copy.pk)
    assert replayed.version - copy.version == final - first
    assert stored(copy, COMPARED) == stored(case, COMPARED)

    assert verify_chain().ok
