"""Anchors published outside the database: an append-only, HMAC-signed file (or any witness service).

A DBA who rewrites a chain and its anchor rows cannot rewrite what was published: `audit verify` compares the
database with every published anchor and recomputes the latest one from the events themselves.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from app.history.chain import canonical_json


class AnchorWitness(Protocol):
    """Somewhere the daily anchor digests are published and can be read back (file, gazette, witness API)."""

    def publish(self, record: dict[str, Any]) -> None: ...

    def records(self) -> list[dict[str, Any]]: ...


class FileWitness:
    """JSON lines appended to a file on another volume than the database; each line is signed with a key the
    database never sees (MOTCUA_ANCHOR_KEY)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path, self._key = path, key

    def sign(self, record: dict[str, Any]) -> str:
        return hmac.new(self._key, canonical_json(record).encode("utf-8"), hashlib.sha256).hexdigest()

    def publish(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**record, "sig": self.sign(record)}, sort_keys=True, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> list[dict[str, Any]]:
        """Every published record with `signed` telling whether its signature holds."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                out.append({"signed": False, "raw": line[:200]})
                continue
            signature = record.pop("sig", "")
            out.append({**record, "signed": hmac.compare_digest(signature, self.sign(record))})
        return out


def get_witness(path: Path | None = None) -> AnchorWitness:
    """The configured witness (MOTCUA_ANCHOR_FILE, default instance/anchors.jsonl), or the file at `path` (a copy
    shipped with a backup) checked with the same key."""
    config = current_app.config
    path = path or Path(config.get("ANCHOR_FILE") or Path(current_app.instance_path) / "anchors.jsonl")
    key = config.get("ANCHOR_KEY") or hmac.new(config["SECRET_KEY"].encode(), b"motcua-anchor",
                                               hashlib.sha256).hexdigest()
    return FileWitness(path, key.encode("utf-8"))
