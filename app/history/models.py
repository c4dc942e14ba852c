"""The event log: one row per state change of a dossier, chained by hashes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class DossierEvent(db.Model):
    __tablename__ = "dossier_events"
    # Partitioned by year on PostgreSQL (app.audit.partitions): the keys name the partition key too. The year is
    # the dossier's, so (dossier_id, seq) stays unique across partitions.
    __table_args__ = (UniqueConstraint("dossier_id", "seq", "dossier_year", name="uq_dossier_events_dossier_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    dossier_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # local year of dossier.received_at
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    from_step: Mapped[str | None] = mapped_column(String(255))
    to_step: Mapped[str | None] = mapped_column(String(255))
    comment: Mapped[str | None] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    model_hash: Mapped[str | None] = mapped_column(String(64))
    state_fingerprint: Mapped[str | None] = mapped_column(String(64))
    dossier_digest: Mapped[str | None] = mapped_column(String(64))  # the row's legal fields after this event
    state_hash: Mapped[str | None] = mapped_column(String(64))  # the stored engine state after this event
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __mapper_args__ = {"primary_key": [id]}  # ids are unique on their own: session.get by id keeps working

    def chain_fields(self) -> dict:
        """The fields covered by the hash chain, as stored."""
        from app.history.chain import HASHED_FIELDS, OPTIONAL_HASHED_FIELDS

        return {name: getattr(self, name) for name in HASHED_FIELDS + OPTIONAL_HASHED_FIELDS}
