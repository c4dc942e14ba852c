"""Use cases for users, roles and agencies. Each runs inside the caller's unit of work."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import Agency, AgencyLevel, RoleAssignment, User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.core.permissions import ALL_ROLES, GLOBAL_ROLES
from app.extensions import db

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
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
    """Add an agency under `parent_code` (a root when none)."""
    if find_agency_by_code(code):
        raise ConflictError(f"Mã đơn vị {code} đã tồn tại.", f"Agency code {code} already exists.")
    parent = get_agency_by_code(parent_code) if parent_code else None
    agency = Agency(code=code, name=name, name_en=name_en, level=AgencyLevel(level), edoc_code=edoc_code,
                    parent=parent)
    db.session.add(agency)
    db.session.flush()
    agency.path = f"{parent.path if parent else '/'}{agency.id}/"
    logger.info("Agency %s created by %s", code, actor.username if actor else "system")
    return agency


def update_agency(actor: User, agency: Agency, *, name: str, name_en: str | None, edoc_code: str | None,
                  is_active: bool) -> Agency:
    """Rename or (de)activate an agency; its place in the tree is fixed."""
    agency.name, agency.name_en, agency.edoc_code, agency.is_active = name, name_en, edoc_code, is_active
    logger.info("Agency %s updated by %s", agency.code, actor.username)
    return agency


# --- users ----------------------------------------------------------------------------------

def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("Không tìm thấy người dùng.", "User not found.")
    return user


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                              f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(actor: User | None, *, username: str, full_name: str, password: str,
                email: str | None = None, grants: list[RoleGrant] | None = None) -> User:
    """Create an account with an argon2 password hash and optional role grants."""
    username = username.strip().lower()
    if not username:
        raise ValidationError("Tên đăng nhập không được để trống.", "Username is required.")
    if find_user_by_username(username):
        raise ConflictError(f"Tên đăng nhập {username} đã tồn tại.", f"Username {username} already exists.")
    _check_password(password)
    user = User(username=username, full_name=full_name, email=email, password_hash=hash_password(password))
    db.session.add(user)
    for grant in grants or []:
        grant_role(actor, user, grant)
    db.session.flush()
    logger.info("User %s created by %s", username, actor.username if actor else "system")
    return user


def grant_role(actor: User | None, user: User, grant: RoleGrant) -> RoleAssignment:
    """Give `user` a role, scoped to an agency unless the role is global."""
    if grant.role not in ALL_ROLES:
        raise ValidationError(f"Vai trò không hợp lệ: {grant.role}.", f"Unknown role: {grant.role}.")
    agency = get_agency_by_code(grant.agency_code) if grant.agency_code else None
    if agency is None and grant.role not in GLOBAL_ROLES:
        raise ValidationError("Vai trò cán bộ phải gắn với một đơn vị.", "Official roles need an agency.")
    for existing in user.roles:
        if existing.role == grant.role and existing.agency is agency:
            return existing
    assignment = RoleAssignment(role=grant.role, agency=agency)
    user.roles.append(assignment)
    return assignment


def revoke_role(actor: User, user: User, assignment_id: int) -> None:
    """Remove one (role, agency) pair from `user`."""
    for assignment in list(user.roles):
        if assignment.id == assignment_id:
            user.roles.remove(assignment)
            logger.info("Role %s revoked from %s by %s", assignment.role, user.username, actor.username)
            return
    raise NotFoundError("Không tìm thấy vai trò.", "Role assignment not found.")


def set_password(actor: User | None, user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = hash_password(password)


def set_enabled(actor: User, user: User, enabled: bool) -> None:
    if user.id == actor.id and not enabled:
        raise ValidationError("Không thể tự khóa tài khoản của mình.", "You cannot disable your own account.")
    user.is_enabled = enabled


def authenticate(username: str, password: str) -> User:
    """Return the user for valid credentials; one message for every failure (no user enumeration)."""
    user = find_user_by_username(username)
    stored = user.password_hash if user else _DUMMY_HASH  # same work either way: no timing oracle
    if not verify_password(stored, password) or user is None or not user.is_enabled:
        raise InvalidCredentialsError("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user
