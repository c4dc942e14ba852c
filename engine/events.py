"""Engine events: what changed during one call, found by comparing before/after snapshots."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.tasks import ready_human_tasks
from engine.timers import due_at, is_timer

TASK_READY = "task_ready"
TASK_COMPLETED = "task_completed"
INSTANCE_COMPLETED = "instance_completed"
INSTANCE_CANCELLED = "instance_cancelled"
TIMER_SCHEDULED = "timer_scheduled"
TIMER_FIRED = "timer_fired"
MESSAGE_AWAITED = "message_awaited"
MESSAGE_RECEIVED = "message_received"
SIGNAL_RECEIVED = "signal_received"
MESSAGE_SENT = "message_sent"
SIGNAL_SENT = "signal_sent"
EVENT_THROWN = "event_thrown"
INCIDENT = "incident"


@dataclass(frozen=True)
class EngineEvent:
    """One thing that happened in an instance, ready to become an audit row."""

    kind: str
    bpmn_id: str | None = None
    name: str | None = None
    task_id: str | None = None
    due_at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PendingTimer:
    """A scheduled timer the app's due_timer table must track."""

    task_id: str
    bpmn_id: str
    due_at: datetime


@dataclass
class Snapshot:
    """The observable parts of an instance at one moment."""

    ready: dict[str, Any] = field(default_factory=dict)
    timers: dict[str, tuple[Any, datetime]] = field(default_factory=dict)
    messages: dict[str, tuple[Any, list[str]]] = field(default_factory=dict)
    completed: bool = False


def snapshot(workflow: Any) -> Snapshot:
    """Record ready human tasks, scheduled timers and awaited messages."""
    snap = Snapshot(completed=workflow.is_completed())
    for task in ready_human_tasks(workflow):
        snap.ready[str(task.id)] = task
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        when = due_at(task) if is_timer(definition) else None
        if when is not None:
            snap.timers[str(task.id)] = (task, when)
        names = _message_names(definition)
        if names:
            snap.messages[str(task.id)] = (task, names)
    return snap


def _message_names(definition: Any) -> list[str]:
    """Message names a catch event (or an event-based gateway's options) waits for."""
    if isinstance(definition, MultipleEventDefinition):
        return [name for child in definition.event_definitions for name in _message_names(child)]
    return [definition.name] if isinstance(definition, MessageEventDefinition) else []


def pending_timers(snap: Snapshot) -> list[PendingTimer]:
    """Scheduled timers, earliest first."""
    timers = [PendingTimer(tid, task.task_spec.bpmn_id, when) for tid, (task, when) in snap.timers.items()]
    return sorted(timers, key=lambda timer: (timer.due_at, timer.bpmn_id))


def awaited_messages(snap: Snapshot) -> list[str]:
    """Names of messages the instance is waiting for (sorted, unique)."""
    return sorted({name for _, names in snap.messages.values() for name in names})


def task_event(kind: str, task: Any, data: dict[str, Any] | None = None, when: datetime | None = None) -> EngineEvent:
    """Build an event about one task."""
    spec = task.task_spec
    return EngineEvent(kind, spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, str(task.id), when, data or {})


def diff_events(before: Snapshot, after: Snapshot, now: datetime) -> list[EngineEvent]:
    """Derive events from two snapshots, in a stable order."""
    events: list[EngineEvent] = []
    for task_id, (task, when) in before.timers.items():
        # Fired: it was due, it was not cancelled, and it stopped waiting or (cycles) moved on.
        moved_on = after.timers.get(task_id, (None, None))[1] != when
        if when <= now and moved_on and not task.state & TaskState.CANCELLED:
            events.append(task_event(TIMER_FIRED, task, when=when))
    for task_id, (task, when) in after.timers.items():
        if before.timers.get(task_id, (None, None))[1] != when:
            events.append(task_event(TIMER_SCHEDULED, task, when=when))
    for task_id, (task, names) in after.messages.items():
        if task_id not in before.messages:
            events.append(task_event(MESSAGE_AWAITED, task, {"messages": names}))
    events.extend(task_event(TASK_READY, t) for tid, t in after.ready.items() if tid not in before.ready)
    if after.completed and not before.completed:
        events.append(EngineEvent(INSTANCE_COMPLETED))
    return events


def thrown_events(workflow: Any) -> list[EngineEvent]:
    """Events the model threw that nothing inside the instance caught (for the outbox)."""
    events = []
    for event in workflow.get_events():
        definition = event.event_definition
        kind = MESSAGE_SENT if isinstance(definition, MessageEventDefinition) else (
            SIGNAL_SENT if isinstance(definition, SignalEventDefinition) else EVENT_THROWN)
        payload = {"payload": copy.deepcopy(event.payload), "correlations": copy.deepcopy(event.correlations)}
        events.append(EngineEvent(kind, None, definition.name, None, None, payload))
    return events
