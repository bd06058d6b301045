"""Typed readers for ZHICHI_* environment variables.

Each helper fails loudly (``ConfigError``) on a value it cannot parse, so a typo in a deployment
stops start-up with a clear message instead of silently running with a default.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A ZHICHI_* setting is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw and raw.strip() else default
    return path.resolve()


def validate_fernet_keys(name: str, raw: str) -> list[str]:
    """ZHICHI_ENCRYPTION_KEY: one or more comma-separated url-safe base64 32-byte keys.

    The first key encrypts; all of them decrypt (key rotation re-encrypts with the first).
    """
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise ConfigError(f"{name} is empty")
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(f"{name} holds a key that is not url-safe base64") from None
        if len(decoded) != 32:
            raise ConfigError(f"{name} keys must decode to 32 bytes (got {len(decoded)})")
    return keys


def development_secret(data_dir: Path, filename: str, maker) -> str:
    """Read a development key kept in the data dir, creating it (mode 600) the first time."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / filename
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = maker()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


# the S3 settings (``ZHICHI_S3_*``) by the names django-storages' S3Storage takes them
_S3_OPTIONS = (
    ("endpoint_url", "endpoint_url"),
    ("access_key", "access_key"),
    ("secret_key", "secret_key"),
    ("region", "region_name"),
)


def s3_options(s3: dict, location: str) -> dict:
    """django-storages' S3Storage options for the ``ZHICHI_S3_*`` settings (``s3``: bucket,
    endpoint_url, access_key, secret_key, region) under the prefix ``location``: private objects,
    never overwritten, never a lasting URL. One place for the private files' store and Django's
    own default store."""
    return {
        "bucket_name": s3["bucket"],
        "location": location,
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        **{option: s3[key] for key, option in _S3_OPTIONS if s3.get(key)},
    }
