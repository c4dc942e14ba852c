"""Rate limits of the public PIN lookup: one shared scope for every web page and API route that checks a PIN.

Two limits, both counted in the configured storage (Redis in production, so every worker sees the same
numbers): per client address, generous enough for a center's shared Wi-Fi, and per dossier code whoever
asks. The hard guarantee is the per-dossier PIN lock kept in the database (app.dossiers.pins).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter

CLIENT_SCOPE = "pin-lookup-client"
CODE_SCOPE = "pin-lookup-code"


def submitted_code() -> str:
    """The dossier code of a lookup: in the route, the form or the JSON body (empty when absent)."""
    code = (request.view_args or {}).get("code") or request.form.get("code")
    if not code and request.is_json:
        body = request.get_json(silent=True)
        code = body.get("code") if isinstance(body, dict) else None
    return str(code or "").strip()[:40]


def client_key() -> str:
    return get_remote_address() or "unknown"


def code_key() -> str:
    return submitted_code() or "-"


def _client_limit() -> str:
    return current_app.config["LOOKUP_CLIENT_LIMIT"]


def _code_limit() -> str:
    return current_app.config["LOOKUP_CODE_LIMIT"]


def pin_lookup_limits(methods: list[str] | None = None) -> Callable[[Callable], Callable]:
    """Apply the shared per-client and per-code lookup limits to a view (only for `methods` if given)."""

    def decorator(view: Callable) -> Callable:
        view = limiter.shared_limit(_client_limit, scope=CLIENT_SCOPE, key_func=client_key, methods=methods)(view)
        return limiter.shared_limit(_code_limit, scope=CODE_SCOPE, key_func=code_key, methods=methods)(view)

    return decorator
