"""Agencies (administrative tree), users and their (role, agency) assignments."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.core.permissions import SUBTREE_ROLES, assignment_covers
from app.extensions import db

SCOPED_TO_SUBTREE = SUBTREE_ROLES  # kept for callers of the old name


class AgencyLevel(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # kept for dossiers from before the 1 Jul 2025 two-level reform
    COMMUNE = "commune"
    DEPARTMENT = "department"
    CENTER = "center"
    VERTICAL = "vertical"  # police, tax, social insurance seconded to the centers


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    edoc_code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[AgencyLevel] = mapped_column(Enum(AgencyLevel, native_enum=False, length=16,
                                                    values_callable=lambda e: [m.value for m in e]))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="/")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent", order_by="Agency.name")

    def covers(self, other: Agency) -> bool:
        """True when `other` is this agency or one of its descendants."""
        return other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Stored in the signed session cookie at sign-in; bumping it ends every session of the user
    # (logout, password change, disabling, role revocation).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                       lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def has_role(self, role: str, agency: Agency | None = None) -> bool:
        """True if the user holds `role` for `agency` (no agency given: anywhere).

        Official roles act in their own agency only; admin, designer, auditor and supervisor cover the subtree
        (app.core.permissions.assignment_covers).
        """
        return any(a.role == role and (agency is None or assignment_covers(a, agency)) for a in self.roles)

    def end_sessions(self) -> None:
        """Invalidate every signed-in session of this user (the cookie's version no longer matches)."""
        self.session_version = (self.session_version or 0) + 1

    def agencies_for(self, *roles: str) -> list[Agency]:
        """Agencies where the user holds any of `roles` (all roles when none given)."""
        return [a.agency for a in self.roles if a.agency is not None and (not roles or a.role in roles)]

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "agency_id", name="uq_role_assignments_user_role_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)

    user: Mapped[User] = relationship(back_populates="roles")
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class AuthEvent(db.Model):
    """Sign-ins and administrative changes to accounts (who did what to whom, from where)."""

    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    username: Mapped[str | None] = mapped_column(String(64))  # as typed at sign-in, or the target's name
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class LoginThrottle(db.Model):
    """Failed sign-ins per key ("user:<name>" or "client:<addr>"), shared by every worker."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
