"""Which users and agencies an administrator reaches: the admin side of app.core.permissions' scope rule.

An admin scoped to agency X sees the users holding a role inside X's subtree (and the role-less accounts it
created) and manages only those whose every role lies inside that subtree; a global admin reaches everyone.
"""
from __future__ import annotations

from sqlalchemy import false, or_, select, true

from app.auth.models import Agency, RoleAssignment, User
from app.core.errors import NotFoundError, PermissionDeniedError
from app.core.permissions import admin_scope, assignment_covers, covers, scope_paths
from app.extensions import db


def agencies_under(paths: list[str] | None):
    """SELECT of the ids of the agencies inside `paths` (None: every agency)."""
    query = select(Agency.id)
    if paths is None:
        return query
    return query.where(or_(*[Agency.path.startswith(p) for p in paths]) if paths else false())


def users_under(paths: list[str] | None):
    """SELECT of the ids of users holding a role at an agency inside `paths`."""
    return select(RoleAssignment.user_id).where(RoleAssignment.agency_id.in_(agencies_under(paths)))


def visible_users_clause(actor: User):
    """Users the admin `actor` may see: a role inside its subtree, or role-less and created by it."""
    paths = admin_scope(actor)
    if paths is None:
        return true()
    has_no_role = ~User.roles.any()
    return or_(User.id.in_(users_under(paths)), (User.created_by_id == actor.id) & has_no_role)


def can_see_user(actor: User, user: User) -> bool:
    paths = admin_scope(actor)
    if paths is None or user.id == actor.id:
        return True
    if not user.roles:
        return user.created_by_id == actor.id
    return any(a.agency is not None and any(a.agency.path.startswith(p) for p in paths) for a in user.roles)


def can_manage_user(actor: User, user: User) -> bool:
    """True when every role of `user` lies inside the admin scope of `actor` (role-less: created by it)."""
    if admin_scope(actor) is None:
        return True
    if not user.roles:
        return user.created_by_id == actor.id
    admin_rows = [a for a in actor.roles if a.role == "admin"]
    return all(any(assignment_covers(mine, theirs.agency) for mine in admin_rows) for theirs in user.roles)


def ensure_can_see_user(actor: User, user: User) -> None:
    """404 for accounts outside the scope: their existence is none of this admin's business."""
    if not can_see_user(actor, user):
        raise NotFoundError("Không tìm thấy người dùng.", "User not found.")


def ensure_can_manage_user(actor: User | None, user: User) -> None:
    """Raise unless `actor` (None: operator CLI) may reset, enable or disable `user`."""
    if actor is None:
        return
    ensure_can_see_user(actor, user)
    if not can_manage_user(actor, user):
        raise PermissionDeniedError("Người dùng này giữ vai trò ngoài phạm vi quản trị của bạn.",
                                    "This user holds roles outside your administration scope.")


def ensure_admin_covers(actor: User | None, agency: Agency | None) -> None:
    """Raise unless `actor` administers `agency` (None: the whole system, global admins only)."""
    if actor is not None and not covers(actor, "admin", agency):
        raise PermissionDeniedError("Đơn vị này nằm ngoài phạm vi quản trị của bạn.",
                                    "This agency is outside your administration scope.")


def managed_agencies(actor: User) -> list[Agency]:
    """Agencies inside the admin scope of `actor`, in tree order."""
    query = select(Agency).where(Agency.id.in_(agencies_under(admin_scope(actor)))).order_by(Agency.path)
    return list(db.session.scalars(query))


def audit_scope(actor: User) -> list[str] | None:
    """Agency paths whose records an admin or auditor may read (None: everywhere)."""
    return scope_paths(actor, "admin", "auditor")
