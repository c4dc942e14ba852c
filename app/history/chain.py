"""Canonical serialisation and hashing of events.

An event's hash covers its fields with `data` and `comment` replaced by their own sha256 digests, so the
retention job can later remove those payloads (keeping only their digest) and the chain still proves that
nothing else changed. `tools/verify_bundle.py` re-implements these few lines with the standard library
only; tests keep the two in step.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "kind", "at", "actor_id", "actor_name", "role", "agency_id", "from_step", "to_step",
                 "comment", "is_internal", "data", "model_hash", "state_fingerprint", "prev_hash")
# Hashed only when set, so events written before they existed keep their hashes.
OPTIONAL_HASHED_FIELDS = ("dossier_digest", "state_hash")
# The dossier row's fields with legal weight: each event commits to their values after it, so an edit of the
# row outside the lifecycle (status, result, rating, applicant, deadlines) no longer matches the chain.
DOSSIER_LEGAL_FIELDS = ("code", "procedure_id", "process_version_id", "ruleset", "receiving_agency_id", "channel",
                        "status", "applicant_kind", "applicant_name", "applicant_id_number", "received_at",
                        "clock_started_at", "legal_due_at", "due_at", "legal_days", "apology_count",
                        "supplement_count", "result_ready_at", "returned_at", "finished_at", "outcome", "timing",
                        "result_number", "rating", "pin_hash")
REDACTED_KEY = "__redacted__"
REDACTED_COMMENT_PREFIX = "[redacted sha256:"


def canonical_at(value: datetime) -> str:
    """UTC, microseconds, fixed format: the same instant always hashes the same on SQLite and PostgreSQL."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Sorted-key, compact, UTF-8 JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_redacted_data(data: Any) -> bool:
    return isinstance(data, dict) and list(data) == [REDACTED_KEY] and isinstance(data[REDACTED_KEY], str)


def is_redacted_comment(comment: Any) -> bool:
    return isinstance(comment, str) and comment.startswith(REDACTED_COMMENT_PREFIX) and comment.endswith("]")


def data_digest(data: Any) -> str:
    """Digest of an event's data payload; a redacted payload carries the digest of what it replaced."""
    return data[REDACTED_KEY] if is_redacted_data(data) else sha256_text(canonical_json(data))


def comment_digest(comment: str | None) -> str | None:
    if comment is None:
        return None
    return comment[len(REDACTED_COMMENT_PREFIX):-1] if is_redacted_comment(comment) else sha256_text(comment)


def redact_data(data: Any) -> dict[str, str]:
    """The stand-in kept after personal data is removed: the digest of the original payload."""
    return data if is_redacted_data(data) else {REDACTED_KEY: data_digest(data)}


def redact_comment(comment: str | None) -> str | None:
    if comment is None or is_redacted_comment(comment):
        return comment
    return f"{REDACTED_COMMENT_PREFIX}{comment_digest(comment)}]"


def dossier_digest(dossier: Any) -> str:
    """sha256 over the dossier row's legal fields (instants in canonical UTC, enums by value)."""
    return sha256_text(canonical_json({name: _canonical(getattr(dossier, name)) for name in DOSSIER_LEGAL_FIELDS}))


def _canonical(value: Any) -> Any:
    """The same value hashes the same before and after a database round trip (zones, Numeric scale, enums)."""
    if isinstance(value, datetime):
        return canonical_at(value)
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):.2f}"
    return getattr(value, "value", value)


def state_hash(state_json: str) -> str:
    """sha256 of the stored engine state, exactly as stored."""
    return sha256_text(state_json)


def event_payload(fields: dict[str, Any]) -> dict[str, Any]:
    """The hashed form of an event: every chained field, payloads replaced by their digests."""
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    payload.update({name: fields[name] for name in OPTIONAL_HASHED_FIELDS if fields.get(name) is not None})
    if isinstance(payload["at"], datetime):
        payload["at"] = canonical_at(payload["at"])
    payload["data"] = {"sha256": data_digest(payload["data"] if payload["data"] is not None else {})}
    payload["comment"] = comment_digest(payload["comment"])
    return payload


def event_hash(fields: dict[str, Any]) -> str:
    """sha256 over sorted-key UTF-8 JSON of the hashed fields."""
    return sha256_text(canonical_json(event_payload(fields)))
