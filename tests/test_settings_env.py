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


# --- scale-out (issue 19 item 4; docs/deployment.md) ---------------------------------------------
def _settings_of(env: dict, tmp_path) -> dict:
    """The scale-out settings Django starts with from ``env`` (debug, a fresh data dir)."""
    import json
    import subprocess
    import sys

    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='zhichi.settings'; "
        "django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'tasks': s.TASKS, 'rq_queues': getattr(s, 'RQ_QUEUES', None), "
        "'rq': getattr(s, 'RQ', None), 'django_rq': 'django_rq' in s.INSTALLED_APPS, "
        "'storages': s.STORAGES, 'databases': s.DATABASES, "
        "'routers': s.DATABASE_ROUTERS, 'middleware': s.MIDDLEWARE, 'caches': s.CACHES}, "
        "default=str))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "ZHICHI_DATA_DIR": str(tmp_path), "ZHICHI_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_one_machine_is_the_default_database_queue_file_system_and_no_replica(tmp_path):
    found = _settings_of({}, tmp_path)
    assert found["tasks"] == {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert not found["django_rq"]
    assert found["storages"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert set(found["databases"]) == {"default"}
    assert found["routers"] == []
    assert "zhichi.common.replica.ReplicaMiddleware" not in found["middleware"]
    assert not found["databases"]["default"]["DISABLE_SERVER_SIDE_CURSORS"]


def test_the_cache_is_each_process_memory_or_a_shared_redis(tmp_path):
    assert _settings_of({}, tmp_path)["caches"]["default"]["BACKEND"].endswith("LocMemCache")
    url = "redis://10.0.0.5:6379/1"
    shared = _settings_of({"ZHICHI_CACHE_URL": url}, tmp_path)["caches"]["default"]
    assert shared == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def test_a_cache_url_that_is_not_redis_stops_the_start(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='zhichi.settings'; "
            "import django; django.setup()",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "ZHICHI_DATA_DIR": str(tmp_path),
            "ZHICHI_DEBUG": "1",
            "ZHICHI_CACHE_URL": "memcached://10.0.0.5",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "ZHICHI_CACHE_URL must be a redis:// URL" in proc.stderr


def test_the_rq_backend_queues_tasks_on_redis(tmp_path):
    url = "redis://10.0.0.5:6379/2"
    found = _settings_of({"ZHICHI_TASKS_BACKEND": "rq", "ZHICHI_REDIS_URL": url}, tmp_path)
    assert found["tasks"] == {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    }
    assert found["rq_queues"]["default"]["URL"] == url
    assert found["rq"] == {"JOB_CLASS": "django_tasks_rq.Job"}
    assert found["django_rq"]  # its rqworker command


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ZHICHI_TASKS_BACKEND": "celery"}, "ZHICHI_TASKS_BACKEND must be database or rq"),
        ({"ZHICHI_TASKS_BACKEND": "rq"}, "ZHICHI_TASKS_BACKEND=rq needs ZHICHI_REDIS_URL"),
        (
            {"ZHICHI_TASKS_BACKEND": "rq", "ZHICHI_REDIS_URL": "10.0.0.5:6379"},
            "ZHICHI_TASKS_BACKEND=rq needs ZHICHI_REDIS_URL",
        ),
        (
            {"ZHICHI_REPLICA_DATABASE_URL": "postgres://zhichi@standby/zhichi"},
            "ZHICHI_REPLICA_DATABASE_URL must name a PostgreSQL standby",
        ),
    ],
)
def test_a_scale_out_setting_that_cannot_work_stops_start_up(tmp_path, env, message):
    proc = _start_django({"ZHICHI_DATA_DIR": str(tmp_path), "ZHICHI_DEBUG": "1", **env})
    assert proc.returncode != 0
    assert message in proc.stderr


def test_django_s_file_store_follows_the_private_files_to_s3(tmp_path):
    found = _settings_of(
        {
            "ZHICHI_EVIDENCE_STORAGE": "s3",
            "ZHICHI_S3_BUCKET": "zhichi-files",
            "ZHICHI_S3_ENDPOINT_URL": "https://minio.intranet:9000",
            "ZHICHI_S3_ACCESS_KEY": "zhichi",
            "ZHICHI_S3_SECRET_KEY": "s3-secret",
        },
        tmp_path,
    )
    assert found["storages"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "zhichi-files",
            "location": "files",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "endpoint_url": "https://minio.intranet:9000",
            "access_key": "zhichi",
            "secret_key": "s3-secret",
        },
    }
    assert found["storages"]["staticfiles"] == {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }


def test_a_replica_adds_its_alias_router_and_middleware_and_pooling_drops_server_cursors(
    tmp_path,
):
    found = _settings_of(
        {
            "ZHICHI_DATABASE_URL": "postgres://zhichi@primary:6432/zhichi",
            "ZHICHI_REPLICA_DATABASE_URL": "postgres://zhichi@standby:6432/zhichi",
            "ZHICHI_DB_TRANSACTION_POOLING": "1",
        },
        tmp_path,
    )
    replica = found["databases"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("standby", 6432, "zhichi")
    assert replica["TEST"]["MIRROR"] == "default"
    assert found["routers"] == ["zhichi.common.replica.ReplicaRouter"]
    assert found["middleware"][0] == "zhichi.common.replica.ReplicaMiddleware"
    assert all(db["DISABLE_SERVER_SIDE_CURSORS"] for db in found["databases"].values())
