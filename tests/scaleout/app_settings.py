"""The settings of the app servers and task workers that tests/scaleout/test_multiprocess.py
starts: the product's own (zhichi/settings.py, from the ZHICHI_* variables the test sets:
PostgreSQL, Redis, the S3 store), changed in two things a test run needs. The static files come
from the source tree, as a test run has no ``collectstatic``; and passwords are checked with the
suite's fast hasher, which made the test users' passwords (tests/settings.py)."""

from zhichi.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
