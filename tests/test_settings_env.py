import pytest

from zhichi.common.envconf import (
    ConfigError,
    development_secret,
    env_bool,
    env_int,
    env_list,
    validate_fernet_keys,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("yes", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_words(monkeypatch, raw, value):
    monkeypatch.setenv("ZHICHI_X", raw)
    assert env_bool("ZHICHI_X") is value


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("ZHICHI_X", "maybe")
    with pytest.raises(ConfigError, match="ZHICHI_X"):
        env_bool("ZHICHI_X")


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("ZHICHI_N", "abc")
    with pytest.raises(ConfigError):
        env_int("ZHICHI_N", 1)
    monkeypatch.setenv("ZHICHI_N", "-1")
    with pytest.raises(ConfigError):
        env_int("ZHICHI_N", 1, minimum=0)
    monkeypatch.setenv("ZHICHI_N", "42")
    assert env_int("ZHICHI_N", 1) == 42


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("ZHICHI_HOSTS", " a.example , b.example,,")
    assert env_list("ZHICHI_HOSTS", []) == ["a.example", "b.example"]


def test_encryption_keys_must_be_32_byte_base64():
    with pytest.raises(ConfigError):
        validate_fernet_keys("K", "short")
    with pytest.raises(ConfigError):
        validate_fernet_keys("K", "")
    key = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE="
    assert validate_fernet_keys("K", f"{key}, {key}") == [key, key]


def test_development_secret_is_kept_in_the_data_dir(tmp_path):
    first = development_secret(tmp_path, "secret_key", lambda: "abc")
    second = development_secret(tmp_path, "secret_key", lambda: "other")
    assert first == second == "abc"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def _start_django(env: dict):
    """Start Django with only ``env`` (and a PATH) in a fresh interpreter; the finished process."""
    import subprocess
    import sys

    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='zhichi.settings'; django.setup()",
        ],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_to_start_without_keys_when_not_debugging(tmp_path):
    proc = _start_django({"ZHICHI_DATA_DIR": str(tmp_path), "ZHICHI_DEBUG": "0"})
    assert proc.returncode != 0
    assert "ZHICHI_SECRET_KEY is not set" in proc.stderr


def test_doc1_a_case_number_pattern_that_is_code_stops_start_up(tmp_path):
    proc = _start_django(
        {
            "ZHICHI_DATA_DIR": str(tmp_path),
            "ZHICHI_DEBUG": "1",
            "ZHICHI_CASE_NUMBER_PATTERN": "{short.__class__}{seq}",
        }
    )
    assert proc.returncode != 0
    assert "ZHICHI_CASE_NUMBER_PATTERN may use only" in proc.stderr


def test_a_portal_photo_limit_above_the_upload_limit_stops_start_up(tmp_path):
    base = {"ZHICHI_DATA_DIR": str(tmp_path), "ZHICHI_DEBUG": "1", "ZHICHI_MAX_UPLOAD_MB": "8"}
    refused = _start_django({**base, "ZHICHI_PORTAL_MAX_FILE_MB": "9"})
    assert refused.returncode != 0
    assert "ZHICHI_PORTAL_MAX_FILE_MB may not be larger than ZHICHI_MAX_UPLOAD_MB (8)" in (
        refused.stderr
    )
    assert _start_django({**base, "ZHICHI_PORTAL_MAX_FILE_MB": "8"}).returncode == 0
    assert _start_django(base).returncode == 0  # the portal's default follows a smaller limit


@pytest.mark.parametrize("url", ["zhichi.example.gov.cn", "https://a b", "ftp://x.cn"])
def test_a_portal_address_that_is_not_one_stops_start_up(tmp_path, url):
    proc = _start_django(
        {"ZHICHI_DATA_DIR": str(tmp_path), "ZHICHI_DEBUG": "1", "ZHICHI_PORTAL_URL": url}
    )
    assert proc.returncode != 0
    assert "ZHICHI_PORTAL_URL must be the portal's public address" in proc.stderr
