"""Issue 12 item 9: the audit key's settings and the checkpoint journal's file (no database)."""

from __future__ import annotations

import multiprocessing
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhichi.audit import anchor

pytestmark = pytest.mark.unit

SETTINGS = Path(__file__).resolve().parents[2] / "zhichi" / "settings.py"
KEY = "b3RoZXItYXVkaXQta2V5LW90aGVyLWF1ZGl0LWtleTE="


def load_settings(monkeypatch, tmp_path, **env) -> dict:
    """A fresh run of zhichi/settings.py under the given environment (the live settings stay)."""
    monkeypatch.setenv("ZHICHI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ZHICHI_AUDIT_KEY", raising=False)
    monkeypatch.delenv("ZHICHI_AUDIT_JOURNAL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS), run_name="zhichi_settings_probe")


def test_item9_missing_audit_key_stops_start_up_without_debug(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="ZHICHI_AUDIT_KEY is not set"):
        load_settings(monkeypatch, tmp_path, ZHICHI_DEBUG="0")


def test_item9_debug_makes_an_audit_key_in_the_data_dir_and_keeps_it(monkeypatch, tmp_path):
    first = load_settings(monkeypatch, tmp_path, ZHICHI_DEBUG="1")["ZHICHI_AUDIT"]
    second = load_settings(monkeypatch, tmp_path, ZHICHI_DEBUG="1")["ZHICHI_AUDIT"]
    assert first["KEYS"] == second["KEYS"] == [(tmp_path / "audit_key").read_text()]
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert first["JOURNAL"] == tmp_path.resolve() / "audit-checkpoints.log"


def test_item9_audit_keys_are_a_list_and_the_journal_path_is_configurable(monkeypatch, tmp_path):
    audit = load_settings(
        monkeypatch,
        tmp_path,
        ZHICHI_DEBUG="0",
        ZHICHI_AUDIT_KEY=f"{KEY}, dGhpcmQtYXVkaXQta2V5LXRoaXJkLWF1ZGl0LWtleTI=",
        ZHICHI_AUDIT_JOURNAL=str(tmp_path / "worm" / "journal.log"),
    )["ZHICHI_AUDIT"]
    assert audit["KEYS"] == [KEY, "dGhpcmQtYXVkaXQta2V5LXRoaXJkLWF1ZGl0LWtleTI="]
    assert audit["JOURNAL"] == tmp_path.resolve() / "worm" / "journal.log"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("c2hvcnQ=", "ZHICHI_AUDIT_KEY keys must decode to 32 bytes"),
        ("not base64!", "ZHICHI_AUDIT_KEY holds a key that is not url-safe base64"),
        ("", "ZHICHI_AUDIT_KEY is not set"),
        (None, "ZHICHI_AUDIT_KEY must be a key of its own"),
    ],
)
def test_item9_a_bad_audit_key_stops_start_up(monkeypatch, tmp_path, value, message):
    import os

    value = os.environ["ZHICHI_ENCRYPTION_KEY"].split(",")[0] if value is None else value
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, tmp_path, ZHICHI_DEBUG="0", ZHICHI_AUDIT_KEY=value)


def test_item9_a_checkpoint_is_one_line_of_time_count_last_id_last_hash_and_mac():
    anchor.append_checkpoint(count=3, last_id=17, last_hash="a" * 64)
    text = anchor.journal_path().read_text()
    version, at, count, last_id, last_hash, mac = text.rstrip("\n").split(" ")
    assert (version, count, last_id, last_hash, len(mac)) == ("v1", "3", "17", "a" * 64, 64)
    assert at.endswith("+00:00")
    (checkpoint,) = anchor.read_journal()
    assert (checkpoint.at, checkpoint.count, checkpoint.last_id, checkpoint.line) == (at, 3, 17, 1)


def test_item9_a_half_written_last_line_is_left_for_the_next_run():
    anchor.append_checkpoint(count=1, last_id=1, last_hash="a" * 64)
    with anchor.journal_path().open("a") as fh:
        fh.write("v1 2026-01-01T00:00:00")
    assert [c.count for c in anchor.read_journal()] == [1]


def _append_many(worker: int, n: int) -> None:
    for i in range(n):
        anchor.append_checkpoint(count=worker * 1000 + i, last_id=i + 1, last_hash=f"{worker:064x}")


def test_item9_journal_lines_stay_whole_when_several_processes_append_at_once():
    workers, per_worker = 4, 250
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_append_many, args=(w, per_worker)) for w in range(1, workers + 1)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * workers
    items = list(anchor.read_journal())
    assert [i for i in items if isinstance(i, anchor.BadLine)] == []
    assert sorted(c.count for c in items) == sorted(
        w * 1000 + i for w in range(1, workers + 1) for i in range(per_worker)
    )
