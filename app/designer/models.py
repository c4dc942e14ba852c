"""Bulk migration batches: which running dossiers move to which model version, and what happened to each."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.workflow.models import ProcessVersion

ITEM_STATUSES = ("pending", "migrated", "skipped", "blocked", "failed")


class MigrationBatch(db.Model):
    """A designer's request to move a selection of running dossiers to `to_version`; processed in chunks."""

    __tablename__ = "migration_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running / done
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    to_version: Mapped[ProcessVersion] = relationship()


class MigrationItem(db.Model):
    """One dossier of a batch; `status` leaves `pending` exactly once, so re-running a batch is idempotent."""

    __tablename__ = "migration_items"
    __table_args__ = (
        UniqueConstraint("batch_id", "dossier_id", name="uq_migration_items_batch_dossier"),
        db.Index("ix_migration_items_batch_status", "batch_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("migration_batches.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
