"""The official schedules table (overrides of the law's holidays) and per-agency working hours."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class OverrideKind(enum.StrEnum):
    OFF = "off"  # a weekday off (extra Tết day, swapped day)
    WORK = "work"  # a working day that would otherwise be off (make-up Saturday)


class OverrideSource(enum.StrEnum):
    OFFICIAL = "official"  # announced by the government for the year
    LAW = "law"  # derived from the Labour Code
    ADMIN = "admin"  # entered by an administrator


def _str_enum(enum_class: type[enum.StrEnum], length: int) -> Enum:
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


# NULL agency_id = nationwide; UNIQUE(day, agency_id) does not stop two NULL rows, hence the partial index.
_NATIONWIDE = text("agency_id IS NULL")


class CalendarOverride(db.Model):
    __tablename__ = "calendar_overrides"
    __table_args__ = (
        UniqueConstraint("day", "agency_id", name="uq_calendar_overrides_day_agency"),
        Index("uq_calendar_overrides_day_nationwide", "day", unique=True,
              sqlite_where=_NATIONWIDE, postgresql_where=_NATIONWIDE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    kind: Mapped[OverrideKind] = mapped_column(_str_enum(OverrideKind, 8))
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[OverrideSource] = mapped_column(_str_enum(OverrideSource, 16), default=OverrideSource.ADMIN)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
    # Bumped on every change so other processes notice toggles (see services._stamp).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} {self.kind} agency={self.agency_id} enabled={self.is_enabled}>"


class WorkingHours(db.Model):
    """Working periods of an agency (NULL = the nationwide default; services keep that row single)."""

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), unique=True)
    periods: Mapped[str] = mapped_column(String(255))  # "07:30-11:30,13:00-17:00", see rules.parse_periods
    effective_from: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<WorkingHours agency={self.agency_id} {self.periods} from {self.effective_from}>"
