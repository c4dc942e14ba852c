"""Use cases for users, roles and agencies. Each runs inside the caller's unit of work."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.auth import throttle
from app.auth.events import Client, record_auth_event
from app.auth.models import Agency, AgencyLevel, RoleAssignment, User
from app.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, password_problems, verify_password
from app.auth.scope import (
    can_manage_user,
    ensure_admin_covers,
    ensure_can_manage_user,
    ensure_can_see_user,
    managed_agencies,
    visible_users_clause,
)
from app.core.credentials import withdraw_credentials
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.core.permissions import ALL_ROLES, GLOBAL_ROLES
from app.extensions import db

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = MIN_LENGTH
__all__ = ["Client", "can_manage_user", "managed_agencies"]  # re-exported for the views
_DUMMY_HASH = hash_password("not-a-real-password")


class InvalidCredentialsError(ValidationError):
    code = "invalid_credentials"
    status = 401


@dataclass(frozen=True)
class RoleGrant:
    role: str
    agency_code: str | None = None

    @classmethod
    def parse(cls, text: str) -> RoleGrant:
        """Parse 'role' or 'role@AGENCYCODE' as typed on the command line."""
        role, _, agency = text.partition("@")
        return cls(role.strip(), agency.strip() or None)


# --- agencies -------------------------------------------------------------------------------

def get_agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError("Không tìm thấy đơn vị.", "Agency not found.")
    return agency


def get_agency_for(actor: User, agency_id: int) -> Agency:
    """The agency, if `actor` administers it."""
    agency = get_agency(agency_id)
    ensure_admin_covers(actor, agency)
    return agency


def get_agency_by_code(code: str) -> Agency:
    agency = find_agency_by_code(code)
    if agency is None:
        raise NotFoundError(f"Không tìm thấy đơn vị có mã {code}.", f"No agency with code {code}.")
    return agency


def find_agency_by_code(code: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.path)))


def create_agency(actor: User | None, *, code: str, name: str, level: str, parent_code: str | None = None,
                  edoc_code: str | None = None, name_en: str | None = None) -> Agency:
    """Add an agency under `parent_code` (a root when none: global admins only)."""
    parent = get_agency_by_code(parent_code) if parent_code else None
    ensure_admin_covers(actor, parent)
    if find_agency_by_code(code):
        raise ConflictError(f"Mã đơn vị {code} đã tồn tại.", f"Agency code {code} already exists.")
    agency = Agency(code=code, name=name, name_en=name_en, level=AgencyLevel(level), edoc_code=edoc_code,
                    parent=parent)
    db.session.add(agency)
    db.session.flush()
    agency.path = f"{parent.path if parent else '/'}{agency.id}/"
    if actor is not None:
        record_auth_event("agency_created", actor=actor, agency=agency, detail=code)
    logger.info("Agency %s created by %s", code, actor.username if actor else "system")
    return agency


def update_agency(actor: User, agency: Agency, *, name: str, name_en: str | None, edoc_code: str | None,
                  is_active: bool) -> Agency:
    """Rename or (de)activate an agency; its place in the tree is fixed."""
    ensure_admin_covers(actor, agency)
    agency.name, agency.name_en, agency.edoc_code, agency.is_active = name, name_en, edoc_code, is_active
    record_auth_event("agency_updated", actor=actor, agency=agency, detail=agency.code)
    logger.info("Agency %s updated by %s", agency.code, actor.username)
    return agency


# --- users ----------------------------------------------------------------------------------

def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không tìm thấy người dùng.", "User not found.")
    return user


def get_user_for(actor: User, user_id: int) -> User:
    """The user, if inside the admin scope of `actor` (404 otherwise)."""
    user = get_user(user_id)
    ensure_can_see_user(actor, user)
    return user


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(actor: User | None = None) -> list[User]:
    """Users in the admin scope of `actor` (None: operator CLI, everyone)."""
    query = select(User).order_by(User.username)
    if actor is not None:
        query = query.where(visible_users_clause(actor))
    return list(db.session.scalars(query))


def check_password_policy(password: str, *, username: str = "", full_name: str = "") -> None:
    """Raise ValidationError when `password` is short, common, guessable or contains the username."""
    problems = password_problems(password or "", username=username, full_name=full_name)
    if problems:
        vi, en = problems[0]
        raise ValidationError(vi, en, details={"errors": {"password": [vi]}})


def create_user(actor: User | None, *, username: str, full_name: str, password: str,
                email: str | None = None, grants: list[RoleGrant] | None = None) -> User:
    """Create an account with an argon2 password hash and optional role grants."""
    username = username.strip().lower()
    if not username:
        raise ValidationError("Tên đăng nhập không được để trống.", "Username is required.")
    if find_user_by_username(username):
        raise ConflictError(f"Tên đăng nhập {username} đã tồn tại.", f"Username {username} already exists.")
    check_password_policy(password, username=username, full_name=full_name)
    user = User(username=username, full_name=full_name, email=email, password_hash=hash_password(password),
                created_by_id=getattr(actor, "id", None))
    db.session.add(user)
    db.session.flush()
    record_auth_event("user_created", actor=actor, target=user)
    for grant in grants or []:
        grant_role(actor, user, grant)
    db.session.flush()
    logger.info("User %s created by %s", username, actor.username if actor else "system")
    return user


def grant_role(actor: User | None, user: User, grant: RoleGrant) -> RoleAssignment:
    """Give `user` a role, scoped to an agency unless the role is global; the actor must administer it."""
    if grant.role not in ALL_ROLES:
        raise ValidationError(f"Vai trò không hợp lệ: {grant.role}.", f"Unknown role: {grant.role}.")
    agency = get_agency_by_code(grant.agency_code) if grant.agency_code else None
    if agency is None and grant.role not in GLOBAL_ROLES:
        raise ValidationError("Vai trò cán bộ phải gắn với một đơn vị.", "Official roles need an agency.")
    if actor is not None:
        ensure_can_see_user(actor, user)
        ensure_admin_covers(actor, agency)
    for existing in user.roles:
        if existing.role == grant.role and existing.agency is agency:
            return existing
    assignment = RoleAssignment(role=grant.role, agency=agency)
    user.roles.append(assignment)
    record_auth_event("role_granted", actor=actor, target=user, agency=agency, detail=grant.role)
    return assignment


def revoke_role(actor: User, user: User, assignment_id: int) -> None:
    """Remove one (role, agency) pair from `user` (inside the actor's scope); the user signs in again."""
    ensure_can_see_user(actor, user)
    for assignment in list(user.roles):
        if assignment.id == assignment_id:
            ensure_admin_covers(actor, assignment.agency)
            user.roles.remove(assignment)
            user.end_sessions()
            withdraw_credentials()  # cached API callers lose the role at once too
            record_auth_event("role_revoked", actor=actor, target=user, agency=assignment.agency,
                              detail=assignment.role)
            logger.info("Role %s revoked from %s by %s", assignment.role, user.username, actor.username)
            return
    raise NotFoundError("Không tìm thấy vai trò.", "Role assignment not found.")


def set_password(actor: User | None, user: User, password: str) -> None:
    """Reset `user`'s password (an admin in scope, or the operator CLI); every session of the user ends."""
    ensure_can_manage_user(actor, user)
    check_password_policy(password, username=user.username, full_name=user.full_name)
    user.password_hash = hash_password(password)
    user.end_sessions()
    record_auth_event("password_reset", actor=actor, target=user)


def change_own_password(user: User, current: str, new: str) -> None:
    """The signed-in user replaces their password; their other sessions end."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError("Mật khẩu hiện tại không đúng.", "The current password is wrong.",
                              details={"errors": {"current": ["wrong"]}})
    check_password_policy(new, username=user.username, full_name=user.full_name)
    user.password_hash = hash_password(new)
    user.end_sessions()
    record_auth_event("password_changed", actor=user, target=user)


def set_enabled(actor: User, user: User, enabled: bool) -> None:
    """Enable or disable an account in scope; disabling ends its sessions (its API tokens stop too)."""
    if enabled == user.is_enabled:
        return
    ensure_can_manage_user(actor, user)
    if user.id == actor.id and not enabled:
        raise ValidationError("Không thể tự khóa tài khoản của mình.", "You cannot disable your own account.")
    user.is_enabled = enabled
    if not enabled:
        user.end_sessions()
        withdraw_credentials()  # its API tokens stop at once in every worker
    record_auth_event("user_enabled" if enabled else "user_disabled", actor=actor, target=user)


def end_sessions(user: User, client: Client | None = None) -> None:
    """Sign `user` out everywhere (the logout button: a copied session cookie stops working too)."""
    user.end_sessions()
    record_auth_event("logout", actor=user, target=user, client=client)


# --- sign-in --------------------------------------------------------------------------------

_GENERIC = ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")


def authenticate(username: str, password: str, client: Client | None = None) -> User:
    """Return the user for valid credentials; one message for every failure (no user enumeration).

    Refused at once while the username or client is locked (app.auth.throttle). A failure raises
    InvalidCredentialsError; the caller records it with `record_login_failure` in its own unit of work
    (this one rolls back).
    """
    remote = client.remote_addr if client else None
    throttle.ensure_not_locked(username, remote)
    user = find_user_by_username(username)
    stored = user.password_hash if user else _DUMMY_HASH  # same work either way: no timing oracle
    if not verify_password(stored, password) or user is None or not user.is_enabled:
        raise InvalidCredentialsError(*_GENERIC)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    throttle.clear(username)
    record_auth_event("login_succeeded", actor=user, target=user, client=client)
    return user


def record_login_failure(username: str, client: Client | None = None, *, locked_out: bool = False) -> None:
    """Count a failed (or refused while locked) sign-in and log it."""
    remote = client.remote_addr if client else None
    user = find_user_by_username(username)
    if locked_out:
        record_auth_event("login_locked", target=user, username=username, client=client)
        return
    now_locked = throttle.record_failure(username, remote)
    record_auth_event("login_failed", target=user, username=username, client=client,
                      detail="locked" if now_locked else None)
