"""Procedures (thủ tục hành chính), their required documents and fees."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency
from app.core.db import utcnow
from app.extensions import db


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class OnlineLevel(enum.StrEnum):
    FULL = "full"  # toàn trình
    PARTIAL = "partial"  # một phần
    NONE = "none"


class DeadlinePolicy(enum.StrEnum):
    HOURS = "hours"
    CIVIL = "civil"


class Competence(enum.StrEnum):
    """How the handling (competent) agency of a dossier is found (domain.md §1.3: by competence, not by counter)."""

    FIXED = "fixed"  # always the procedure's handling agency (a department, a vertical agency)
    RESIDENCE = "residence"  # the commune of the applicant's residence (Law on Civil Status art. 13)
    SITE = "site"  # the commune where the site is (construction permit for a house)
    LEVEL = "level"  # a receiving agency of the procedure's level handles it, else the handling agency


class Procedure(db.Model):
    """One dated version of a procedure: the code is shared by its versions, a dossier keeps the one it got."""

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_procedures_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    field_vi: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    handling_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    legal_days: Mapped[Decimal] = mapped_column(Numeric(6, 2))  # 0 = the same working day
    refusal_days: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # two-outcome limits (grant vs refuse)
    supplement_days: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # sector law's supplement window
    verification_days: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # extension when verification is needed
    competence: Mapped[Competence] = mapped_column(_enum(Competence), default=Competence.LEVEL)
    legal_basis: Mapped[str | None] = mapped_column(String(255))
    committed_days: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    deadline_policy: Mapped[DeadlinePolicy] = mapped_column(_enum(DeadlinePolicy), default=DeadlinePolicy.HOURS)
    cutoff: Mapped[str | None] = mapped_column(String(5))
    online_level: Mapped[OnlineLevel] = mapped_column(_enum(OnlineLevel), default=OnlineLevel.PARTIAL)
    return_methods: Mapped[list] = mapped_column(JSON, default=list)
    five_on_site: Mapped[bool] = mapped_column(default=False)
    # Handling waits for the fee: from the receipt (counter) or acceptance (online) until the fee is paid, the
    # time limit is paused (the dossier is still handled; only its clock stands still). Per procedure version,
    # because the sector law says so or not: e.g. the household business registration fee is paid with the
    # dossier ("nộp lệ phí tại thời điểm nộp hồ sơ", Circular 85/2019/TT-BTC art. 5) [unsure: whether that
    # suspends the limit or makes the dossier incomplete].
    fee_before_handling: Mapped[bool] = mapped_column(default=False)
    process_key: Mapped[str] = mapped_column(String(128))
    agency_map: Mapped[dict] = mapped_column(JSON, default=dict)
    retention_years: Mapped[int] = mapped_column(default=10)
    effective_from: Mapped[date | None]
    effective_to: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    handling_agency: Mapped[Agency] = relationship(lazy="joined")
    documents: Mapped[list[RequiredDocument]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="RequiredDocument.position")
    fees: Mapped[list[Fee]] = relationship(back_populates="procedure", cascade="all, delete-orphan")

    @property
    def total_fee(self) -> int:
        return sum(fee.amount_vnd for fee in self.fees)

    def in_force_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to)

    def __repr__(self) -> str:
        return f"<Procedure {self.code} v{self.version}>"


class RequiredDocument(db.Model):
    __tablename__ = "required_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_vi: Mapped[str] = mapped_column(String(500))
    copies: Mapped[int] = mapped_column(default=1)
    is_original: Mapped[bool] = mapped_column(default=False)
    is_mandatory: Mapped[bool] = mapped_column(default=True)
    template_file: Mapped[str | None] = mapped_column(String(255))

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class Fee(db.Model):
    __tablename__ = "fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    amount_vnd: Mapped[int] = mapped_column(default=0)  # fixed amount, or the least the decision table gives
    # Computed fee: {"key": DMN file, "id": decision, "inputs": {variable: form key or "@fact"}, "output": name}
    decision: Mapped[dict | None] = mapped_column(JSON)

    procedure: Mapped[Procedure] = relationship(back_populates="fees")
