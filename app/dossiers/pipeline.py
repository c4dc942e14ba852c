"""The one engine-step pipeline every lifecycle action runs through.

check the declared action → call the engine through a typed bridge function → apply the domain change →
append the declared clock entry → project tasks and timers → write one history event (with the engine input
re-execution needs) → one flush. The caller's unit of work commits it all or nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.calendar import services as calendar
from app.core.crashpoints import crash_point
from app.core.db import flush, utcnow
from app.dossiers.actions import ACTIONS, Action, Allowed, Clock, EngineOp, ensure_allowed
from app.dossiers.models import ClockEntry, Dossier
from app.dossiers.routing import hand_back, placement_for
from app.extensions import db
from app.history.chain import state_hash
from app.history.services import HistoryEvent, append_event
from app.workflow import services as workflow
from app.workflow.models import DueTimer, HumanTask, ProcessInstance, ProcessVersion
from app.workflow.services import EngineInput


@dataclass
class Step:
    """What a service asks of the pipeline: which action, on what, with which engine input and domain change.

    `apply(result)` changes the dossier through its model methods after the engine ran and before the tasks are
    projected; `riders` are decision actions carried by this one (a supplement request or refusal decided in a
    task form), each checked and recorded as its own event. `tasks` are the dossier's open tasks and `instance`
    its engine instance when the caller loaded them already (a task context); `allowed` is the caller's proof
    that the action was checked.
    """

    action: str
    dossier: Dossier
    actor: User | None
    at: datetime = field(default_factory=utcnow)
    task: HumanTask | None = None
    engine_input: dict[str, Any] | None = None
    message: str | None = None
    version: ProcessVersion | None = None
    apply: Callable[[Any], None] | None = None
    event: HistoryEvent = field(default_factory=lambda: HistoryEvent(""))
    riders: list[tuple[str, HistoryEvent]] = field(default_factory=list)
    clock_reason: str | None = None
    tasks: list[HumanTask] | None = None
    instance: ProcessInstance | None = None
    timers: list[DueTimer] | None = None  # the dossier's due_timers rows, when the caller loaded them (a batch)
    allowed: Allowed | None = None
    flush: bool = True  # False: another step follows in this unit of work and flushes both at once


@dataclass
class Outcome:
    dossier: Dossier
    open_tasks: list[HumanTask]
    instance: ProcessInstance | None = None
    result: Any = None


def perform(step: Step) -> Outcome:
    """Run one declared action on a dossier (see the module docstring for the order)."""
    action = ACTIONS[step.action]
    tasks = step.tasks if step.tasks is not None else _open_tasks(step)
    checked = [step.task] if step.task else (tasks or [])
    proven = step.allowed is not None and step.allowed.covers(action.name, step.dossier, step.actor)
    if action.name != "receive" and not proven:  # receipt is checked against the agency before the dossier exists
        ensure_allowed(step.actor, action.name, step.dossier, checked)
    for rider, _event in step.riders:
        ensure_allowed(step.actor, rider, step.dossier, checked)
    instance, result, call = _run_engine(action, step)
    back_to = _handed_back(step, result)
    if step.apply:
        step.apply(result)
    _clock(action, step, step.event, tasks, reason=step.clock_reason)  # a rider's pause follows a restart
    for rider, event in step.riders:
        _clock(ACTIONS[rider], step, event, tasks, reason=event.comment)
        _record(ACTIONS[rider], step, event)
    if result is not None:
        changes = project(step.dossier, instance, result, actor=step.actor, completed=step.task, now=step.at,
                          existing=tasks, back_to=back_to, existing_timers=step.timers)
        step.event.changes, tasks = changes, changes.open
    _record(action, step, step.event, instance, result, call)
    crash_point("after_engine_step")  # tests only (MOTCUA_TEST_CRASH_FILE): a kill here must lose nothing
    if step.flush:
        flush()
    return Outcome(step.dossier, tasks or [], instance, result)


def _handed_back(step: Step, result: Any) -> dict[str, User]:
    """The officials the steps opened again go back to, for an action declared `hands_back` (recorded in its
    event: whom the dossier went back to)."""
    riders = [(name, event) for name, event in step.riders if ACTIONS[name].hands_back]
    if result is None or not riders:
        return {}
    back_to = hand_back(step.dossier, result.ready_tasks)
    for _name, event in riders:
        event.data["to_users"] = {bpmn_id: user.id for bpmn_id, user in back_to.items()}
        event.to_step = ", ".join(view.name for view in result.ready_tasks) or None
    return back_to


def _open_tasks(step: Step) -> list[HumanTask] | None:
    """The open tasks the check needs; a task action without a context is checked on its task alone, and the
    projection loads the rest (None: not loaded)."""
    if step.task is not None:
        return None
    if step.dossier.id is None:
        return []
    return workflow.open_tasks(step.dossier.id)


# --- engine ---------------------------------------------------------------------------------

def _run_engine(action: Action, step: Step) -> tuple[ProcessInstance | None, Any, EngineInput | None]:
    """Call the bridge function the action declares; return (instance, step result, recorded input)."""
    op, at, data = action.engine, step.at, step.engine_input
    if op is None:
        return None, None, None
    if op is EngineOp.START:
        instance, result = workflow.start_instance(step.dossier.id, step.version, data or {}, at)
        return instance, result, EngineInput(op, at, data=data)
    instance = step.instance or workflow.get_instance(step.dossier.id)
    if op is EngineOp.COMPLETE_TASK:
        result = workflow.complete_task(instance, step.task.engine_task_id, data or {}, at)
        return instance, result, EngineInput(op, at, bpmn_id=step.task.bpmn_id, data=data)
    if op is EngineOp.SEND_MESSAGE:
        result = workflow.send_message(instance, step.message or "", data or {}, at)
        return instance, result, EngineInput(op, at, name=step.message, data=data)
    if op is EngineOp.FIRE_TIMERS:
        return instance, workflow.fire_timers(instance, at), EngineInput(op, at)
    if op is EngineOp.CANCEL:
        return instance, workflow.cancel(instance, at), EngineInput(op, at)
    outcome = workflow.migrate_instance(instance, step.version, dry_run=False, now=at)
    if not outcome.can_migrate:
        raise MigrationBlockedError(outcome.reasons)
    step.event.data.setdefault("mapped", outcome.mapped)
    return instance, outcome.result, EngineInput(op, at, target_hash=step.version.content_hash)


class MigrationBlockedError(Exception):
    """The engine refused to move this instance (the designer's batch reports the reasons)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# --- projection -----------------------------------------------------------------------------

def project(dossier: Dossier, instance: ProcessInstance, result: Any, *, actor: User | None,
            completed: HumanTask | None, now: datetime, existing: list[HumanTask] | None = None,
            back_to: dict[str, User] | None = None,
            existing_timers: list[DueTimer] | None = None) -> workflow.TaskChanges:
    """Project the engine's ready tasks and timers; derive the dossier's step, agency and status from them.

    `existing` are the dossier's open tasks and `existing_timers` its due_timers rows when already loaded (None:
    the projection queries them).
    """
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    changes = workflow.sync_tasks(
        dossier.id, result.ready_tasks, lambda view: placement_for(dossier, view, now, back_to), existing=existing,
        completed_task_id=completed.engine_task_id if completed else None, actor_id=getattr(actor, "id", None),
        classify=lambda task: cal.classify(now, task.due_at) if task.due_at else None,
        hours=lambda task: round(cal.working_hours_between(task.created_at, now), 4), year=dossier.partition_year)
    model = workflow.model_by_hash(instance.model_hash)
    workflow.sync_timers(dossier.id, result.timers, model.has_timers, existing_timers)
    if changes.open:
        dossier.move_to(changes.open[0].step_kind, changes.open[0].agency_id, [t.name for t in changes.open])
    if result.is_completed:
        dossier.finish(at=now, timing=cal.classify(dossier.result_ready_at or now, dossier.legal_due_at))
    return changes


# --- clock and history ----------------------------------------------------------------------

def _clock(action: Action, step: Step, event: HistoryEvent, tasks: list[HumanTask] | None,
           reason: str | None) -> None:
    """Append the clock entry the action declares, with the due instant in force after it.

    A pause (waiting for the applicant: supplement or fee) marks the dossier paused; a resume moves the dossier's
    due dates and its open steps' deadlines on by the working time the pause lasted (nothing when not paused).
    """
    if action.clock is Clock.NONE:
        return
    dossier = step.dossier
    if action.clock is Clock.PAUSE:
        dossier.pause_clock(step.at)
    elif action.clock is Clock.RESUME:
        if dossier.clock_paused_at is None:
            return
        event.data = {**event.data, **_resume(dossier, step.at, tasks)}
    due = {Clock.START: dossier.legal_due_at, Clock.RESTART: dossier.legal_due_at, Clock.EXTEND: dossier.due_at,
           Clock.RESUME: dossier.legal_due_at}
    at = dossier.clock_started_at if action.clock is Clock.START else step.at
    db.session.add(ClockEntry(dossier_id=dossier.id, kind=action.clock.value, at=at, due_at=due.get(action.clock),
                              reason=reason, actor_name=getattr(step.actor, "full_name", None)))


def end_pause(dossier: Dossier, at: datetime, reason: str) -> None:
    """End a pause without the applicant (the result was issued while the fee is still owed): the due dates move
    by the paused time as on a resume, so the dossier is judged on its own handling time; the ledger says why."""
    if dossier.clock_paused_at is None:
        return
    facts = _resume(dossier, at, None)
    db.session.add(ClockEntry(dossier_id=dossier.id, kind=Clock.RESUME.value, at=at, due_at=dossier.legal_due_at,
                              reason=f"{reason} ({facts['paused_hours']:g} h)"))


def _resume(dossier: Dossier, at: datetime, tasks: list[HumanTask] | None) -> dict[str, Any]:
    """End the pause at `at`: every due date moves by the working hours it lasted (what the event records)."""
    cal = calendar.get_calendar(dossier.receiving_agency_id)
    paused_since = dossier.clock_paused_at
    hours = cal.working_hours_between(paused_since, at)
    if hours <= 0:  # paused and resumed outside working time: nothing moves (a 17:00 due stays 17:00)
        dossier.clock_paused_at = None
        return {"paused_since": paused_since.isoformat(), "paused_hours": 0.0}

    def moved(due: datetime) -> datetime:
        return cal.add_working_hours(due, hours)

    dossier.resume_clock(moved)
    for task in tasks if tasks is not None else workflow.open_tasks(dossier.id):
        if task.due_at is not None:
            task.due_at = moved(task.due_at)
    return {"paused_since": paused_since.isoformat(), "paused_hours": round(hours, 2),
            "legal_due_at": dossier.legal_due_at.isoformat(), "due_at": dossier.due_at.isoformat()}


def _record(action: Action, step: Step, event: HistoryEvent, instance: ProcessInstance | None = None,
            result: Any = None, call: EngineInput | None = None) -> None:
    event.kind, event.at, event.actor = action.event, step.at, step.actor
    if step.task is not None and event is step.event:  # a task action records the task and how it was timed
        event.data = {"task": step.task.bpmn_id, "step_kind": step.task.step_kind, **event.data,
                      "timing": step.task.timing}
    if call is not None:
        event.data = {**event.data, "engine": call.record(), "input": call.data or {}}
        event.model_hash = instance.model_hash
        event.to_step = event.to_step or step.dossier.current_step
        event.state_fingerprint = workflow.fingerprint(result.state)
        event.state_hash = state_hash(instance.state_json)
    append_event(step.dossier, event)
