"""Deadlines for the rest of the app: the law's holidays (holidays.VN) plus the official schedules table.

Calendars are cached per process and per agency. A cached calendar is re-validated at most every
RECHECK_SECONDS with one cheap aggregate query, so changes made by other processes show up within
that delay; changes made by this process drop the cache as soon as they commit (and bypass it
inside their own transaction).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from time import monotonic
from typing import Any

import holidays
from flask import current_app, has_app_context
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import Agency
from app.calendar.models import CalendarOverride, OverrideKind, OverrideSource, WorkingHours
from app.calendar.rules import DEFAULT_PERIODS, LOCAL_TZ, POLICIES, WorkCalendar, format_periods, parse_periods
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.extensions import db

logger = logging.getLogger(__name__)

FIRST_YEAR = 2018  # Decree 61/2018: older dossiers are not handled by Motcua
YEARS_AHEAD = 2
MAX_DAYS = 3650
RECHECK_SECONDS = 10.0
# [unsure] in domain.md §3.2: the package lists it, but only the switchable override row decides.
SWITCHABLE_LAW_NAMES = ("Cultural Day",)
_DIRTY_KEY = "motcua_calendar_dirty"


@dataclass
class _Entry:
    calendar: WorkCalendar
    stamp: tuple[Any, ...]
    checked_at: float


_CACHE_KEY = "motcua.calendars"


def _cache() -> dict[int | None, _Entry]:
    """Calendars built by this app, by agency: kept on the app (one per database), never in a module global."""
    return current_app.extensions.setdefault(_CACHE_KEY, {})


class CalendarInputError(ValidationError):
    code = "calendar_invalid"


class AgencyNotFoundError(NotFoundError):
    code = "agency_not_found"


# -- building and caching --------------------------------------------------------------------


@lru_cache(maxsize=8)
def law_days(first_year: int, last_year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and make-up working days known to the `holidays` package (Labour Code art. 112)."""
    law = holidays.VN(years=range(first_year, last_year + 1), language="en_US")
    days_off = frozenset(d for d, name in law.items() if not any(s in name for s in SWITCHABLE_LAW_NAMES))
    return days_off, frozenset(law.weekend_workdays)


def _periods_for(agency_id: int | None) -> str:
    today = utcnow().astimezone(LOCAL_TZ).date()
    rows = db.session.scalars(select(WorkingHours).where(
        or_(WorkingHours.agency_id.is_(None), WorkingHours.agency_id == agency_id),
        WorkingHours.effective_from <= today)).all()
    rows.sort(key=lambda row: (row.agency_id is not None, row.effective_from, row.id))
    return rows[-1].periods if rows else format_periods(DEFAULT_PERIODS)


def _enabled_overrides(agency_id: int | None) -> list[CalendarOverride]:
    """Nationwide rows first, so an agency's own row for the same day wins."""
    query = select(CalendarOverride).where(
        CalendarOverride.is_enabled.is_(True),
        or_(CalendarOverride.agency_id.is_(None), CalendarOverride.agency_id == agency_id))
    rows = db.session.scalars(query).all()
    return sorted(rows, key=lambda row: (row.agency_id is not None, row.day))


def build_calendar(agency_id: int | None = None) -> WorkCalendar:
    """Assemble a calendar from the law and the enabled overrides (no cache)."""
    this_year = utcnow().astimezone(LOCAL_TZ).year
    law_off, law_work = law_days(FIRST_YEAR, this_year + YEARS_AHEAD)
    days_off, workdays = set(law_off), set(law_work)
    for row in _enabled_overrides(agency_id):
        add, remove = (days_off, workdays) if row.kind == OverrideKind.OFF else (workdays, days_off)
        add.add(row.day)
        remove.discard(row.day)
    return WorkCalendar(frozenset(days_off), frozenset(workdays), parse_periods(_periods_for(agency_id)))


def _stamp() -> tuple[Any, ...]:
    """One aggregate query that changes whenever a row is added, removed, toggled or edited."""
    o, w = CalendarOverride, WorkingHours
    with db.session.no_autoflush:  # a check, not a read of this transaction's rows: the step's pending writes wait
        row = db.session.execute(select(
            select(func.count(o.id)).scalar_subquery(), select(func.max(o.id)).scalar_subquery(),
            select(func.max(o.updated_at)).scalar_subquery(),
            select(func.count(o.id)).where(o.is_enabled.is_(True)).scalar_subquery(),
            select(func.count(w.id)).scalar_subquery(), select(func.max(w.updated_at)).scalar_subquery(),
        )).one()
    return (*row, utcnow().astimezone(LOCAL_TZ).year)


def get_calendar(agency_id: int | None = None) -> WorkCalendar:
    """Return the agency's calendar (cached; fetch it once per request and reuse it for many rows)."""
    if db.session.info.get(_DIRTY_KEY):
        return build_calendar(agency_id)
    entry, now = _cache().get(agency_id), monotonic()
    if entry is not None and now - entry.checked_at < RECHECK_SECONDS:
        return entry.calendar
    stamp = _stamp()
    if entry is not None and entry.stamp == stamp:
        entry.checked_at = now
        return entry.calendar
    calendar = build_calendar(agency_id)
    _cache()[agency_id] = _Entry(calendar, stamp, now)
    return calendar


def clear_cache() -> None:
    """Forget every cached calendar (after a change committed by this process)."""
    if has_app_context():
        _cache().clear()


def _mark_dirty() -> None:
    db.session.info[_DIRTY_KEY] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_DIRTY_KEY, None):
        clear_cache()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY_KEY, None)


# -- deadlines -------------------------------------------------------------------------------


def _check_instant(value: datetime, label: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise CalendarInputError(f"Thời điểm '{label}' phải có múi giờ.", f"'{label}' must be timezone-aware.")


def _check_days(days: float | Decimal) -> None:
    value = Decimal(str(days)) if not isinstance(days, Decimal) else days
    if not value.is_finite() or value < 0 or value > MAX_DAYS:
        raise CalendarInputError(f"Số ngày làm việc phải từ 0 đến {MAX_DAYS}: {days}.",
                                 f"Working days must be between 0 and {MAX_DAYS}: {days}.")


def due_date(start: datetime, days: float | Decimal, policy: str = "hours", cutoff: time | None = None,
             agency_id: int | None = None, *, deem_next_day: bool = False) -> datetime:
    """Compute the due instant (local time, aware) of a limit of `days` working days received at `start`."""
    _check_instant(start, "start")
    _check_days(days)
    if policy not in POLICIES:
        raise CalendarInputError(f"Cách tính hạn không hợp lệ: {policy} (hours|civil).",
                                 f"Unknown due-date policy: {policy} (hours|civil).")
    return get_calendar(agency_id).due(start, days, policy, cutoff,  # type: ignore[arg-type]
                                       deem_next_day=deem_next_day)


def working_hours_between(a: datetime, b: datetime, agency_id: int | None = None) -> float:
    """Hours of working time in [a, b) for the agency (0 when b <= a)."""
    _check_instant(a, "a")
    _check_instant(b, "b")
    return get_calendar(agency_id).working_hours_between(a, b)


def get_agency_id(code: str) -> int:
    """Resolve an agency code (CLI, imports) to its id."""
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == code))
    if agency_id is None:
        raise AgencyNotFoundError(f"Không có cơ quan mã {code}.", f"No agency with code {code}.")
    return agency_id


# -- the overrides table ---------------------------------------------------------------------


def find_override(day: date, agency_id: int | None = None) -> CalendarOverride | None:
    """The override of `day` for exactly this scope (None = nationwide), if any."""
    scope = CalendarOverride.agency_id.is_(None) if agency_id is None else CalendarOverride.agency_id == agency_id
    return db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day, scope))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise CalendarInputError("Tên ngày phải có từ 1 đến 255 ký tự.", "The name must have 1 to 255 characters.")
    return name


def _put_override(actor_name: str | None, day: date, kind: OverrideKind, name: str,
                  agency_id: int | None) -> CalendarOverride:
    """Create or replace the override of `day`: the administrator's latest word wins."""
    if not FIRST_YEAR <= day.year <= 2100:
        raise CalendarInputError(f"Năm ngoài phạm vi {FIRST_YEAR}–2100: {day}.",
                                 f"Year out of range {FIRST_YEAR}-2100: {day}.")
    name = _check_name(name)
    row = find_override(day, agency_id)
    if row is None:
        row = CalendarOverride(day=day, agency_id=agency_id, created_by=actor_name)
        db.session.add(row)
    row.kind, row.name, row.source, row.is_enabled = kind, name, OverrideSource.ADMIN, True
    row.updated_at = utcnow()
    _mark_dirty()
    db.session.flush()
    logger.info("Calendar override %s %s (agency %s) set by %s", day, kind, agency_id, actor_name)
    return row


def add_day_off(actor_name: str | None, day: date, name: str, agency_id: int | None = None) -> CalendarOverride:
    """Declare `day` a day off (extra Tết day, swapped day) for every deadline computed from now on."""
    return _put_override(actor_name, day, OverrideKind.OFF, name, agency_id)


def add_workday(actor_name: str | None, day: date, name: str, agency_id: int | None = None) -> CalendarOverride:
    """Declare `day` a working day (make-up Saturday), overriding the law's holidays."""
    return _put_override(actor_name, day, OverrideKind.WORK, name, agency_id)


def _get_override(day: date, agency_id: int | None) -> CalendarOverride:
    row = find_override(day, agency_id)
    if row is None:
        raise NotFoundError(f"Không có ngày đặc biệt {day}.", f"No calendar override for {day}.",
                            code="calendar_override_not_found")
    return row


def set_override_enabled(actor_name: str | None, day: date, is_enabled: bool,
                         agency_id: int | None = None) -> CalendarOverride:
    """Switch an entry on or off (e.g. Culture Day 24/11, whose status is unsure)."""
    row = _get_override(day, agency_id)
    row.is_enabled = is_enabled
    row.updated_at = utcnow()
    _mark_dirty()
    db.session.flush()
    logger.info("Calendar override %s (agency %s) enabled=%s by %s", day, agency_id, is_enabled, actor_name)
    return row


def remove_override(actor_name: str | None, day: date, agency_id: int | None = None) -> None:
    """Delete an override so the law alone decides that day again."""
    row = _get_override(day, agency_id)
    db.session.delete(row)
    _mark_dirty()
    db.session.flush()
    logger.info("Calendar override %s (agency %s) removed by %s", day, agency_id, actor_name)


def list_overrides(year: int | None = None, agency_id: int | None = None) -> list[CalendarOverride]:
    """Overrides of a year (all years when None), nationwide and the agency's own, by day."""
    query = select(CalendarOverride).where(
        or_(CalendarOverride.agency_id.is_(None), CalendarOverride.agency_id == agency_id))
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.scalars(query.order_by(CalendarOverride.day, CalendarOverride.agency_id)))


def set_working_hours(actor_name: str | None, periods: str, agency_id: int | None = None,
                      effective_from: date | None = None) -> WorkingHours:
    """Set the working periods of an agency (None: the nationwide default), e.g. "07:00-11:00,13:30-17:30"."""
    try:
        normalised = format_periods(parse_periods(periods))
    except ValueError as error:
        raise CalendarInputError(f"Giờ làm việc không hợp lệ: {periods} (HH:MM-HH:MM,...).",
                                 f"Invalid working periods: {periods} (HH:MM-HH:MM,...).") from error
    scope = WorkingHours.agency_id.is_(None) if agency_id is None else WorkingHours.agency_id == agency_id
    row = db.session.scalar(select(WorkingHours).where(scope).order_by(WorkingHours.id))
    if row is None:
        row = WorkingHours(agency_id=agency_id)
        db.session.add(row)
    row.periods, row.updated_at = normalised, utcnow()
    row.effective_from = effective_from or utcnow().astimezone(LOCAL_TZ).date()
    _mark_dirty()
    db.session.flush()
    logger.info("Working hours of agency %s set to %s by %s", agency_id, normalised, actor_name)
    return row
