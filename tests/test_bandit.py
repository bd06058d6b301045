"""Rule R12: bandit finds no high-severity issue in the application's code (run on every
`make test`, so in CI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.unit
def test_r12_bandit_finds_no_high_severity_issue():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-r",
            "zhichi",
            "-q",
            "-f",
            "json",
            "--severity-level",
            "high",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it read the code
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] == "HIGH"
    ]
    assert high == []
