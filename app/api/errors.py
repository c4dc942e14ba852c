"""Request-parsing errors of API blueprints as problem+json with marshmallow's field messages."""
from __future__ import annotations

from typing import Any

import flask
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
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


class GuardedParser(FlaskParser):
    """webargs parses JSON with the stdlib directly; use the app's guarded provider instead (400, not 500)."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return req.get_json(force=True)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = GuardedParser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """One schema instance per route, built here: given a class, webargs would build one on every request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A flask-smorest blueprint whose argument errors render as problem documents."""
    blp = ApiBlueprint(name, __name__, url_prefix=url_prefix, description=description)
    blp.register_error_handler(UnprocessableEntity, _unprocessable)
    return blp
