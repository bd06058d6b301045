"""Where evidence files are kept: a private directory under the data dir, or an S3-compatible
object store (``ZHICHI_EVIDENCE_STORAGE=s3``, needs django-storages with boto3).

Neither store has a public URL: every download goes through a view that checks who asks and
writes an audit row. File names in the store are random, never derived from the user's name.
Every file is sealed at rest (``SealedStorage``: AES-256-GCM under the configured encryption
keys, rule R4): what lies in the directory or the bucket is unreadable without the keys, and
reading through the store gives the plain bytes back.
"""

from __future__ import annotations

import functools
import importlib
import io
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.utils import timezone

from zhichi.common.envconf import s3_options
from zhichi.parties import crypto

FILESYSTEM = "filesystem"
S3 = "s3"
BACKENDS = (FILESYSTEM, S3)
S3_BACKEND = "storages.backends.s3.S3Storage"
S3_SETTINGS = (
    "ZHICHI_S3_BUCKET",
    "ZHICHI_S3_ENDPOINT_URL",
    "ZHICHI_S3_ACCESS_KEY",
    "ZHICHI_S3_SECRET_KEY",
    "ZHICHI_S3_REGION",
)


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory with no URL: files leave it only through the audited download."""

    def url(self, name):
        # deliberate refusal, not a gap: a URL would bypass the scope check and the audit row
        raise SuspiciousFileOperation("evidence files have no public URL; use the download view")


class SealedStorage(Storage):
    """Seals every file written through it and unseals every file read (rule R4), around any
    store (the private directory, S3). Sizes are those of the sealed files."""

    def __init__(self, inner: Storage):
        self.inner = inner

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("sealed files are written with save(), never opened for writing")
        raw = self.inner.open(name, "rb")
        return File(io.BufferedReader(crypto.UnsealingReader(raw)), name=name)

    def _save(self, name, content):
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as sealed:
            for piece in crypto.seal_chunks(content.chunks()):
                sealed.write(piece)
            sealed.seek(0)
            return self.inner.save(name, File(sealed, name=name))

    def reseal(self, name) -> str | None:
        """A copy of ``name`` sealed under the primary key, stored under a new name (key
        rotation; a file stored before sealing is sealed). None when it already is. The caller
        points its row at the new name and then deletes the old file, so a crash in between
        leaves a spare copy, never a lost file."""
        with self.inner.open(name, "rb") as raw:
            head = raw.read(crypto.SEAL_HEADER)
        if crypto.is_sealed(head) and crypto.sealed_key_is_primary(head):
            return None
        source = self.open(name) if crypto.is_sealed(head) else self.inner.open(name, "rb")
        with source:
            return self._save(_resealed_name(name), File(source, name=name))

    def delete(self, name):
        self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        return self.inner.size(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def url(self, name):
        raise SuspiciousFileOperation("evidence files have no public URL; use the download view")


def _resealed_name(name: str) -> str:
    folder, _sep, _base = str(name).rpartition("/")
    return f"{folder}/{uuid.uuid4().hex}" if folder else uuid.uuid4().hex


def new_name() -> str:
    """A fresh random storage name, e.g. ``2026/11/3f2a…`` (the month keeps directories small)."""
    now = timezone.localtime()
    return f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def build_storage(config: dict) -> Storage:
    """The store ``config`` describes: {"backend", "location", "s3": {bucket, endpoint_url,
    access_key, secret_key, region}}. ImproperlyConfigured when it cannot be built."""
    backend = config.get("backend") or FILESYSTEM
    if backend == FILESYSTEM:
        return PrivateFileSystemStorage(
            location=Path(config["location"]),
            base_url=None,
            file_permissions_mode=0o640,
            directory_permissions_mode=0o750,
        )
    if backend == S3:
        return _s3_storage(config.get("s3") or {})
    raise ImproperlyConfigured(
        f"ZHICHI_EVIDENCE_STORAGE must be one of {', '.join(BACKENDS)}, got {backend!r}."
    )


def _s3_storage(s3: dict) -> Storage:
    module_name, _dot, class_name = S3_BACKEND.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImproperlyConfigured(
            "ZHICHI_EVIDENCE_STORAGE=s3 needs the django-storages package with boto3 "
            "(pip install 'django-storages[s3]'), which is not installed "
            f"({exc}). Install it, or unset ZHICHI_EVIDENCE_STORAGE to keep evidence in the "
            f"data dir. The store is configured with {', '.join(S3_SETTINGS)}."
        ) from None
    if not s3.get("bucket"):
        raise ImproperlyConfigured(
            "ZHICHI_EVIDENCE_STORAGE=s3 needs ZHICHI_S3_BUCKET (and usually "
            "ZHICHI_S3_ENDPOINT_URL, ZHICHI_S3_ACCESS_KEY, ZHICHI_S3_SECRET_KEY, ZHICHI_S3_REGION)."
        )
    return getattr(module, class_name)(**s3_options(s3, "evidence"))


def current_config() -> dict:
    zhichi = settings.ZHICHI
    return {
        "backend": zhichi.get("EVIDENCE_STORAGE", FILESYSTEM),
        "location": str(zhichi.get("EVIDENCE_DIR") or Path(settings.DATA_DIR) / "evidence"),
        "s3": dict(zhichi.get("EVIDENCE_S3") or {}),
    }


@functools.cache
def _cached(backend: str, location: str, s3: tuple) -> Storage:
    return SealedStorage(build_storage({"backend": backend, "location": location, "s3": dict(s3)}))


def evidence_storage() -> Storage:
    """The store for the current settings (built once per configuration)."""
    config = current_config()
    return _cached(config["backend"], config["location"], tuple(sorted(config["s3"].items())))


def check_configuration() -> None:
    """Build the store now, so a wrong setting stops start-up instead of the first upload."""
    evidence_storage()


def reseal_rows(model, field: str = "storage_name") -> int:
    """Key rotation for the files of ``model``'s rows: each file not under the primary key is
    sealed again under a new name, the row moves to it, and the old file goes after the commit."""
    store = evidence_storage()
    changed = 0
    names = model.objects.exclude(**{field: ""}).values_list("pk", field)
    for pk, name in names.iterator(chunk_size=200):
        if not store.exists(name):
            continue
        new = store.reseal(name)
        if new is None:
            continue
        with transaction.atomic():
            moved = model.objects.filter(pk=pk, **{field: name}).update(**{field: new})
            transaction.on_commit(lambda old=name if moved else new: store.delete(old))
        changed += bool(moved)
    return changed
