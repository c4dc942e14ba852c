"""Step-by-step replay of a dossier for the auditor screen: at each event, where the tokens were, which tasks
were open, the data as it was, what changed, who acted and how long the step took against its deadline.

Token positions come from re-running the engine over the recorded inputs (never from the live state), so
the screen shows what the recorded history implies, and flags any event whose recorded fingerprint differs.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.reexecute import engine_input
from app.auth.models import Agency
from app.calendar import services as calendar
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.services import list_events
from app.workflow import services as workflow
from app.workflow.models import HumanTask, ProcessVersion
from app.workflow.services import ReplayPoint

MISSING = object()


@dataclass
class StepTiming:
    started_at: datetime | None
    hours: float | None
    budget_hours: float | None
    due_at: datetime | None
    timing: str | None


@dataclass
class Frame:
    index: int
    event: Any
    agency_name: str | None
    point: ReplayPoint | None
    matches: bool | None  # replayed fingerprint equals the recorded one (None: no engine step here)
    snapshot: dict[str, Any]
    diff: list[tuple[str, Any, Any, str]] = field(default_factory=list)
    step: StepTiming | None = None

    @property
    def changes(self) -> dict[str, tuple[Any, str]]:
        """Changed keys against the previous event: key -> (previous value, added/changed/removed)."""
        return {key: (old, change) for key, old, _new, change in self.diff}


@dataclass
class ReplayView:
    dossier: Dossier
    version: ProcessVersion
    frames: list[Frame]


def build_replay(dossier: Dossier) -> ReplayView:
    """Every frame of the dossier's history, in event order."""
    events = list_events(dossier.id)
    version = _version_of(dossier, events)
    steps = [(event, engine_input(event)) for event in events]
    points = iter(workflow.replay_inputs(version.content_hash, [s for _, s in steps if s is not None]))
    frames, current, snapshot, ready_since = [], None, {}, {}
    completions = _completed_tasks(dossier)
    agencies = {a.id: a.name for a in db.session.scalars(select(Agency))}
    for index, (event, step) in enumerate(steps, start=1):
        matches = None
        if step is not None:
            current = next(points, ReplayPoint(None, error="not replayed"))
            matches = current.fingerprint == event.state_fingerprint
        before, snapshot = snapshot, _apply(snapshot, event)
        frame = Frame(index, event, agencies.get(event.agency_id), current, matches, snapshot, _diff(before, snapshot))
        frame.step = _timing(event, ready_since, completions)
        _note_ready(current, event.at, ready_since)
        frames.append(frame)
    return ReplayView(dossier, version, frames)


def _version_of(dossier: Dossier, events: list[Any]) -> ProcessVersion:
    recorded = next((e.model_hash for e in events if e.model_hash), None)
    return (workflow.find_version_by_hash(recorded) if recorded else None) or db.session.get(
        ProcessVersion, dossier.process_version_id)


def _apply(snapshot: dict[str, Any], event: Any) -> dict[str, Any]:
    """The dossier's process data after the event: start data, then each submission merged in."""
    data = event.data or {}
    if event.kind in ("received", "task_completed") and isinstance(data.get("input"), dict):
        return {**snapshot, **data["input"]}
    if event.kind == "supplement_received":
        return {**snapshot, "supplement_documents": data.get("documents")}
    return snapshot


def _diff(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any, str]]:
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, MISSING), after.get(key, MISSING)
        if old == new:
            continue
        change = "added" if old is MISSING else "removed" if new is MISSING else "changed"
        rows.append((key, None if old is MISSING else old, None if new is MISSING else new, change))
    return rows


def _note_ready(point: ReplayPoint | None, at: datetime, ready_since: dict[str, datetime]) -> None:
    ready = {bpmn_id for bpmn_id, _ in (point.ready if point else ())}
    for bpmn_id in list(ready_since):
        if bpmn_id not in ready:
            del ready_since[bpmn_id]
    for bpmn_id in ready:
        ready_since.setdefault(bpmn_id, at)


def _completed_tasks(dossier: Dossier) -> dict[str, list[HumanTask]]:
    by_element: dict[str, list[HumanTask]] = defaultdict(list)
    query = (select(HumanTask).where(HumanTask.dossier_id == dossier.id, HumanTask.status == "completed")
             .order_by(HumanTask.completed_at, HumanTask.id))
    for task in db.session.scalars(query):
        by_element[task.bpmn_id].append(task)
    return by_element


def _timing(event: Any, ready_since: dict[str, datetime], completions: dict[str, list[HumanTask]]) -> StepTiming | None:
    """Working hours the step took against its budget (task completions only)."""
    if event.kind != "task_completed":
        return None
    bpmn_id = (event.data or {}).get("task")
    started = ready_since.get(bpmn_id)
    queue = completions.get(bpmn_id) or []
    task = queue.pop(0) if queue else None
    cal = calendar.get_calendar(task.agency_id if task else None)
    hours = round(cal.working_hours_between(started, event.at), 1) if started else None
    budget = float(task.duration_days) * cal.hours_per_day if task and task.duration_days else None
    return StepTiming(started, hours, budget, task.due_at if task else None,
                      (event.data or {}).get("timing") or (task.timing if task else None))
