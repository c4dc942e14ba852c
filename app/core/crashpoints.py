"""Test-only crash points: SIGKILL this process at a named place, to prove a crash there loses nothing.

Off unless MOTCUA_TEST_CRASH_FILE names a file (never set it in production). Writing `NAME` or `NAME N` into that
file arms the point: the N-th pass (default the first) through `crash_point(NAME)` in any process removes the file
and kills the process with SIGKILL, so a restarted gunicorn worker, or a retry, runs normally. Points:
`after_engine_step` (app/dossiers/pipeline.py, after the engine and the projection, before the flush) and
`migration_item` (app/designer/migration.py, after a dossier's savepoint, before the chunk commits).
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

ENV = "MOTCUA_TEST_CRASH_FILE"


def crash_point(name: str) -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    try:
        point, _, count = Path(path).read_text().strip().partition(" ")
    except FileNotFoundError:
        return
    if point != name:
        return
    if int(count or 1) > 1:
        Path(path).write_text(f"{name} {int(count) - 1}")
        return
    Path(path).unlink()
    os.kill(os.getpid(), signal.SIGKILL)
