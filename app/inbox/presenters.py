"""Inbox rows as the page shows them: deadlines coloured by working time left (calendar urgency)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.dossiers.models import Dossier
from app.workflow.models import HumanTask

URGENCY_CLASS = {"ok": "deadline-ok", "soon": "deadline-soon", "late": "deadline-late"}


@dataclass
class InboxRow:
    task: HumanTask
    dossier: Dossier
    hours_left: float | None
    urgency: str | None

    @property
    def css(self) -> str:
        return URGENCY_CLASS.get(self.urgency or "", "")


def build_rows(pairs: list[tuple[HumanTask, Dossier]]) -> list[InboxRow]:
    """Attach time left in working hours; one cached calendar per agency."""
    now, calendars, rows = utcnow(), {}, []
    for task, dossier in pairs:
        hours = urgency = None
        if task.due_at:
            if task.agency_id not in calendars:
                calendars[task.agency_id] = get_calendar(task.agency_id)
            cal = calendars[task.agency_id]
            hours, urgency = cal.time_left_hours(now, task.due_at), cal.urgency(now, task.due_at)
        rows.append(InboxRow(task, dossier, hours, urgency))
    return rows


def encode_cursor(task: HumanTask) -> str:
    due = task.due_at or datetime(9999, 1, 1, tzinfo=UTC)
    return f"{due.astimezone(UTC).strftime('%Y%m%dT%H%M%S%f')}_{task.id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """Parse the `after` parameter; a malformed cursor starts from the first page."""
    try:
        stamp, task_id = (text or "").split("_")
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC), int(task_id)
    except ValueError:
        return None
