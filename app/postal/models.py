"""Results sent home by the public postal service: one shipment per dossier, with the statuses the post reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class Shipment(db.Model):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # our idempotency key at the post
    tracking_number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(24))  # accepted / in_transit / out_for_delivery / delivered / failed
    recipient_name: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(500))
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{status, at, note}] as reported
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Shipment {self.tracking_number} {self.status}>"
