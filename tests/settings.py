"""Test settings: the real settings with fixed keys, fast hashing and immediate tasks."""

import os
import tempfile

os.environ.setdefault("ZHICHI_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
# A fixed test key (32 zero-free bytes, url-safe base64); never used outside tests.
os.environ.setdefault("ZHICHI_ENCRYPTION_KEY", "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=")
# A fixed audit key (signs the audit chain head and checkpoints); never used outside tests.
os.environ.setdefault("ZHICHI_AUDIT_KEY", "dGVzdC1hdWRpdC1rZXktdGVzdC1hdWRpdC1rZXktMDE=")
os.environ.setdefault("ZHICHI_DATA_DIR", tempfile.mkdtemp(prefix="zhichi-test-"))
os.environ.setdefault("ZHICHI_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["ZHICHI_DEBUG"] = "0"
# the fixture users are demo accounts (tests/conftest.py): they sign in without a second factor;
# the tests of the second factor and of the refusal of a production start turn it off
os.environ.setdefault("ZHICHI_DEMO", "1")
# figures counted afresh in every test (tests/stats/test_figure_cache.py turns the cache on)
os.environ.setdefault("ZHICHI_STATS_CACHE_SECONDS", "0")
os.environ.setdefault("ZHICHI_SMS_BACKEND", "zhichi.portal.messaging.MemoryBackend")  # texts kept

from zhichi.settings import *  # noqa: F403

# One audit checkpoint journal per xdist worker, as each worker has its own test database (the
# data dir is shared); tests/conftest.py starts it afresh for every test, as each test starts from
# an empty audit trail. A setting, not ZHICHI_AUDIT_JOURNAL: subprocesses must not inherit it.
ZHICHI_AUDIT = {
    **ZHICHI_AUDIT,  # noqa: F405
    "JOURNAL": os.path.join(
        os.environ["ZHICHI_DATA_DIR"],
        f"audit-checkpoints-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log",
    ),
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: concurrency tests and the live server use several connections.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["ZHICHI_DATA_DIR"], "test.sqlite3")
    }
