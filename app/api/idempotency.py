"""Transactions of API writes, with Idempotency-Key replay stored in the same commit as the write itself."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.db import unit_of_work
from app.core.errors import ConflictError, ValidationError
from app.extensions import db
from app.tokens.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PARAMETER = {"in": "header", "name": HEADER, "required": False,
                 "description": "Client-chosen unique key; a retry with the same key and body replays the response",
                 "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH}}


def _scope() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anon"


def _request_hash() -> str:
    body = request.get_json(silent=True)
    text = json.dumps(body, sort_keys=True, ensure_ascii=False) if body is not None else request.get_data(as_text=True)
    return hashlib.sha256(f"{request.method} {request.full_path}\n{text}".encode()).hexdigest()


def _find(scope: str, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        raise ValidationError("Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.",
                              "This Idempotency-Key was already used with a different request.",
                              code="idempotency_key_reused",
                              details={"errors": {HEADER: ["reused with a different request"]}})
    response = Response(stored.response_body, status=stored.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError("Idempotency-Key không hợp lệ.", "Invalid Idempotency-Key.",
                              details={"errors": {HEADER: [f"1 to {MAX_KEY_LENGTH} characters"]}})
    return key


def _run(key: str, view: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    scope, fingerprint = _scope(), _request_hash()
    stored = _find(scope, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with unit_of_work():
            response = view(*args, **kwargs)
            if response.status_code < 400:
                db.session.add(IdempotencyKey(scope=scope, key=key, method=request.method, path=request.path,
                                              request_hash=fingerprint, status=response.status_code,
                                              response_body=response.get_data(as_text=True)))
        return response
    except (IntegrityError, ConflictError):
        stored = _find(scope, key)  # a concurrent twin with the same key committed first
        if stored is None:
            raise
        logger.info("Idempotent replay after a race on %s %s", request.method, request.path)
        return _replay(stored, fingerprint)


def transactional(*, idempotent: bool = False) -> Callable[[Callable], Callable]:
    """Run the view in one unit of work; with `idempotent`, honour the Idempotency-Key header."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _key() if idempotent else None
            if key is None:
                with unit_of_work():
                    return view(*args, **kwargs)
            return _run(key, view, args, kwargs)

        if idempotent:
            apidoc = getattr(wrapper, "_apidoc", {})
            wrapper._apidoc = {**apidoc, "manual_doc": {**apidoc.get("manual_doc", {}),
                                                        "parameters": [KEY_PARAMETER]}}
        return wrapper

    return decorator
