"""Auditor-side tables: daily anchors, the auditors' access log, archive records (the event log is app.history)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db


class AuditAnchor(db.Model):
    """Daily global anchor: the digest of every dossier chain's head, chained to the previous anchor."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    chain_count: Mapped[int] = mapped_column(default=0)
    heads: Mapped[list] = mapped_column(JSON, default=list)  # [[dossier_id, seq, hash], ...] sorted by id
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class AuditAccess(db.Model):
    """Who looked at what in the auditor screens (the auditors are audited too)."""

    __tablename__ = "audit_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    path: Mapped[str | None] = mapped_column(String(500))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User | None] = relationship(lazy="joined")


class ArchiveRecord(db.Model):
    """A dossier exported to the archive at the end of its retention period and stripped of personal data."""

    __tablename__ = "audit_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_name: Mapped[str | None] = mapped_column(String(255))
    bundle_path: Mapped[str] = mapped_column(String(1000))
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    redacted_events: Mapped[int] = mapped_column(default=0)
