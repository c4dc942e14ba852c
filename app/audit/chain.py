"""Canonical serialisation and hashing of events (also used by the standalone verifier)."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "kind", "at", "actor_id", "actor_name", "role", "agency_id", "from_step", "to_step",
                 "comment", "is_internal", "data", "model_hash", "state_fingerprint", "prev_hash")


def canonical_at(value: datetime) -> str:
    """UTC, microseconds, fixed format: the same instant always hashes the same on SQLite and PostgreSQL."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_payload(fields: dict[str, Any]) -> dict[str, Any]:
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    if isinstance(payload["at"], datetime):
        payload["at"] = canonical_at(payload["at"])
    return payload


def event_hash(fields: dict[str, Any]) -> str:
    """sha256 over sorted-key UTF-8 JSON of the hashed fields."""
    text = json.dumps(event_payload(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
