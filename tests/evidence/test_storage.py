"""Choosing the evidence store: the private directory by default, S3 only with django-storages
installed and a bucket set; a wrong setting stops start-up with a clear message. No network."""

from __future__ import annotations

import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile

from zhichi.evidence import storage

pytestmark = pytest.mark.unit

S3_CONFIG = {
    "backend": "s3",
    "location": "/unused",
    "s3": {
        "bucket": "zhichi-evidence",
        "endpoint_url": "https://minio.intranet:9000",
        "access_key": "AK",
        "secret_key": "SK",
        "region": "cn-southwest-1",
    },
}


@pytest.fixture
def fake_s3(monkeypatch):
    """A stand-in for storages.backends.s3 that records how it was built."""

    class FakeS3Storage:
        def __init__(self, **options):
            self.options = options

    module = types.ModuleType("storages.backends.s3")
    module.S3Storage = FakeS3Storage
    monkeypatch.setitem(sys.modules, "storages", types.ModuleType("storages"))
    monkeypatch.setitem(sys.modules, "storages.backends", types.ModuleType("storages.backends"))
    monkeypatch.setitem(sys.modules, "storages.backends.s3", module)
    storage._cached.cache_clear()  # a store built with the fake must not outlive the test
    yield FakeS3Storage
    storage._cached.cache_clear()


@pytest.fixture
def no_s3(monkeypatch):
    """django-storages is not installed (a None entry makes the import fail)."""
    monkeypatch.setitem(sys.modules, "storages.backends.s3", None)
    storage._cached.cache_clear()
    yield
    storage._cached.cache_clear()


def test_the_default_store_is_a_private_directory(tmp_path):
    store = storage.build_storage({"backend": "filesystem", "location": tmp_path / "evidence"})

    assert isinstance(store, storage.PrivateFileSystemStorage)
    assert store.location == str(tmp_path / "evidence")
    name = store.save("2026/11/abc", ContentFile(b"%PDF-1.4"))
    assert (tmp_path / "evidence" / "2026" / "11" / "abc").read_bytes() == b"%PDF-1.4"
    assert name == "2026/11/abc"
    with pytest.raises(SuspiciousFileOperation):
        store.url(name)  # no public URL, ever


def test_stored_files_are_not_world_readable(tmp_path):
    store = storage.build_storage({"backend": "filesystem", "location": tmp_path})

    store.save("2026/11/x", ContentFile(b"data"))

    assert (tmp_path / "2026" / "11" / "x").stat().st_mode & 0o777 == 0o640


def test_s3_is_built_from_the_zhichi_s3_settings(fake_s3):
    store = storage.build_storage(S3_CONFIG)

    assert isinstance(store, fake_s3)
    assert store.options == {
        "bucket_name": "zhichi-evidence",
        "location": "evidence",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "endpoint_url": "https://minio.intranet:9000",
        "access_key": "AK",
        "secret_key": "SK",
        "region_name": "cn-southwest-1",
    }


def test_s3_without_django_storages_names_the_package_and_the_settings(no_s3):
    with pytest.raises(ImproperlyConfigured) as error:
        storage.build_storage(S3_CONFIG)

    message = str(error.value)
    assert "django-storages" in message
    for name in storage.S3_SETTINGS:
        assert name in message


def test_s3_without_a_bucket_is_refused(fake_s3):
    with pytest.raises(ImproperlyConfigured, match="ZHICHI_S3_BUCKET"):
        storage.build_storage({**S3_CONFIG, "s3": {}})


def test_an_unknown_backend_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ZHICHI_EVIDENCE_STORAGE"):
        storage.build_storage({"backend": "ftp", "location": "/x"})


@pytest.mark.django_db
def test_start_up_check_fails_when_s3_is_chosen_without_the_package(settings, no_s3):
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_STORAGE": "s3", "EVIDENCE_S3": {"bucket": "b"}}

    with pytest.raises(ImproperlyConfigured, match="django-storages"):
        storage.check_configuration()


@pytest.mark.django_db
def test_the_store_follows_the_settings(settings, tmp_path, fake_s3):
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_DIR": tmp_path / "a"}
    first = storage.evidence_storage()
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_STORAGE": "s3", "EVIDENCE_S3": {"bucket": "b"}}
    second = storage.evidence_storage()

    # each store is sealed (rule R4) around the configured one
    assert isinstance(first, storage.SealedStorage) and isinstance(second, storage.SealedStorage)
    assert first.inner.location == str(tmp_path / "a")
    assert isinstance(second.inner, fake_s3)
    assert second.inner.options["bucket_name"] == "b"


def test_new_names_are_random_and_never_from_the_user():
    names = {storage.new_name() for _ in range(100)}

    assert len(names) == 100
    for name in names:
        year, month, random_part = name.split("/")
        assert (len(year), len(month), len(random_part)) == (4, 2, 32)
