"""Backups: pg_dump/pg_restore (custom format) on PostgreSQL, the sqlite3 online backup API on SQLite.

A backup is one file plus, when anchors were published, a copy of the witness file next to it
(`<backup>.anchors.jsonl`), so a restore on another machine can check the restored chains against the anchors
published before the backup (with the same MOTCUA_ANCHOR_KEY).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL

from app.audit.witness import get_witness
from app.core.db import utcnow
from app.core.errors import AppError
from app.extensions import db

PG_BIN_FALLBACK = Path("/usr/lib/postgresql/15/bin")
SIDECAR_SUFFIX = ".anchors.jsonl"


class BackupError(AppError):
    status = 500
    code = "backup_failed"


@dataclass(frozen=True)
class Backup:
    path: Path
    sha256: str
    anchors: Path | None


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sidecar_for(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def default_path(instance_path: str, url: URL, now: datetime | None = None) -> Path:
    suffix = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    return Path(instance_path) / "backups" / f"motcua-{(now or utcnow()):%Y%m%d-%H%M%S}.{suffix}"


def create_backup(out: Path) -> Backup:
    """Back up the application's database to `out` (safe while it runs), then copy the anchor witness next to it."""
    url = db.engine.url
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), out)
    else:
        _run_pg("pg_dump", url, ["--format=custom", "--file", str(out)])
    witness = getattr(get_witness(), "path", None)
    anchors = None
    if witness is not None and Path(witness).exists():
        anchors = sidecar_for(out)
        shutil.copyfile(witness, anchors)
    return Backup(out, sha256_file(out), anchors)


def is_empty() -> bool:
    """Whether the application's database holds no table at all (a restore never silently overwrites data)."""
    return not inspect(db.engine).get_table_names()


def restore_backup(path: Path, *, overwrite: bool) -> None:
    """Restore `path` into the application's database; `overwrite` replaces what is there."""
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours keeps the old content or a lock
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(path, _sqlite_path(url))  # the backup API replaces every page of the target
    elif overwrite:
        _replace_pg(url, path)
    else:
        _run_pg("pg_restore", url, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                    "--dbname", url.database or "", str(path)])
    db.engine.dispose()


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("Chỉ sao lưu được cơ sở dữ liệu SQLite dạng tệp.", "Only a file SQLite database can be "
                          "backed up.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """sqlite3's online backup API: a consistent copy page by page, while other connections keep working."""
    if not source.exists():
        raise BackupError(f"Không có tệp {source}.", f"No such file: {source}.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """`name` on PATH, else the Debian PostgreSQL 15 binaries."""
    found = shutil.which(name) or (str(PG_BIN_FALLBACK / name) if (PG_BIN_FALLBACK / name).exists() else None)
    if found is None:
        raise BackupError(f"Không tìm thấy {name} (cài postgresql-client).", f"{name} not found (install "
                          "postgresql-client).")
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    """Connection settings as libpq environment variables: the password never shows in a process list."""
    values = {"PGHOST": url.host, "PGPORT": str(url.port) if url.port else None, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _replace_pg(url: URL, path: Path) -> None:
    """Empty the schema and restore into it in one transaction (psql reading pg_restore's SQL), so a failed restore
    leaves the old content. Not `pg_restore --clean`: it drops each partition's inherited keys one by one, which
    PostgreSQL refuses (the partitioned event log and tasks, app.audit.partitions)."""
    env = _libpq_env(url)
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: pg_restore never blocks on a full stderr
        script = subprocess.Popen([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-",  # noqa: S603
                                   str(path)], env=env, stdout=subprocess.PIPE, stderr=errors)
        done = subprocess.run([pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",  # noqa: S603
                               "--set", "ON_ERROR_STOP=1", "--command", "DROP SCHEMA public CASCADE",
                               "--command", "CREATE SCHEMA public", "--file", "-"],
                              env=env, stdin=script.stdout, capture_output=True, text=True, check=False)
        script.stdout.close()
        failed = script.wait() != 0
        errors.seek(0)
        restore_error = errors.read().decode(errors="replace").strip()
    if failed or done.returncode != 0:
        detail = (restore_error or done.stderr.strip())[-2000:]
        raise BackupError(f"pg_restore thất bại: {detail}", f"pg_restore failed: {detail}")


def _run_pg(tool: str, url: URL, args: list[str]) -> None:
    done = subprocess.run([pg_tool(tool), *args], env=_libpq_env(url),  # noqa: S603 - fixed binary, no shell
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip()[-2000:]
        raise BackupError(f"{tool} thất bại: {detail}", f"{tool} failed: {detail}")
