"""The legal time limit of a procedure, computed in one place (receipt, restart after a supplement, step budgets)."""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from app.calendar import services as calendar


def cutoff_of(procedure: Any) -> time | None:
    """The procedure's daily cut-off ('15:00'): later receipts count from the next working day."""
    if not procedure.cutoff:
        return None
    hours, minutes = procedure.cutoff.split(":")
    return time(int(hours), int(minutes))


def clock_start(procedure: Any, agency_id: int | None, received: datetime) -> datetime:
    """The instant the limit starts running for a dossier received at `received` (domain.md §3.4)."""
    return calendar.get_calendar(agency_id).start_of_work(received, cutoff=cutoff_of(procedure))


def legal_due(procedure: Any, agency_id: int | None, start: datetime, days: float | Decimal | None = None, *,
              at_receipt: bool = True) -> datetime:
    """Due instant of `days` (default: the procedure's legal limit) from `start`, by the procedure's policy.

    The daily cut-off applies to receipts (and restarts), not to the budget of a step created inside the process.
    """
    limit = procedure.legal_days if days is None else days
    return calendar.get_calendar(agency_id).due(start, limit, policy=procedure.deadline_policy.value,
                                                cutoff=cutoff_of(procedure) if at_receipt else None)


def working_days_between(agency_id: int | None, start: datetime, end: datetime) -> float:
    """Working days (in the agency's hours per day) elapsed between two instants."""
    cal = calendar.get_calendar(agency_id)
    return cal.working_hours_between(start, end) / cal.hours_per_day
