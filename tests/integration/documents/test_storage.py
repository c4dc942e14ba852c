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
