"""The bench's table (bench.run): the verdicts of P2, P3, P6 and P7 from measured figures, and
how P6 finds and reads the worker it samples."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import run

pytestmark = pytest.mark.unit


def op(rps: float, p95: float, errors: int = 0) -> dict:
    return {
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "errors": errors,
        "rounds_rps": [rps, rps],
    }


def size_result(size: int, ops: dict, **extra) -> dict:
    return {"size": size, "ops": {"floor": op(100.0, 50.0), **ops}, **extra}


def row(rows: list[list[str]], id_: str, what: str, size: str | None = None) -> list[str]:
    found = [r for r in rows if r[0] == id_ and r[1] == what and (size is None or r[2] == size)]
    assert len(found) == 1, (id_, what, size, rows)
    return found[0]


def memory(samples_mb: list[float], *, requests: int = 10_000, **extra) -> dict:
    step = requests // (len(samples_mb) - 1)
    return {
        "requests": requests,
        "asked": requests,
        "errors": 0,
        "statuses": {"200": requests},
        "error_samples": [],
        "samples": [[i * step, int(mb * 1024)] for i, mb in enumerate(samples_mb)],
        "worker_pid": 1,
        "restarted": False,
        "seconds": 100.0,
        "threads": 4,
        "clients": 20,
        **extra,
    }


def test_p2_ratio_against_the_floor_of_the_same_size():
    rows = run.build_rows(
        [
            size_result(
                10_000,
                {"list": op(50.0, 80.0), "detail": op(49.0, 90.0), "search2": op(80.0, 60.0, 3)},
            )
        ]
    )
    labels = run.op_labels({})
    assert row(rows, "P2", labels["list"])[4].startswith("0.50×")
    assert row(rows, "P2", labels["list"])[6] == "pass"
    assert row(rows, "P2", labels["detail"])[6] == "short"
    # errors make a fast operation short all the same
    assert row(rows, "P2", labels["search2"])[6] == "short (3 errors)"


def test_p3_compares_the_smallest_and_the_largest_size():
    small = size_result(10_000, {"list": op(60.0, 100.0), "detail": op(60.0, 100.0)})
    middle = size_result(100_000, {"list": op(60.0, 900.0), "detail": op(60.0, 900.0)})
    large = size_result(200_000, {"list": op(60.0, 200.0), "detail": op(60.0, 201.0)})
    rows = run.build_rows([small, middle, large])
    labels = run.op_labels({})
    listed = row(rows, "P3", f"p95 growth: {labels['list']}")
    assert listed[2] == "10k→200k"
    assert listed[4] == "2.00×"
    assert listed[6] == "pass to 200k only"  # the target is stated to 1M
    assert row(rows, "P3", f"p95 growth: {labels['detail']}")[6] == "short"
    at_1m = size_result(1_000_000, {"list": op(60.0, 150.0)})
    assert row(run.build_rows([small, at_1m]), "P3", f"p95 growth: {labels['list']}")[6] == "pass"


def test_transfers_inbox_is_labelled_with_the_user_it_was_read_as():
    rows = run.build_rows(
        [size_result(10_000, {"transfers": op(60.0, 80.0)}, probe={"inbox_user": "hrss1"})]
    )
    assert row(rows, "P2", "page /transfers/inbox/ (hrss1)")[6] == "pass"


@pytest.mark.parametrize(
    ("samples_mb", "extra", "verdict"),
    [
        ([120, 180, 190, 191, 192], {}, "pass"),
        # the first half may grow (imports, caches); the last half must not
        ([120, 150, 200, 205, 209], {}, "pass"),
        ([120, 150, 200, 215, 230], {}, "short (grew 15.0% over the last half)"),
        ([120, 250, 310, 311, 312], {}, "short (RSS over 300 MB)"),
        ([120, 180, 190, 191, 192], {"restarted": True}, "short (the worker was replaced)"),
        ([120, 180, 190, 191, 192], {"errors": 2}, "short (2 errors)"),
        ([120, 180, 190, 191, 192], {"requests": 4000}, "pass to 4,000 requests only"),
    ],
)
def test_p6_verdict(samples_mb, extra, verdict):
    requests = extra.pop("requests", 10_000)
    assert run.p6_verdict(memory(samples_mb, requests=requests, **extra)) == verdict


def test_p6_growth_is_measured_from_half_way():
    figures = run.p6_figures(memory([100, 200, 250, 260, 275]))
    assert figures["mid_at"] == 5000
    assert figures["mid_mb"] == pytest.approx(250)
    assert figures["growth"] == pytest.approx(0.10)
    rows = run.build_rows([size_result(100_000, {}, memory=memory([100, 200, 250, 260, 275]))])
    p6 = [r for r in rows if r[0] == "P6"]
    assert len(p6) == 1
    assert p6[0][4] == "0.92× limit; last half +10.0%"
    assert p6[0][6] == "short (grew 10.0% over the last half)"


def test_p7_measured_on_postgresql_at_a_million_projected_otherwise():
    generated = {
        "database": "postgresql",
        "method": "copy",
        "rows": 30_000_000,
        "seconds": 500.0,
        "wall_s": 540.0,
        "rows_per_s": 60_000.0,
        "cases_per_s": 2_000.0,
    }
    measured = run.p7_row(1_000_000, generated)
    assert "measured" in measured[6]
    assert measured[6].startswith("pass")
    assert measured[4] == "0.90× limit"  # 9 min of the whole command, not the 8.3 of the rate
    too_slow = run.p7_row(1_000_000, generated | {"wall_s": 660.0})
    assert too_slow[6].startswith("short")
    # SQLite, or a smaller size: 1M cases projected from the rate
    projected = run.p7_row(100_000, generated | {"database": "sqlite", "cases_per_s": 1_000.0})
    assert "projection" in projected[6]
    assert projected[4] == "1.67× limit"
    assert projected[6].startswith("short")


def test_p6_finds_the_worker_as_a_child_and_reads_its_memory():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in run.children_of(os.getpid())
        assert run.rss_kib(child.pid) > 1000  # a Python interpreter holds more than 1 MiB
    finally:
        child.kill()
        child.wait()
    assert child.pid not in run.children_of(os.getpid())
    assert run.rss_kib(child.pid) == 0


def test_a_shared_cache_reaches_the_servers_only_when_asked(tmp_path):
    keys = {"secret": "s", "fernet": "f", "audit": "a"}
    assert "ZHICHI_CACHE_URL" not in run.bench_env(tmp_path, None, keys)
    env = run.bench_env(tmp_path, None, keys, "redis://127.0.0.1:6379/15")
    assert env["ZHICHI_CACHE_URL"] == "redis://127.0.0.1:6379/15"
