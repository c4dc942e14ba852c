"""Start PostgreSQL-side processes of our own in tests (a replica cluster, PgBouncer): free ports, and the
postgres OS user when the tests run as root (initdb and pgbouncer refuse to run as root)."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """The command, run as the postgres OS user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if AS_ROOT else command


def postgres_dir(prefix: str) -> Path:
    """A fresh temporary directory the postgres OS user owns (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if AS_ROOT:
        shutil.chown(path, "postgres", "postgres")
    return path
