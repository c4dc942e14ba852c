"""Access control: every view declares who may call it; anything undeclared is refused (deny by default)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from app.core.errors import PermissionDeniedError

logger = logging.getLogger(__name__)

GLOBAL_ROLES = ("admin", "designer", "auditor")
OFFICIAL_ROLES = ("receiver", "specialist", "leader", "clerk", "returner")
ALL_ROLES = GLOBAL_ROLES + OFFICIAL_ROLES


class HasAgencyPath(Protocol):
    id: int
    path: str


class Actor(Protocol):
    is_authenticated: bool

    def has_role(self, role: str, agency: HasAgencyPath | None = None) -> bool: ...


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view._motcua_access = "public"  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Require a signed-in user holding any of `roles` (none given: any signed-in user)."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and not any(current_user.has_role(role) for role in roles):
                raise PermissionDeniedError("Bạn không có quyền thực hiện thao tác này.",
                                            "You are not allowed to do this.")
            return view(*args, **kwargs)

        wrapper._motcua_access = roles or ("authenticated",)  # type: ignore[attr-defined]
        return wrapper

    return decorator


login_required = roles_required()


def ensure_role(actor: Actor, roles: Iterable[str], agency: HasAgencyPath | None = None) -> None:
    """Raise PermissionDeniedError unless the actor holds one of `roles` covering `agency`."""
    if not any(actor.has_role(role, agency) for role in roles):
        raise PermissionDeniedError("Bạn không có quyền trên đơn vị này.",
                                    "You have no permission on this agency.")


def install_default_deny(app: Flask) -> None:
    """Refuse any endpoint that forgot to declare its access rule."""

    @app.before_request
    def _deny_undeclared() -> None:
        endpoint = request.endpoint
        if endpoint is None:
            return
        if endpoint == "static" or endpoint.endswith(".static"):
            return
        view = app.view_functions.get(endpoint)
        if getattr(view, "_motcua_access", None) is None:
            logger.error("Endpoint %s declares no access rule; refused", endpoint)
            abort(403)
