"""Working-time functions offered to BPMN scripts and conditions (the engine gets them injected, never imports us).

Scripts exchange ISO 8601 text, not datetime objects, so task data stays plain JSON; a value without a zone is
read as Vietnam local time.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.calendar.services import due_date, working_hours_between
from app.core.timefmt import LOCAL_TZ


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(str(text))
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def working_days_after(start: str, days: float) -> str:
    """The instant `days` working days after `start` (domain.md §3 'hours' policy), as ISO text."""
    return due_date(_instant(start), Decimal(str(days))).isoformat(timespec="minutes")


def working_hours_from(start: str, end: str) -> float:
    """Working hours between two instants given as ISO text."""
    return working_hours_between(_instant(start), _instant(end))


SCRIPT_HELPERS = {"working_days_after": working_days_after, "working_hours_from": working_hours_from}
