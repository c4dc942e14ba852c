"""The data that crosses the worker boundary: JSON with a few tagged types, never pickle.

Task data may hold datetimes, dates, times, timedeltas, UUIDs and tuples (see budget.check_data), so they
are tagged as `{"$t": kind, "v": ...}`; a real dict with a "$t" key is tagged too, so decoding is exact.
JSON rather than pickle because the parent reads what the worker (which runs untrusted code) writes.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

TAG = "$t"


class CodecError(ValueError):
    """A value cannot cross the worker boundary (or a frame is not valid)."""


def _encode(value: Any) -> Any:
    """Turn a value into plain JSON types, tagging the others."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        if any(type(key) is not str for key in value):
            raise CodecError("dictionary keys must be strings")
        if TAG in value:
            return {TAG: "o", "v": [[key, _encode(item)] for key, item in value.items()]}
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {TAG: "tu", "v": [_encode(item) for item in value]}
    return _encode_leaf(value)


def _encode_leaf(value: Any) -> dict[str, Any]:
    """Tag the non-JSON leaves task data may hold (datetime before date: it is a subclass)."""
    if isinstance(value, datetime):
        return {TAG: "dt", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "d", "v": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "tm", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "td", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, UUID):
        return {TAG: "u", "v": str(value)}
    raise CodecError(f"a {type(value).__name__} value cannot leave the sandbox (use plain data)")


_DECODERS = {
    "dt": datetime.fromisoformat,
    "d": date.fromisoformat,
    "tm": time.fromisoformat,
    "td": lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "u": UUID,
    "tu": tuple,
    "o": dict,
}


def _hook(obj: dict[str, Any]) -> Any:
    """Undo the tags (object_hook runs innermost first, so "v" is already decoded)."""
    kind = obj.get(TAG)
    if kind is None:
        return obj
    if len(obj) != 2 or kind not in _DECODERS:
        raise CodecError(f"unknown tag {kind!r}")
    return _DECODERS[kind](obj["v"])


def dumps(value: Any) -> bytes:
    """Encode a message."""
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    """Decode a message, turning any malformation into CodecError."""
    try:
        return json.loads(data, object_hook=_hook)
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise CodecError(f"malformed message: {type(exc).__name__}") from None
