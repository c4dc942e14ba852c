"""One JSON parser for every request body: bounded depth and numbers, no NaN/Infinity, no NUL character (400,
never a 500); and no NUL character in the path, the query or a form field either (PostgreSQL text cannot hold one).

Installed as the app's JSON provider, so `request.get_json()` in the views and the API's argument parser
(see app.api.errors) use it, and views parsing a JSON form field call `loads_guarded`. Body sizes are
bounded before parsing by MAX_CONTENT_LENGTH (smaller for anonymous requests, see `limit_body_size`).
"""
from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, current_app, request, session
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user

from app.core.permissions import CITIZEN_SESSION_KEY

DEFAULT_MAX_DEPTH = 64
MAX_INT_DIGITS = 100  # far beyond any real value; task forms apply their own, tighter rule (422)


class JSONRejectedError(ValueError):
    """The body is not JSON we accept (Flask turns a ValueError from get_json into a 400)."""


def _reject_constant(name: str) -> Any:
    raise JSONRejectedError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRejectedError("number out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONRejectedError("integer too long")
    return int(text)


def _check_depth(value: Any, max_depth: int) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise JSONRejectedError("NUL character in a string")
        if isinstance(item, dict) and any("\x00" in key for key in item):
            raise JSONRejectedError("NUL character in a key")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > max_depth:
            raise JSONRejectedError(f"nested deeper than {max_depth}")
        stack.extend((child, depth + 1) for child in children)


def loads_guarded(data: str | bytes, max_depth: int | None = None) -> Any:
    """Parse JSON text; raise JSONRejectedError if it is too deep, has huge integers, NaN or Infinity."""
    if max_depth is None:
        max_depth = current_app.config.get("JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH) if current_app else DEFAULT_MAX_DEPTH
    try:
        value = json.loads(data, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except RecursionError as error:  # the C scanner recurses: thousands of brackets end here
        raise JSONRejectedError("nested too deeply") from error
    _check_depth(value, max_depth)
    return value


class GuardedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_guarded(s)


def limit_body_size(app: Flask) -> None:
    """Anonymous requests get a smaller body limit than signed-in ones (MAX_CONTENT_LENGTH)."""

    @app.before_request
    def _anonymous_body_limit() -> None:
        limit = app.config.get("ANONYMOUS_MAX_CONTENT_LENGTH")
        if limit and not current_user.is_authenticated and not session.get(CITIZEN_SESSION_KEY):
            request.max_content_length = min(limit, app.config.get("MAX_CONTENT_LENGTH") or limit)


def refuse_nul_characters(app: Flask) -> None:
    """A NUL in the path, the query or a form field is a 400 before any view or query runs."""
    from app.core.errors import AppError

    @app.before_request
    def _no_nul() -> None:
        sources = [request.args]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.form)
        # every value of a repeated key (MultiDict.values() gives only the first of each)
        fields = [request.path, *(item for source in sources for key, values in source.lists()
                                  for item in (key, *values))]
        if any("\x00" in field for field in fields):
            raise AppError("Yêu cầu chứa ký tự NUL không hợp lệ.", "The request contains a NUL character.",
                           code="nul_character")
