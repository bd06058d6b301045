"""Webhook signatures: HMAC-SHA256 of the exact body bytes with the subscription's secret.

Pure Python (no Django), so a receiver can copy it and the tests can check it with plain vectors.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "sha256="


def new_secret() -> str:
    """A random 32-byte secret as url-safe text (43 characters)."""
    return secrets.token_urlsafe(32)


def sign(secret: str, body: bytes) -> str:
    """The ``X-Zhichi-Signature`` header value: ``sha256=<hex HMAC-SHA256(secret, body)>``."""
    return PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """True when ``header`` is the signature of ``body``; compares in constant time."""
    return hmac.compare_digest(sign(secret, body), (header or "").strip())
