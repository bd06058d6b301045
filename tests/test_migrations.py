"""Rule R14: every migration applies forward and backward on seeded data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(tmp_path, *args):
    env = {
        **os.environ,
        "ZHICHI_DEBUG": "1",
        "ZHICHI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "zhichi.settings",
    }
    env.pop("ZHICHI_DATABASE_URL", None)  # a throwaway SQLite file in tmp_path
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, f"manage.py {' '.join(args)} failed:\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.mark.integration
def test_r14_migrations_apply_backward_and_forward_on_seeded_data(tmp_path):
    manage(tmp_path, "migrate", "--no-input", "-v0")
    manage(tmp_path, "seed_demo", "--leads", "8")
    for app in ("intake", "cases", "rulebook"):
        manage(tmp_path, "migrate", app, "zero", "--no-input", "-v0")
    manage(tmp_path, "migrate", "--no-input", "-v0")
    out = manage(tmp_path, "showmigrations", "--plan")
    assert "[ ]" not in out
    manage(tmp_path, "seed_demo", "--leads", "8")
    manage(tmp_path, "verify_audit")
