"""Field encryption and blind indexes for personal identifiers (rule ID-3, R4).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the first configured key; every
configured key can decrypt, so keys can be rotated. Exact lookup uses a keyed HMAC-SHA256 "blind
index" of the normalised value, derived from the primary key with HKDF, so equal values can be
found without decrypting and the index reveals nothing without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode("ascii")) for k in keys])


@lru_cache(maxsize=4)
def _index_key(primary: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"zhichi blind index v1"
    ).derive(primary.encode("ascii"))


def _keys() -> tuple[str, ...]:
    return tuple(settings.ZHICHI["ENCRYPTION_KEYS"])


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(_keys()).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(_keys()).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the primary key."""
    return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii") if token else ""


def blind_index(kind: str, normalised: str) -> str:
    if not normalised:
        return ""
    key = _index_key(_keys()[0])
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
