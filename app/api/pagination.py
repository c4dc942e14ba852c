"""Opaque keyset cursors: base64url JSON of the last row's sort key, validated on the way back."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from app.core.errors import ValidationError


def encode_cursor(*key: Any) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _invalid() -> ValidationError:
    return ValidationError("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                           details={"errors": {"cursor": ["invalid cursor"]}})


def decode_cursor(cursor: str | None, *types: type) -> tuple | None:
    """Return the key tuple converted to `types` (datetime, int, str), or None when no cursor was given."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(types):
            raise ValueError(cursor)
        return tuple(_convert(value, kind) for value, kind in zip(raw, types, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid() from error


def _convert(value: Any, kind: type) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return parsed
    if kind is int and (not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**62):
        raise ValueError(value)
    if kind is str and not isinstance(value, str):
        raise ValueError(value)
    return value


def page(items: list, limit: int, key) -> dict[str, Any]:
    """Build `{items, next_cursor}` from `limit + 1` fetched rows."""
    has_more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": encode_cursor(*key(items[-1])) if has_more and items else None}
