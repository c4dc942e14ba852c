"""Where document bytes live: a content-addressed store behind one small interface.

Keys are the SHA-256 of the content, so writing the same bytes twice stores them once, a reader can check what
it got, and a rolled-back transaction leaves at most an unreferenced file (never a wrong one). The local
filesystem under the instance folder is the default (MOTCUA_DOCUMENT_DIR moves it); `MOTCUA_DOCUMENT_STORAGE=s3`
uses an S3-compatible bucket through boto3 (app.documents.s3, MOTCUA_S3_*).
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

EXTENSION_KEY = "motcua_storage"


class StorageError(Exception):
    """The stored bytes are missing or do not match their hash."""


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Storage(Protocol):
    name: str

    def put(self, data: bytes) -> str:
        """Store `data` (idempotent) and return its SHA-256."""

    def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`, checked against it; raises StorageError."""

    def exists(self, digest: str) -> bool:
        """Whether bytes are stored under `digest`."""

    def keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored digest with the last time it was written (UTC); for the garbage collection."""

    def delete(self, digest: str, *, written_before: datetime | None = None) -> bool:
        """Remove the bytes stored under `digest`, unless written again since `written_before`; whether removed."""


SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _checked(digest: str) -> str:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise StorageError(f"not a SHA-256 key: {digest!r}")
    return digest


class LocalStorage:
    """Files under `root/ab/cd/<sha256>`, written to a temporary file first and renamed into place."""

    name = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        digest = _checked(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self._path(digest)
        if path.exists():
            os.utime(path)  # written again now: the garbage collection's grace period starts over
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        try:
            data = self._path(digest).read_bytes()
        except FileNotFoundError as error:
            raise StorageError(f"no stored file {digest}") from error
        if digest_of(data) != digest:
            raise StorageError(f"stored file {digest} does not match its hash")
        return data

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def keys(self) -> Iterator[tuple[str, datetime]]:
        for path in self.root.glob("??/??/*"):
            if SHA256.match(path.name) and path.is_file():
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def delete(self, digest: str, *, written_before: datetime | None = None) -> bool:
        path = self._path(digest)
        try:
            if written_before is not None and datetime.fromtimestamp(path.stat().st_mtime, UTC) > written_before:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True


def build_storage(app: Flask) -> Storage:
    kind = app.config.get("DOCUMENT_STORAGE", "local")
    if kind == "s3":
        from app.documents.s3 import S3Storage

        return S3Storage.from_config(app.config)
    if kind != "local":
        raise ValueError(f"unknown MOTCUA_DOCUMENT_STORAGE {kind!r}")
    return LocalStorage(app.config.get("DOCUMENT_DIR") or Path(app.instance_path) / "documents")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_storage(app)


def get_storage() -> Storage:
    """The application's document storage."""
    return current_app.extensions[EXTENSION_KEY]
