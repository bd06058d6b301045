"""Rule R12: production settings pass `manage.py check --deploy` with no warning; a demo instance
(ZHICHI_DEMO) and a short audit retention (rule R7) are refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


def production_env(tmp_path, **extra) -> dict[str, str]:
    """The environment docs/deployment.md sets for production (keys are the test keys)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZHICHI_", "DJANGO_")) and k != "PYTEST_XDIST_WORKER"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="zhichi.settings",
        ZHICHI_DATA_DIR=str(tmp_path),
        ZHICHI_SECRET_KEY="prod-like-secret-" + "k" * 50,
        ZHICHI_ENCRYPTION_KEY="dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=",
        ZHICHI_AUDIT_KEY="dGVzdC1hdWRpdC1rZXktdGVzdC1hdWRpdC1rZXktMDE=",
        ZHICHI_ALLOWED_HOSTS="zhichi.example.org",
        ZHICHI_SSL_REDIRECT="1",
    )
    env.update(extra)
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_r12_check_deploy_passes_with_no_warning(tmp_path):
    done = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues (0 silenced)" in done.stdout


def test_r12_check_deploy_refuses_a_demo_instance(tmp_path):
    env = production_env(tmp_path, ZHICHI_DEMO="1", ZHICHI_ALLOWED_HOSTS="127.0.0.1")
    done = manage(env, "check", "--deploy")
    assert done.returncode != 0
    assert "zhichi.E002" in done.stderr


def test_r7_audit_retention_below_180_days_is_refused(tmp_path):
    done = manage(production_env(tmp_path, ZHICHI_AUDIT_RETENTION_DAYS="179"), "check")
    assert done.returncode != 0
    assert "ZHICHI_AUDIT_RETENTION_DAYS must be at least 180" in done.stderr
    done = manage(production_env(tmp_path, ZHICHI_AUDIT_RETENTION_DAYS="180"), "check")
    assert done.returncode == 0, done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/cases/", "/leads/", "/login/", "/no-such-page/", "/api/v1/cases"]
)
def test_r12_every_answer_of_ours_is_no_store(web, path):
    response = web("civil1").get(path)
    assert "no-store" in response["Cache-Control"], (path, response.status_code)


@pytest.mark.django_db
def test_r12_static_files_keep_their_cache(client):
    response = client.get("/static/css/zhichi.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
