"""Timer events driven by the engine clock instead of Spiff's `datetime.now()`.

Spiff's timer definitions read the wall clock directly (and treat naive datetimes as
machine-local time). We swap the parsed definitions for subclasses that read the clock of
the current engine call, so tests and audit replays are deterministic and timers fire
exactly when `fire_timers(now)` says (due <= now).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

_NOW: ContextVar[datetime | None] = ContextVar("motcua_engine_now", default=None)


def to_utc(value: datetime | str) -> datetime:
    """Normalise a datetime or ISO string to an aware UTC datetime (naive means UTC)."""
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def engine_now() -> datetime:
    """Return the clock of the running engine call (UTC)."""
    now = _NOW.get()
    return now if now is not None else datetime.now(UTC)


@contextmanager
def clock_at(now: datetime) -> Iterator[datetime]:
    """Make timers and scripts see `now` for the duration of one engine call."""
    token = _NOW.set(to_utc(now))
    try:
        yield _NOW.get()
    finally:
        _NOW.reset(token)


def _evaluate(my_task: Any, expression: str) -> Any:
    """Evaluate a timer expression with the workflow's (sandboxed) script engine."""
    return my_task.workflow.script_engine.evaluate(my_task, expression)


def _fire_if_due(my_task: Any, due: datetime) -> bool:
    """Mark the timer fired once the engine clock reaches its due time."""
    if due <= engine_now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


class ClockedTimeDate(TimeDateEventDefinition):
    """timeDate timer: fires at an absolute instant."""

    def has_fired(self, my_task: Any) -> bool:
        """Fix the due instant on first evaluation, then compare with the engine clock."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = to_utc(_evaluate(my_task, self.expression)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        return _fire_if_due(my_task, to_utc(event_value))


class ClockedDuration(DurationTimerEventDefinition):
    """timeDuration timer: fires a duration after the task started waiting."""

    def has_fired(self, my_task: Any) -> bool:
        """Fix the due instant from the engine clock, then compare with it."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = _due_after(_evaluate(my_task, self.expression), engine_now()).isoformat()
            my_task._set_internal_data(event_value=event_value)
        return _fire_if_due(my_task, to_utc(event_value))


class ClockedCycle(CycleTimerEventDefinition):
    """timeCycle timer (R[n]/start/duration or R[n]/duration)."""

    def cycle_complete(self, my_task: Any) -> bool:
        """Same state machine as Spiff's, reading the engine clock."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            cycles, start, duration = _parse_cycle(str(_evaluate(my_task, self.expression)), engine_now())
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event <= engine_now():
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


def _due_after(expression: Any, now: datetime) -> datetime:
    """Add an ISO 8601 duration (or a timedelta) to `now`."""
    if isinstance(expression, timedelta):
        return now + expression
    parsed = TimerEventDefinition.parse_iso_duration(str(expression))
    return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)


def _parse_cycle(expression: str, now: datetime) -> tuple[int, datetime, timedelta]:
    """Parse a recurring interval; a bare duration starts counting from the engine clock."""
    components = expression.upper().replace("--", "/").strip("R").split("/")
    if len(components) == 2 and components[1].startswith("P"):
        cycles = int(components[0]) if components[0] else -1
        first = _due_after(components[1], now)
        return cycles, first, first - now
    cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
    return cycles, to_utc(start), duration


CLOCKED = {
    TimeDateEventDefinition: ClockedTimeDate,
    DurationTimerEventDefinition: ClockedDuration,
    CycleTimerEventDefinition: ClockedCycle,
}


def _clock_definition(definition: Any) -> None:
    """Swap one (possibly nested) timer definition for its clocked twin."""
    if isinstance(definition, MultipleEventDefinition):
        for child in definition.event_definitions:
            _clock_definition(child)
    elif type(definition) in CLOCKED:
        definition.__class__ = CLOCKED[type(definition)]


def install_clocked_timers(specs: Any) -> None:
    """Make every timer in these process specs use the engine clock."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            _clock_definition(getattr(task_spec, "event_definition", None))


def is_timer(definition: Any) -> bool:
    """Tell whether an event definition is (or contains) a timer."""
    if isinstance(definition, MultipleEventDefinition):
        return any(is_timer(child) for child in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def due_at(task: Any) -> datetime | None:
    """Return when a waiting timer task is due, if it has been scheduled."""
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles") != 0 else None
    if value is None:
        return None
    try:
        return to_utc(value)
    except (TypeError, ValueError):
        return None
