"""Importing the settings creates nothing; a missing data directory is a system check error
(zhichi.E001) naming what lives there, before migrate or the server start (issue 14, item 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from zhichi.common.checks import data_dir_exists

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_settings_creates_no_directory(tmp_path):
    missing = tmp_path / "not-yet"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ZHICHI_")},
        "DJANGO_SETTINGS_MODULE": "zhichi.settings",
        "ZHICHI_DATA_DIR": str(missing),
        "ZHICHI_SECRET_KEY": "x" * 50,
        "ZHICHI_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ZHICHI_AUDIT_KEY": Fernet.generate_key().decode(),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not missing.exists()


def test_a_missing_data_dir_is_a_check_error_naming_what_it_holds(tmp_path, settings):
    missing = tmp_path / "gone"
    databases = {"default": {**settings.DATABASES["default"], "NAME": str(missing / "z.sqlite3")}}
    zhichi = {**settings.ZHICHI, "EVIDENCE_DIR": missing / "evidence"}
    with override_settings(DATA_DIR=missing, DATABASES=databases, ZHICHI=zhichi):
        errors = data_dir_exists()
    assert [e.id for e in errors] == ["zhichi.E001"]
    assert "SQLite database" in errors[0].msg and "evidence" in errors[0].msg


def test_an_existing_data_dir_passes(tmp_path, settings):
    zhichi = {**settings.ZHICHI, "EVIDENCE_DIR": tmp_path / "evidence"}
    with override_settings(DATA_DIR=tmp_path, ZHICHI=zhichi):
        assert data_dir_exists() == []
