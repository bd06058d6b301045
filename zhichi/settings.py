"""Zhichi settings: one module, every value from ZHICHI_* environment variables (see API.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from zhichi.common.envconf import (
    ConfigError,
    development_secret,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    new_fernet_key,
    new_secret_key,
    s3_options,
    validate_fernet_keys,
)
from zhichi.core.numbering import check_pattern

# a Redis server's address: the task queue's (ZHICHI_REDIS_URL) and the shared cache's
REDIS_URL_SHAPE = re.compile(r"rediss?://\S+")

BASE_DIR = Path(__file__).resolve().parent.parent
# the host names a demo instance (ZHICHI_DEMO=1) may answer to; "testserver" is Django's test client
DEMO_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})

try:
    DEBUG = env_bool("ZHICHI_DEBUG", False)
    DATA_DIR = env_path("ZHICHI_DATA_DIR", BASE_DIR / "var")

    def _secret(name: str, filename: str, maker) -> str:
        value = env_str(name)
        if value:
            return value
        if DEBUG:
            # Development keys live in the data dir so restarts keep sessions and decryptability.
            return development_secret(DATA_DIR, filename, maker)
        raise ConfigError(
            f"{name} is not set. Set it in the environment (production), "
            "or set ZHICHI_DEBUG=1 to have development keys created in the data dir."
        )

    SECRET_KEY = _secret("ZHICHI_SECRET_KEY", "secret_key", new_secret_key)
    ENCRYPTION_KEYS = validate_fernet_keys(
        "ZHICHI_ENCRYPTION_KEY", _secret("ZHICHI_ENCRYPTION_KEY", "encryption_key", new_fernet_key)
    )
    # audit chain anchor (docs/audit.md): the first key signs the chain head and the checkpoints,
    # every listed key verifies (rotation); a key of its own, so the field key cannot forge a head
    AUDIT_KEYS = validate_fernet_keys(
        "ZHICHI_AUDIT_KEY", _secret("ZHICHI_AUDIT_KEY", "audit_key", new_fernet_key)
    )
    if set(AUDIT_KEYS) & set(ENCRYPTION_KEYS):
        raise ConfigError("ZHICHI_AUDIT_KEY must be a key of its own, not a ZHICHI_ENCRYPTION_KEY")
    # the append-only checkpoint journal, outside the database
    AUDIT_JOURNAL = env_path("ZHICHI_AUDIT_JOURNAL", DATA_DIR / "audit-checkpoints.log")
    # rule R7: audit rows are kept at least 180 days; the application deletes none, and this is
    # the age before which no archiving may take one out of the database (never less than 180)
    AUDIT_RETENTION_DAYS = env_int("ZHICHI_AUDIT_RETENTION_DAYS", 365, minimum=180)
    ALLOWED_HOSTS = env_list(
        "ZHICHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
    )
    # Rule R6: the demo accounts keep their documented password and sign in without a second
    # factor only on a demo instance, which serves this computer alone: a production start (any
    # other host name) with ZHICHI_DEMO=1 is refused.
    DEMO = env_bool("ZHICHI_DEMO", False)
    if DEMO and set(ALLOWED_HOSTS) - DEMO_HOSTS:
        raise ConfigError(
            "ZHICHI_DEMO=1 lets the demo accounts sign in without a second factor; it serves "
            "only this computer (ZHICHI_ALLOWED_HOSTS of 127.0.0.1, localhost, [::1]), never "
            f"{sorted(set(ALLOWED_HOSTS) - DEMO_HOSTS)}. Unset ZHICHI_DEMO in production."
        )
    DATABASE_URL = env_str("ZHICHI_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'zhichi.sqlite3'}"
    CONN_MAX_AGE = env_int("ZHICHI_DB_CONN_MAX_AGE", 60, minimum=0)
    SESSION_IDLE_MINUTES = env_int("ZHICHI_SESSION_IDLE_MINUTES", 30, minimum=1)
    ADMIN_SESSION_IDLE_MINUTES = env_int("ZHICHI_ADMIN_SESSION_IDLE_MINUTES", 15, minimum=1)
    EMAIL_HOST = env_str("ZHICHI_EMAIL_HOST", "") or ""
    DEFAULT_FROM_EMAIL = env_str("ZHICHI_EMAIL_FROM", "zhichi@localhost") or "zhichi@localhost"
    CASE_NUMBER_PATTERN = (
        env_str("ZHICHI_CASE_NUMBER_PATTERN", "{short}民支〔{year}〕{seq}号")
        or "{short}民支〔{year}〕{seq}号"
    )
    if check_pattern(CASE_NUMBER_PATTERN):
        raise ConfigError(
            "ZHICHI_CASE_NUMBER_PATTERN may use only {short}, {year} and {seq} (or {seq:03d}, "
            f"at most 8 wide) and must contain {{seq}}; got {CASE_NUMBER_PATTERN!r}"
        )
    # evidence attachments (docs/evidence.md)
    MAX_UPLOAD_MB = env_int("ZHICHI_MAX_UPLOAD_MB", 20, minimum=1)
    # any other request body (JSON, forms): larger ones are refused with 413 before they are read
    MAX_BODY_KB = env_int("ZHICHI_MAX_BODY_KB", 2048, minimum=64)
    EVIDENCE_STORAGE = (env_str("ZHICHI_EVIDENCE_STORAGE", "") or "filesystem").lower()
    if EVIDENCE_STORAGE not in ("filesystem", "s3"):
        raise ConfigError(
            f"ZHICHI_EVIDENCE_STORAGE must be filesystem or s3, got {EVIDENCE_STORAGE!r}"
        )
    EVIDENCE_S3 = {
        "bucket": env_str("ZHICHI_S3_BUCKET", "") or "",
        "endpoint_url": env_str("ZHICHI_S3_ENDPOINT_URL", "") or "",
        "access_key": env_str("ZHICHI_S3_ACCESS_KEY", "") or "",
        "secret_key": env_str("ZHICHI_S3_SECRET_KEY", "") or "",
        "region": env_str("ZHICHI_S3_REGION", "") or "",
    }
    # scale-out (docs/deployment.md): background tasks on the database (one machine) or on a
    # Redis queue that workers on many machines share
    TASKS_BACKEND = (env_str("ZHICHI_TASKS_BACKEND", "") or "database").lower()
    if TASKS_BACKEND not in ("database", "rq"):
        raise ConfigError(f"ZHICHI_TASKS_BACKEND must be database or rq, got {TASKS_BACKEND!r}")
    REDIS_URL = env_str("ZHICHI_REDIS_URL", "") or ""
    if TASKS_BACKEND == "rq" and not REDIS_URL_SHAPE.fullmatch(REDIS_URL):
        raise ConfigError(
            "ZHICHI_TASKS_BACKEND=rq needs ZHICHI_REDIS_URL, e.g. redis://10.0.0.5:6379/0; "
            f"got {REDIS_URL!r}"
        )
    # the cache every app process shares (the statistics' kept figures, the password policy):
    # each process's own memory by default; Redis where several app servers run
    CACHE_URL = env_str("ZHICHI_CACHE_URL", "") or ""
    if CACHE_URL and not REDIS_URL_SHAPE.fullmatch(CACHE_URL):
        raise ConfigError(
            f"ZHICHI_CACHE_URL must be a redis:// URL, e.g. redis://10.0.0.5:6379/1; got {CACHE_URL!r}"
        )
    # a PostgreSQL streaming standby that the read-heavy pages may read from
    # (zhichi/common/replica.py), and the seconds after a client's write during which its
    # pages read from the primary only, so that it sees what it wrote
    REPLICA_DATABASE_URL = env_str("ZHICHI_REPLICA_DATABASE_URL", "") or ""
    ZHICHI_REPLICA_PIN_SECONDS = env_int("ZHICHI_REPLICA_PIN_SECONDS", 5, minimum=0)
    # PgBouncer in transaction pooling mode between the servers and PostgreSQL: a connection
    # is lent for one transaction at a time, so no cursor may outlive one (docs/deployment.md)
    DB_TRANSACTION_POOLING = env_bool("ZHICHI_DB_TRANSACTION_POOLING", False)
except ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None


INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "zhichi.accounts",
    "zhichi.audit",
    "zhichi.webhooks",
    "zhichi.parties",
    "zhichi.rulebook",
    "zhichi.cases",
    "zhichi.intake",
    "zhichi.evidence",
    "zhichi.transfers",
    "zhichi.employers",
    "zhichi.assistance",
    "zhichi.supervision",
    "zhichi.documents",
    "zhichi.stats",
    "zhichi.imports",
    "zhichi.portal",
    "zhichi.consoles",
    "zhichi.ops",
    "zhichi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # every answer below this line is no-store (rule R12; static files above keep their cache)
    "zhichi.common.caching.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhichi.accounts.middleware.SessionLimitsMiddleware",
    # the second factor and an expired password come before any page (rule R6)
    "zhichi.accounts.middleware.AccessGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhichi.audit.middleware.RequestContextMiddleware",
    # size, characters and JSON errors before anything reads the body (issue 12, item 10)
    "zhichi.common.request_guard.RequestGuardMiddleware",
    "zhichi.accounts.api_auth.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhichi.urls"
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_KB * 1024
WSGI_APPLICATION = "zhichi.wsgi.application"

# The pages are Django templates; the form widgets (Django's own templates of each input, select
# and option) render through Jinja2, whose copies of them Django ships: a case page renders about
# a hundred widgets (in-process 134 -> 123 ms; the new-lead form 49 -> 20 ms, decisions/0008).
FORM_RENDERER = "django.forms.renderers.Jinja2"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhichi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhichi.intake.context_processors.navigation",
                "zhichi.navigation.collaboration",
                "zhichi.navigation.notifications",
                "zhichi.portal.context_processors.hotline",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # rule R9: WAL with synchronous=FULL; IMMEDIATE transactions avoid lock-upgrade deadlocks.
        # A page cache of up to 16 MiB per connection (SQLite's default is 2 MiB), filled only as
        # pages are read; each thread of a web worker has its own connection, so this bounds a
        # worker's memory (QUALITY.md P6). A long job raises its own connection's to 64 MiB
        # (common.bulk.long_job_page_cache).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; "
            "PRAGMA cache_size=-16384;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DATABASES = {"default": _db}
# The read replica: the pages named below read from it unless the request writes, runs in a
# transaction or follows the client's own write (zhichi/common/replica.py). It is never
# migrated; in a test run it mirrors the test database, as a standby mirrors its primary.
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            REPLICA_DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
    if {DATABASES["replica"]["ENGINE"], _db["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "ZHICHI_REPLICA_DATABASE_URL must name a PostgreSQL standby of the PostgreSQL "
            "database in ZHICHI_DATABASE_URL (postgres://…)"
        )
    DATABASE_ROUTERS = ["zhichi.common.replica.ReplicaRouter"]
    # outside the other middleware, so that every write of the request is seen
    MIDDLEWARE.insert(0, "zhichi.common.replica.ReplicaMiddleware")
if DB_TRANSACTION_POOLING:
    # a queryset's .iterator() reads through a server-side cursor outside a transaction
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
# The GET and HEAD requests of these views (URL names) may read from the replica: the
# statistics and the lists, whose readers can bear data a moment old. The API's list of leads
# shares its path, and so its name, with filing a lead (a POST: never the replica).
ZHICHI_REPLICA_VIEWS = frozenset(
    {
        "stats:dashboard",
        "stats:figure",
        "stats:report",
        "stats:warnings",
        "api:stats_summary",
        "api:stats_breakdown",
        "cases:case_list",
        "api:list_cases",
        "intake:lead_list",
        "api:create_lead",
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and login safety ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Rule R6 (zhichi/accounts/passwords.py): length and kinds of character from the security
# administrator's policy (never below 8 characters of 3 kinds), the common-password blocklist,
# and no reuse of the last passwords
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhichi.accounts.passwords.PolicyValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhichi.accounts.passwords.HistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
# Rule R6 with issue 12 item 7 (docs/SECURITY.md): 5 failures lock one username from one client
# for 30 minutes. Locking the username alone let any stranger lock anyone out; locking the address
# alone would lock a whole office behind one NAT gateway. Guessing spread over many clients is
# slowed by the waiting time per username (ZHICHI_LOGIN_DELAY_*, zhichi/accounts/lockout.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# the lock lasts 30 minutes from the failure that set it; attempts while locked are refused (and
# audited) without being counted, so they neither lengthen the lock nor add to the waiting time
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "zhichi.accounts.lockout.lockout_response"
AXES_VERBOSE = False
try:
    # after this many failures for a username (any client, within the cool-off), each further
    # attempt waits 1, 2, 4 … seconds after the last failure, at most the maximum
    ZHICHI_LOGIN_DELAY_AFTER = env_int("ZHICHI_LOGIN_DELAY_AFTER", 5, minimum=1)
    ZHICHI_LOGIN_DELAY_MAX_SECONDS = env_int("ZHICHI_LOGIN_DELAY_MAX_SECONDS", 300, minimum=1)
    # whom a locked-out user asks (shown on the lock page); empty: a general sentence
    ZHICHI_SECURITY_CONTACT = env_str("ZHICHI_SECURITY_CONTACT", "") or ""
    # days an API token lives from its issue (issue 12 item 8)
    ZHICHI_TOKEN_DAYS = env_int("ZHICHI_TOKEN_DAYS", 90, minimum=1)
except ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None

# Rule R6: a session ends 12 hours after sign-in whatever happens (zhichi/accounts/middleware.py
# counts from the sign-in, as the cookie's age restarts whenever the session is saved), and
# after 30 idle minutes (administrators 15)
SESSION_MAX_HOURS = 12
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
ZHICHI_DEMO = DEMO
# the second factor (rule R6): the name authenticator apps show, and django-otp's doubling delay
# after each wrong code
OTP_TOTP_ISSUER = "Zhichi 支持"
OTP_TOTP_THROTTLE_FACTOR = 1
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "zhichi.accounts.views.csrf_failure"  # our own 403 page, not Django's
SESSION_COOKIE_SECURE = not DEBUG and env_bool("ZHICHI_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("ZHICHI_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# rule R12: HSTS with preload, so `check --deploy` has nothing to say; an intranet name is never
# on the browsers' list, and ZHICHI_HSTS_PRELOAD=0 leaves the word out
try:
    SECURE_HSTS_PRELOAD = not DEBUG and env_bool("ZHICHI_HSTS_PRELOAD", True)
except ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None
SECURE_SSL_REDIRECT = env_bool("ZHICHI_SSL_REDIRECT", False)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "zhichi" / "static"]
STORAGES = {
    # Django's own store follows the private files' (zhichi/evidence/storage.py holds those):
    # the file system, or the S3 bucket, private, under a prefix of its own, with no lasting URL
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if EVIDENCE_STORAGE == "filesystem"
    else {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(EVIDENCE_S3, "files")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by a developer's browser tools: compressing them (11 of the 19 MB
# collected, brotli at its slowest setting) was most of collectstatic's time on each `make run`.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_ROOT = DATA_DIR / "files"

# --- background work ------------------------------------------------------------------------
# The database is the queue by default (`manage.py db_worker`); with ZHICHI_TASKS_BACKEND=rq,
# Redis is, and `manage.py rqworker --with-scheduler default` runs the tasks (the scheduler
# starts the deferred ones: webhook retries, the law library's figures on their day).
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # an import of 200,000 rows or a large case file runs for minutes, past RQ's 3 minutes
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- cache ------------------------------------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# --- Zhichi ---------------------------------------------------------------------------------
ZHICHI = {
    "ENCRYPTION_KEYS": ENCRYPTION_KEYS,
    "CASE_NUMBER_PATTERN": CASE_NUMBER_PATTERN,
    "DUPLICATE_WINDOW_DAYS": 180,
    "SESSION_IDLE_MINUTES": SESSION_IDLE_MINUTES,
    "ADMIN_SESSION_IDLE_MINUTES": ADMIN_SESSION_IDLE_MINUTES,
    "API_MAX_LIMIT": 200,
    # rule SP-8 (no national limit found): review decided within this many days (configurable)
    "REVIEW_DAYS": env_int("ZHICHI_REVIEW_DAYS", 30, minimum=1),
    # return visits (C6): the first this many days after a judgment or agreement, then every N days
    "VISIT_FIRST_DAYS": env_int("ZHICHI_VISIT_FIRST_DAYS", 30, minimum=1),
    "VISIT_EVERY_DAYS": env_int("ZHICHI_VISIT_EVERY_DAYS", 90, minimum=1),
    # reminders go out this many days before a deadline, and again when it is overdue
    "REMINDER_DAYS": env_int("ZHICHI_REMINDER_DAYS", 3, minimum=0),
    # webhooks: seconds to wait for a partner's answer, attempts before a delivery fails, and the
    # hosts deliveries may go to (comma list; ".example.org" takes subdomains; empty: any host)
    "WEBHOOK_TIMEOUT_SECONDS": env_int("ZHICHI_WEBHOOK_TIMEOUT", 5, minimum=1),
    "WEBHOOK_MAX_ATTEMPTS": env_int("ZHICHI_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1),
    "WEBHOOK_ALLOWED_HOSTS": env_list("ZHICHI_WEBHOOK_ALLOWED_HOSTS", []),
    # ... and never an internal address (issue 12 item 4): only these ports (comma list), and no
    # private (RFC 1918, fc00::/7, 100.64/10) or loopback address unless allowed here on purpose;
    # link-local, multicast and reserved addresses are always refused (docs/webhooks.md)
    "WEBHOOK_ALLOWED_PORTS": env_list(
        "ZHICHI_WEBHOOK_ALLOWED_PORTS", ["80", "443", "8080", "8443"]
    ),
    "WEBHOOK_ALLOW_PRIVATE": env_bool("ZHICHI_WEBHOOK_ALLOW_PRIVATE", False),
    "WEBHOOK_ALLOW_LOOPBACK": env_bool("ZHICHI_WEBHOOK_ALLOW_LOOPBACK", False),
    # transfers (C7): the receiver confirms receipt within, and answers within, this many days
    # (rule CR-9 leaves the feedback deadline to configuration); the sender may set a shorter answer
    "TRANSFER_RECEIPT_DAYS": env_int("ZHICHI_TRANSFER_RECEIPT_DAYS", 7, minimum=1),
    "TRANSFER_ANSWER_DAYS": env_int("ZHICHI_TRANSFER_ANSWER_DAYS", 30, minimum=1),
    # evidence attachments: size limit, and where the files are kept (never a public URL)
    "MAX_UPLOAD_BYTES": MAX_UPLOAD_MB * 1024 * 1024,
    # the public portal (issue 18): evidence photos one application may carry, and each one's size
    "PORTAL_MAX_FILES": env_int("ZHICHI_PORTAL_MAX_FILES", 5, minimum=1),
    "PORTAL_MAX_FILE_BYTES": env_int("ZHICHI_PORTAL_MAX_FILE_MB", min(10, MAX_UPLOAD_MB), minimum=1)
    * 1024
    * 1024,
    # days an unfinished application is kept after its last change
    "PORTAL_DRAFT_DAYS": env_int("ZHICHI_PORTAL_DRAFT_DAYS", 30, minimum=1),
    "EVIDENCE_STORAGE": EVIDENCE_STORAGE,
    "EVIDENCE_DIR": DATA_DIR / "evidence",
    "EVIDENCE_S3": EVIDENCE_S3,
    # case files (卷宗): new builds one user may queue in an hour, and days a built one is kept
    "CASEFILE_PER_HOUR": env_int("ZHICHI_CASEFILE_PER_HOUR", 20, minimum=1),
    "CASEFILE_KEEP_DAYS": env_int("ZHICHI_CASEFILE_KEEP_DAYS", 7, minimum=1),
    # Excel exports of the lists: up to this many rows the file is written at once, more in the
    # background with a progress bar (API.md § Statistics); built files are kept as case files are
    "EXPORT_SYNC_ROWS": env_int("ZHICHI_EXPORT_SYNC_ROWS", 5000, minimum=1),
    # statistics (C15): seconds a reader's figures are kept once counted (the pages say when they
    # were counted); 0 counts them afresh on every request (docs/performance.md, issue 19)
    "STATS_CACHE_SECONDS": env_int("ZHICHI_STATS_CACHE_SECONDS", 300, minimum=0),
    # bulk imports of wage-arrears lists (C14): the largest file and the most rows taken, the rows
    # written per committed batch, and the seconds without progress after which a running import
    # counts as stopped (a killed worker) and is resumed
    "IMPORT_MAX_BYTES": env_int("ZHICHI_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024,
    "IMPORT_MAX_ROWS": env_int("ZHICHI_IMPORT_MAX_ROWS", 200_000, minimum=1),
    "IMPORT_BATCH_ROWS": env_int("ZHICHI_IMPORT_BATCH_ROWS", 5000, minimum=1),
    "IMPORT_STALE_SECONDS": env_int("ZHICHI_IMPORT_STALE_SECONDS", 120, minimum=5),
    # Idempotency-Key: hours a first answer is kept for retries; older records are pruned daily
    # (they hold whole response bodies, names included) and an older key is a new request
    "IDEMPOTENCY_HOURS": env_int("ZHICHI_IDEMPOTENCY_HOURS", 24, minimum=1),
    # the public portal's rate limits per client address (issue 18 item 5, QUALITY.md R13;
    # zhichi/portal/throttle.py), each "scope=requests/seconds" in one window, comma-separated;
    # the scopes not named keep their defaults, and a malformed value stops the start:
    #   step=120/3600        wizard steps sent (saving an answer, going on)
    #   upload=30/3600       evidence photos sent
    #   submit=10/3600       applications filed
    #   resume=20/3600       tries to resume a saved application by its code
    #   lookup=20/3600       status lookups (receipt code and the phone's last 4 digits)
    #   lookup_code=5/3600   failed lookups of one receipt code from any address: past it the
    #                        code is locked until the window ends, so its digits cannot be guessed
    "PORTAL_RATES": env_str("ZHICHI_PORTAL_RATES", "") or "",
    # judicial assistance (rule JA-6): who approves after the officer's review opinion, in order
    # (comma list of roles: head, chief); an urgent application (aid first, paperwork after) goes
    # straight to these; an amount above the cap (JA-4) adds a special approval by this role
    "ASSISTANCE_CHAIN": env_list("ZHICHI_ASSISTANCE_CHAIN", ["head", "chief"]),
    "ASSISTANCE_URGENT_CHAIN": env_list("ZHICHI_ASSISTANCE_URGENT_CHAIN", ["chief"]),
    "ASSISTANCE_SPECIAL_ROLE": env_str("ZHICHI_ASSISTANCE_SPECIAL_ROLE") or "chief",
    # the public portal (issue 18): how texts reach the people who applied (a dotted path to a
    # class, zhichi/portal/messaging.py; empty: no texts, the status page only), and the
    # procuratorate hotline every portal page names
    "SMS_BACKEND": env_str("ZHICHI_SMS_BACKEND", "zhichi.portal.messaging.ConsoleBackend"),
    "PORTAL_HOTLINE": env_str("ZHICHI_PORTAL_HOTLINE") or "12309",
    # the portal's address as the public reaches it (e.g. https://zhichi.example.gov.cn), for the
    # links in text messages and the receipt's QR code; empty: texts carry the path alone and the
    # QR code the address the request came to
    "PORTAL_URL": (env_str("ZHICHI_PORTAL_URL") or "").rstrip("/"),
}

for _chain in ("ASSISTANCE_CHAIN", "ASSISTANCE_URGENT_CHAIN"):
    if not ZHICHI[_chain] or set(ZHICHI[_chain]) - {"head", "chief"}:
        raise ImproperlyConfigured(
            f"ZHICHI_{_chain} must list the approving roles in order, each 'head' or 'chief'; "
            f"got {ZHICHI[_chain]!r}"
        )
if ZHICHI["ASSISTANCE_SPECIAL_ROLE"] not in {"head", "chief"}:
    raise ImproperlyConfigured("ZHICHI_ASSISTANCE_SPECIAL_ROLE must be 'head' or 'chief'")
if not ZHICHI["WEBHOOK_ALLOWED_PORTS"] or not all(
    p.isdigit() and 1 <= int(p) <= 65535 for p in ZHICHI["WEBHOOK_ALLOWED_PORTS"]
):
    raise ImproperlyConfigured(
        "ZHICHI_WEBHOOK_ALLOWED_PORTS must list port numbers from 1 to 65535, e.g. 80,443; "
        f"got {ZHICHI['WEBHOOK_ALLOWED_PORTS']!r}"
    )
if ZHICHI["PORTAL_URL"] and not re.fullmatch(
    r"https?://[^/\s?#]+(/[^\s?#]*)?", ZHICHI["PORTAL_URL"]
):
    raise ImproperlyConfigured(
        "ZHICHI_PORTAL_URL must be the portal's public address, e.g. https://zhichi.example.gov.cn; "
        f"got {ZHICHI['PORTAL_URL']!r}"
    )
if ZHICHI["PORTAL_MAX_FILE_BYTES"] > ZHICHI["MAX_UPLOAD_BYTES"]:
    # a portal photo travels in a request no larger than an evidence upload's (request_guard)
    raise ImproperlyConfigured(
        "ZHICHI_PORTAL_MAX_FILE_MB may not be larger than ZHICHI_MAX_UPLOAD_MB "
        f"({ZHICHI['MAX_UPLOAD_BYTES'] // (1024 * 1024)})"
    )

# --- audit trail (docs/audit.md) --------------------------------------------------------------
ZHICHI_AUDIT = {
    "KEYS": AUDIT_KEYS,
    "JOURNAL": AUDIT_JOURNAL,
    "RETENTION_DAYS": AUDIT_RETENTION_DAYS,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"zhichi": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
