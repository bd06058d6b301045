"""The project's own checks run with the suite, so CI catches them."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.integration
@pytest.mark.django_db
def test_r14_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


@pytest.mark.unit
def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run(
        [ruff, "check", "--quiet", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.unit
def test_no_inline_script_or_style_in_templates():
    offenders = []
    for path in ROOT.joinpath("zhichi").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for needle in (
            "<style",
            " style=",
            "onclick=",
            "onload=",
            "onchange=",
            "onsubmit=",
            "javascript:",
        ):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
        for line in text.splitlines():
            if "<script" in line and "src=" not in line and 'type="application/json"' not in line:
                offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
    assert offenders == []


@pytest.mark.unit
def test_the_bench_modules_load_outside_django():
    """``make bench`` starts ``bench.run`` and ``bench.generate`` as plain scripts: they set Django
    up themselves, so importing them must not need the settings (a model import at the top of the
    module broke ``make bench`` once)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for module in ("bench.run", "bench.generate", "bench.documents"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (module, done.stderr[-2000:])
