"""Field encryption and blind indexes for personal identifiers (rule ID-3, R4).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the first configured key; every
configured key can decrypt, so keys can be rotated. Exact lookup uses a keyed HMAC-SHA256 "blind
index" of the normalised value, derived from the primary key with HKDF, so equal values can be
found without decrypting and the index reveals nothing without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
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


# --- sealed bytes and files ------------------------------------------------------------------
# Documents, case files and evidence are sealed at rest under the same configured keys: each key
# gives a file key through HKDF, the stream is cut into chunks of CHUNK bytes and each chunk is
# encrypted with AES-256-GCM. The header names the key (a fingerprint, not the key) so rotation
# can tell which of the configured keys opens it; a chunk's number and whether it is the last are
# bound into its nonce, so chunks cannot be reordered, dropped or the stream cut short unnoticed.
#
#   header:  b"ZCS1" | key id (8) | nonce prefix (7)
#   chunk:   last? (1) | length (4, big-endian) | AES-GCM(nonce = prefix | number (4) | last?)
SEAL_MAGIC = b"ZCS1"
SEAL_HEADER = len(SEAL_MAGIC) + 8 + 7
CHUNK = 64 * 1024
_TAG = 16


class SealError(ValueError):
    """Sealed data that is damaged, cut short, or sealed under a key that is not configured."""


@lru_cache(maxsize=8)
def _file_key(key: str) -> tuple[bytes, bytes]:
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"zhichi sealed file v1"
    ).derive(key.encode("ascii"))
    return hashlib.sha256(b"zhichi key id" + raw).digest()[:8], raw


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal_chunks(chunks):
    """Seal an iterable of byte strings under the primary key; yields the sealed stream."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, key = _file_key(_keys()[0])
    prefix = os.urandom(7)
    header = SEAL_MAGIC + key_id + prefix
    aead = AESGCM(key)
    yield header
    number, pending = 0, b""
    for piece in chunks:
        pending += piece
        while len(pending) > CHUNK:
            block, pending = pending[:CHUNK], pending[CHUNK:]
            sealed = aead.encrypt(_nonce(prefix, number, False), block, header)
            yield b"\x00" + len(sealed).to_bytes(4, "big") + sealed
            number += 1
    sealed = aead.encrypt(_nonce(prefix, number, True), pending, header)
    yield b"\x01" + len(sealed).to_bytes(4, "big") + sealed


def _read_exact(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        piece = stream.read(n - len(data))
        if not piece:
            break
        data += piece
    return data


def unseal_chunks(stream):
    """The plain chunks of a sealed stream (a binary file object); SealError when it is damaged,
    cut short, or sealed under a key that is not configured."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = _read_exact(stream, SEAL_HEADER)
    if len(header) != SEAL_HEADER or not header.startswith(SEAL_MAGIC):
        raise SealError("not sealed data")
    key_id, prefix = header[4:12], header[12:]
    keys = {kid: raw for kid, raw in (_file_key(k) for k in _keys())}
    if key_id not in keys:
        raise SealError("sealed under a key that is not configured")
    aead = AESGCM(keys[key_id])
    number = 0
    while True:
        head = _read_exact(stream, 5)
        if len(head) != 5 or head[0] not in (0, 1):
            raise SealError("sealed data cut short")
        last, length = head[0] == 1, int.from_bytes(head[1:], "big")
        if length > CHUNK + _TAG:
            raise SealError("damaged sealed data")
        body = _read_exact(stream, length)
        try:
            plain = aead.decrypt(_nonce(prefix, number, last), body, header)
        except InvalidTag:
            raise SealError("damaged sealed data") from None
        yield plain
        if last:
            if stream.read(1):
                raise SealError("data after the end of the sealed stream")
            return
        number += 1


def seal(data: bytes) -> bytes:
    """``data`` sealed under the primary key (for documents kept in the database)."""
    return b"".join(seal_chunks([data]))


def unseal(sealed: bytes) -> bytes:
    return b"".join(unseal_chunks(io.BytesIO(sealed)))


def is_sealed(head: bytes) -> bool:
    return head.startswith(SEAL_MAGIC)


def sealed_key_is_primary(sealed_head: bytes) -> bool:
    """Whether data whose first bytes are ``sealed_head`` is sealed under the primary key
    (rotation re-seals the rest)."""
    return sealed_head[4:12] == _file_key(_keys()[0])[0]


class UnsealingReader(io.RawIOBase):
    """A read-only file object over a sealed stream that hands out the plain bytes."""

    def __init__(self, stream):
        self._stream = stream
        self._chunks = unseal_chunks(stream)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()
