"""Online payments of a dossier's fees through the payment gateway (one row per payment attempt)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # the citizen was sent to the gateway
    PAID = "paid"
    FAILED = "failed"  # declined by the bank or the gateway
    CANCELLED = "cancelled"  # the citizen gave up at the gateway
    EXPIRED = "expired"  # no answer before the request's expiry (or superseded by a new attempt)


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # our order reference at the gateway
    amount_vnd: Mapped[int]
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]))
    gateway_txn: Mapped[str | None] = mapped_column(String(64), unique=True)  # the gateway's transaction id
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(16))  # notify / return / query: what confirmed it first
    notices: Mapped[int] = mapped_column(default=0)  # gateway messages received about it (replays included)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The fee lines the amount came from when the payment was opened: name, amount and, for a computed fee, the
    # DMN fee table and its version number (a later table version does not change what this payment paid for).
    fee_basis: Mapped[list | None] = mapped_column(JSON)
    # The legal e-receipt (biên lai điện tử) of the collecting agency: its series for the year and running number.
    e_receipt_series: Mapped[str | None] = mapped_column(String(16))
    e_receipt_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]

    @property
    def is_paid(self) -> bool:
        return self.status is PaymentStatus.PAID

    @property
    def e_receipt_no(self) -> str | None:
        """The printed number: 7 digits, restarting each year within the series [unsure: Decree 123/2020]."""
        return f"{self.e_receipt_number:07d}" if self.e_receipt_number is not None else None

    def __repr__(self) -> str:
        return f"<Payment {self.reference} {self.status}>"


class EReceiptCounter(db.Model):
    """Yearly running number of the e-receipts (biên lai điện tử) an agency issues for the fees it collects; the
    same race-free UPDATE ... RETURNING as the dossier code and result number counters."""

    __tablename__ = "e_receipt_counters"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_e_receipt_counters_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)
