"""Request-parsing errors of API blueprints as problem+json with marshmallow's field messages."""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import UnprocessableEntity

from app.core.errors import problem_response


def field_errors(messages: dict[str, Any]) -> dict[str, Any]:
    """Merge webargs' per-location messages ({"json": {...}, "query": {...}}) into one field map."""
    errors: dict[str, Any] = {}
    for location, value in messages.items():
        if isinstance(value, dict):
            errors.update(value)
        else:
            errors[location] = value
    return errors


def _unprocessable(error: UnprocessableEntity):
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    return problem_response(422, "validation_error", "Dữ liệu gửi lên không hợp lệ.", "The submitted data is invalid.",
                            field_errors(messages) or None)


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A flask-smorest blueprint whose argument errors render as problem documents."""
    blp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    blp.register_error_handler(UnprocessableEntity, _unprocessable)
    return blp
