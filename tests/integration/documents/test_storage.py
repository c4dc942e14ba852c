"""The content-addressed document storage: same bytes stored once, read back checked against their hash."""
from __future__ import annotations

import hashlib

import pytest

from app.documents.storage import LocalStorage, StorageError, get_storage


class TestLocalStorage:
    def test_put_returns_the_sha256_and_get_gives_the_bytes_back(self, tmp_path):
        store = LocalStorage(tmp_path)
        digest = store.put(b"%PDF-1.7 slip")
        assert digest == hashlib.sha256(b"%PDF-1.7 slip").hexdigest()
        assert store.get(digest) == b"%PDF-1.7 slip" and store.exists(digest)
        assert (tmp_path / digest[:2] / digest[2:4] / digest).is_file()

    def test_the_same_bytes_are_stored_once(self, tmp_path):
        store = LocalStorage(tmp_path)
        assert store.put(b"scan") == store.put(b"scan")
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1

    def test_a_file_changed_on_disk_is_refused_on_read(self, tmp_path):
        store = LocalStorage(tmp_path)
        digest = store.put(b"original result")
        (tmp_path / digest[:2] / digest[2:4] / digest).write_bytes(b"forged result")
        with pytest.raises(StorageError):
            store.get(digest)

    def test_keys_that_are_not_a_hash_never_reach_the_filesystem(self, tmp_path):
        store = LocalStorage(tmp_path / "docs")
        (tmp_path / "secret").write_bytes(b"x")
        with pytest.raises(StorageError):
            store.get("../secret")
        with pytest.raises(StorageError):
            store.get("a" * 63)

    def test_a_missing_file_is_a_storage_error(self, tmp_path):
        with pytest.raises(StorageError):
            LocalStorage(tmp_path).get("0" * 64)


def test_the_app_stores_documents_in_the_configured_folder(app):
    store = get_storage()
    assert store.name == "local" and str(store.root) == app.config["DOCUMENT_DIR"]


def test_without_a_configured_folder_documents_go_under_the_instance_folder(app):
    from app.documents.storage import build_storage

    class Bare:
        config = {"DOCUMENT_STORAGE": "local"}
        instance_path = app.instance_path

    assert str(build_storage(Bare()).root).startswith(app.instance_path)


@pytest.fixture(scope="module")
def s3_sandbox():
    """The local S3-compatible sandbox (tools/sandboxes/s3.py) on a free port of 127.0.0.1."""
    pytest.importorskip("moto.server")
    from tools.sandboxes.s3 import start

    server, endpoint = start(0, "motcua-test")
    yield endpoint
    server.stop()


@pytest.fixture
def s3_store(s3_sandbox):
    from app.documents.s3 import S3Storage

    return S3Storage.from_config({"S3_ENDPOINT_URL": s3_sandbox, "S3_BUCKET": "motcua-test",
                                  "S3_ACCESS_KEY_ID": "sandbox", "S3_SECRET_ACCESS_KEY": "sandbox"})


class TestS3Storage:
    def test_put_and_get_through_the_s3_protocol(self, s3_store):
        digest = s3_store.put(b"%PDF-1.7 result")
        assert digest == hashlib.sha256(b"%PDF-1.7 result").hexdigest()
        assert s3_store.get(digest) == b"%PDF-1.7 result" and s3_store.exists(digest)
        assert s3_store.put(b"%PDF-1.7 result") == digest  # stored once: the second put only asks

    def test_an_object_changed_in_the_bucket_is_refused_on_read(self, s3_store):
        digest = s3_store.put(b"original scan")
        s3_store.client.put_object(Bucket="motcua-test", Key=f"{digest[:2]}/{digest}", Body=b"forged scan")
        with pytest.raises(StorageError):
            s3_store.get(digest)

    def test_keys_and_delete_for_the_garbage_collection(self, s3_store):
        from datetime import timedelta

        from app.core.db import utcnow

        digest = s3_store.put(b"orphan in the bucket")
        assert digest in dict(s3_store.keys())
        assert s3_store.delete(digest, written_before=utcnow() - timedelta(hours=1)) is False  # just written
        assert s3_store.delete(digest) is True and not s3_store.exists(digest)

    def test_a_missing_object_is_a_storage_error(self, s3_store):
        assert not s3_store.exists("1" * 64)
        with pytest.raises(StorageError):
            s3_store.get("1" * 64)

    def test_the_app_can_run_on_the_bucket(self, app, s3_sandbox, monkeypatch):
        from app.documents.storage import build_storage

        monkeypatch.setitem(app.config, "DOCUMENT_STORAGE", "s3")
        for key, value in {"S3_ENDPOINT_URL": s3_sandbox, "S3_BUCKET": "motcua-test",
                           "S3_ACCESS_KEY_ID": "sandbox", "S3_SECRET_ACCESS_KEY": "sandbox"}.items():
            monkeypatch.setitem(app.config, key, value)
        store = build_storage(app)
        assert store.name == "s3" and store.get(store.put(b"slip")) == b"slip"
