"""Inbox rows as the page shows them: deadlines coloured by working time left (calendar urgency)."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

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
    hours_per_day: float = 8.0
    may_work: bool = True  # the official may take this step (the pipeline's `available_actions`)

    @property
    def time_left(self) -> str:
        """Working time left (or late) in working days and hours: "còn 2 ngày 3 giờ", "trễ 45 phút"."""
        return format_time_left(self.hours_left, self.hours_per_day)

    @property
    def css(self) -> str:
        return URGENCY_CLASS.get(self.urgency or "", "")


def format_time_left(hours: float | None, hours_per_day: float = 8.0) -> str:
    """Working hours as "còn 2 ngày 3 giờ" / "trễ 1 ngày" / "còn 45 phút" ("—" without a deadline)."""
    if hours is None:
        return "—"
    minutes = round(abs(hours) * 60)
    day_minutes = round(hours_per_day * 60) or 480
    days, rest = divmod(minutes, day_minutes)
    whole_hours, mins = divmod(rest, 60)
    parts = ([_("%(n)s ngày", n=days)] if days else []) + ([_("%(n)s giờ", n=whole_hours)] if whole_hours else [])
    if not parts:
        parts = [_("%(n)s phút", n=mins)]
    text = " ".join(parts)
    return _("còn %(t)s", t=text) if hours >= 0 else _("trễ %(t)s", t=text)


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
        per_day = calendars[task.agency_id].hours_per_day if task.agency_id in calendars else 8.0
        rows.append(InboxRow(task, dossier, hours, urgency, per_day))
    return rows


def encode_cursor(value: Any, task_id: int) -> str:
    """The `after` parameter for the row whose sort column holds `value`: d<UTC stamp>, s<base64 text> or n (none)."""
    if isinstance(value, datetime):
        text = "d" + value.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    elif isinstance(value, str):
        text = "s" + base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
    else:
        text = "n"
    return f"{text}_{task_id}"


def decode_cursor(text: str | None) -> tuple[Any, int] | None:
    """Parse the `after` parameter; a malformed cursor starts from the first page."""
    try:
        head, task_id = (text or "").rsplit("_", 1)
        kind, body = head[:1], head[1:]
        if kind == "d":
            return datetime.strptime(body, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC), int(task_id)
        if kind == "s" and len(body) <= 400:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode(), int(task_id)
        if kind == "n" and not body:
            return None, int(task_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    return None
