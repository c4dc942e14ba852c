"""Access control: every view declares who may call it; anything undeclared is refused (deny by default)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol

from flask import Flask, abort, redirect, request, session, url_for
from flask_login import current_user

from app.core.errors import PermissionDeniedError

logger = logging.getLogger(__name__)

GLOBAL_ROLES = ("admin", "designer", "auditor")  # may be granted without an agency (= everywhere)
OFFICIAL_ROLES = ("receiver", "specialist", "leader", "clerk", "returner")  # act in their own agency only
SUPERVISOR = "supervisor"  # read-only oversight of a subtree: dossiers (personal data masked) and statistics
ALL_ROLES = GLOBAL_ROLES + OFFICIAL_ROLES + (SUPERVISOR,)
SUBTREE_ROLES = frozenset(GLOBAL_ROLES + (SUPERVISOR,))  # an assignment at X covers X and its descendants
READ_ONLY_ROLES = frozenset({"auditor", SUPERVISOR})  # never comment, claim or act on a dossier


class HasAgencyPath(Protocol):
    id: int
    path: str


class Assignment(Protocol):
    role: str
    agency_id: int | None
    agency: HasAgencyPath | None


class Actor(Protocol):
    is_authenticated: bool
    roles: list[Assignment]

    def has_role(self, role: str, agency: HasAgencyPath | None = None) -> bool: ...


# --- the scope rule (one place): which agencies a (role, agency) assignment reaches ---------------

def assignment_covers(assignment: Assignment, agency: HasAgencyPath | None) -> bool:
    """True when `assignment` reaches `agency`; `agency` None (everywhere) needs a global assignment."""
    if assignment.agency is None:
        return True
    if agency is None:
        return False
    if assignment.role in SUBTREE_ROLES:
        return agency.path.startswith(assignment.agency.path)
    return assignment.agency_id == agency.id


def covers(actor: Actor, role: str, agency: HasAgencyPath | None) -> bool:
    """True when `actor` holds `role` reaching `agency` (None: the whole system)."""
    return any(a.role == role and assignment_covers(a, agency) for a in actor.roles)


def ensure_covers(actor: Actor, role: str, agency: HasAgencyPath | None) -> None:
    """Raise PermissionDeniedError unless `actor` holds `role` reaching `agency` (None: global role needed)."""
    if not covers(actor, role, agency):
        raise PermissionDeniedError("Thao tác này nằm ngoài phạm vi đơn vị của bạn.",
                                    "This is outside your agency scope.")


def scope_paths(actor: Actor, *roles: str) -> list[str] | None:
    """Agency paths `actor` reaches through any of `roles`; None means everywhere (a global assignment).

    Subtree roles give the path prefix of their agency; official roles give their agency's exact path
    (callers that need exact agencies for officials use `official_agency_ids`).
    """
    paths: list[str] = []
    for assignment in actor.roles:
        if assignment.role not in roles:
            continue
        if assignment.agency is None:
            return None
        paths.append(assignment.agency.path)
    return paths


def admin_scope(actor: Actor) -> list[str] | None:
    """Agency paths an admin manages; None for a global admin, [] for a non-admin."""
    return scope_paths(actor, "admin")


def is_global(actor: Actor, role: str) -> bool:
    return any(a.role == role and a.agency is None for a in actor.roles)


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view._motcua_access = "public"  # type: ignore[attr-defined]
    return view


CITIZEN = "citizen"
CITIZEN_SESSION_KEY = "citizen"  # {"id": Citizen.id, "id_number": ..., "name": ...} after a verified sign-in


def citizen_required(view: Callable) -> Callable:
    """Require a citizen signed in through the identity provider (officials' accounts do not count)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not session.get(CITIZEN_SESSION_KEY):
            return redirect(url_for("citizen.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    wrapper._motcua_access = CITIZEN  # type: ignore[attr-defined]
    return wrapper


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Require a signed-in user holding any of `roles` (none given: any signed-in user)."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            refused = _refusal(roles)
            return refused if refused is not None else view(*args, **kwargs)

        wrapper._motcua_access = roles or ("authenticated",)  # type: ignore[attr-defined]
        return wrapper

    return decorator


login_required = roles_required()


def _refusal(roles: tuple[str, ...]) -> Any:
    """None when the caller may proceed; the login redirect, or a raised 401/403, otherwise."""
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path))
    if roles and not any(current_user.has_role(role) for role in roles):
        raise PermissionDeniedError("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
    return None


def ensure_role(actor: Actor, roles: Iterable[str], agency: HasAgencyPath | None = None) -> None:
    """Raise PermissionDeniedError unless the actor holds one of `roles` covering `agency`."""
    if not any(actor.has_role(role, agency) for role in roles):
        raise PermissionDeniedError("Bạn không có quyền trên đơn vị này.",
                                    "You have no permission on this agency.")


def install_default_deny(app: Flask) -> None:
    """Refuse any endpoint that forgot to declare its access rule, and enforce the declared rule before
    anything else runs (body parsing and validation must not answer a caller who may not be there)."""

    @app.before_request
    def _enforce_declared_access() -> Any:
        endpoint = request.endpoint
        if endpoint is None:
            return None
        if endpoint == "static" or endpoint.endswith(".static"):
            return None
        access = getattr(app.view_functions.get(endpoint), "_motcua_access", None)
        if access is None:
            logger.error("Endpoint %s declares no access rule; refused", endpoint)
            abort(403)
        if access in ("public", CITIZEN):  # a citizen view checks its own session (citizen_required)
            return None
        return _refusal(tuple(role for role in access if role != "authenticated"))
