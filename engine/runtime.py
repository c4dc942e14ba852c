"""The Engine facade: state in, new state and events out. No IO, no globals, no wall clock."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine import events as ev
from engine import migration
from engine.errors import EngineError, EventNotAwaitedError, ScriptError, TaskNotReadyError
from engine.fingerprint import state_fingerprint
from engine.migration import MigrationPlan, MigrationReport
from engine.registry import ModelRegistry, ModelVersion
from engine.scripting import SandboxSettings, ScriptLimits, check_data, make_script_engine
from engine.serializer import StateSerializer, upgrade_state
from engine.tasks import UserTaskView, build_view, completed_human_elements, ready_human_tasks
from engine.timers import clock_at, engine_now

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Default clock: aware UTC now."""
    return datetime.now(UTC)


@dataclass
class StepResult:
    """Outcome of one engine call; `state` is what the app persists."""

    state: dict[str, Any]
    events: list[ev.EngineEvent]
    ready_tasks: list[UserTaskView]
    is_completed: bool
    timers: list[ev.PendingTimer] = field(default_factory=list)
    awaiting_messages: list[str] = field(default_factory=list)


@dataclass
class _Call:
    """One engine call in progress: the live workflow and the events collected so far."""

    version: ModelVersion
    process_id: str
    workflow: BpmnWorkflow
    before: ev.Snapshot
    events: list[ev.EngineEvent] = field(default_factory=list)


class Engine:
    """Run BPMN instances of registered model versions; every call is pure with respect to `state`."""

    def __init__(
        self,
        registry: ModelRegistry,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        clock: Clock = utc_now,
        limits: ScriptLimits | None = None,
        sandbox: SandboxSettings | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.limits = limits or ScriptLimits()
        self.sandbox = sandbox or SandboxSettings()
        self._script_engine = make_script_engine(helpers, self.limits, self.sandbox)
        self._serializer = StateSerializer()

    # -- commands ---------------------------------------------------------------------------
    def start(self, version_hash: str, process_id: str | None, data: Mapping[str, Any] | None = None,
              *, now: datetime | None = None) -> StepResult:
        """Start an instance with initial data and run it to the first wait state."""
        version = self.registry.get(version_hash)
        process_id = process_id or version.main_process_id
        spec, deps = version.spec(process_id)
        with clock_at(now or self.clock()):
            workflow = BpmnWorkflow(spec, deps, script_engine=self._script_engine)
            workflow.task_tree.data.update(self._checked(data))
            call = _Call(version, process_id, workflow, ev.Snapshot())
            self._advance(call)
            return self._result(call)

    def complete_task(self, state: Mapping[str, Any], task_id: str, data: Mapping[str, Any] | None = None,
                      actor: str | None = None, *, now: datetime | None = None) -> StepResult:
        """Complete a READY human task with the submitted form data."""
        with self._call(state, now) as call:
            self._complete(call, self._ready_task(call.workflow, task_id), data, actor)
            return self._result(call)

    def complete_task_by_bpmn_id(self, state: Mapping[str, Any], bpmn_id: str, data: Mapping[str, Any] | None = None,
                                 actor: str | None = None, *, now: datetime | None = None) -> StepResult:
        """Complete the first READY task of a BPMN element (tree order), for re-execution."""
        with self._call(state, now) as call:
            task = next((t for t in ready_human_tasks(call.workflow) if t.task_spec.bpmn_id == bpmn_id), None)
            if task is None:
                raise TaskNotReadyError(f"no READY task for element {bpmn_id!r}", element_id=bpmn_id)
            self._complete(call, task, data, actor)
            return self._result(call)

    def send_message(self, state: Mapping[str, Any], name: str, payload: Mapping[str, Any] | None = None,
                     *, correlations: Mapping[str, Any] | None = None, now: datetime | None = None) -> StepResult:
        """Deliver a message to the waiting catch event(s) named `name`."""
        event = BpmnEvent(MessageEventDefinition(name), self._checked(payload), dict(correlations or {}))
        return self._deliver(state, event, ev.MESSAGE_RECEIVED, now)

    def send_signal(self, state: Mapping[str, Any], name: str, payload: Mapping[str, Any] | None = None,
                    *, now: datetime | None = None) -> StepResult:
        """Broadcast a signal to the instance."""
        event = BpmnEvent(SignalEventDefinition(name), self._checked(payload))
        return self._deliver(state, event, ev.SIGNAL_RECEIVED, now)

    def fire_timers(self, state: Mapping[str, Any], now: datetime) -> StepResult:
        """Fire every timer due at `now` (the scheduler's sweep)."""
        with self._call(state, now) as call:
            self._guard(call.workflow.refresh_timers)
            self._advance(call)
            return self._result(call)

    def cancel(self, state: Mapping[str, Any], *, now: datetime | None = None) -> StepResult:
        """Cancel all open work; the instance ends unsuccessfully."""
        with self._call(state, now) as call:
            call.workflow.cancel()
            call.events.append(ev.EngineEvent(ev.INSTANCE_CANCELLED))
            return self._result(call, advance=False)

    # -- queries ----------------------------------------------------------------------------
    def ready_tasks(self, state: Mapping[str, Any]) -> list[UserTaskView]:
        """Human tasks waiting for someone, in deterministic order."""
        version, process_id, workflow = self._restore(state)
        return [build_view(task, version.task_info(task.task_spec.bpmn_id)) for task in ready_human_tasks(workflow)]

    def active_elements(self, state: Mapping[str, Any]) -> tuple[str, ...]:
        """BPMN ids holding a token (waiting, ready or running), subprocesses included, in task order."""
        _version, _process_id, workflow = self._restore(state)
        holding = TaskState.WAITING | TaskState.READY | TaskState.STARTED
        ids = (task.task_spec.bpmn_id for task in workflow.get_tasks(state=holding))
        return tuple(dict.fromkeys(bpmn_id for bpmn_id in ids if bpmn_id))

    def state_fingerprint(self, state: Mapping[str, Any]) -> str:
        """Hash of the state that ignores task UUIDs and wall-clock times (re-execution check)."""
        return state_fingerprint(state)

    def diff(self, old_hash: str, new_hash: str, process_id: str) -> MigrationPlan:
        """Align a process across two versions: mapped, removed, added and changed elements."""
        return migration.plan(self._serializer.registry, self.registry.get(old_hash), self.registry.get(new_hash),
                              process_id)

    def migrate(self, state: Mapping[str, Any], new_hash: str, dry_run: bool = True,
                *, now: datetime | None = None) -> MigrationReport:
        """Check (and unless dry_run, perform) moving an instance to another model version.

        Open tasks and timers are re-predicted on the new version, so their task ids and timer due
        dates change; the report's `state` is only set when the move was applied.
        """
        new_version = self.registry.get(new_hash)
        with self._call(state, now) as call:
            report = migration.migrate(self._serializer.registry, call.workflow, new_version, call.process_id)
            if report.can_migrate and not dry_run:
                call.version = new_version
                self._advance(call)
                report.result = self._result(call)
                report.state = report.result.state
                self._serializer.load(report.state, *new_version.spec(call.process_id), self._script_engine)
            return report

    def restore(self, state: Mapping[str, Any]) -> BpmnWorkflow:
        """Rebuild the live Spiff workflow (for migration and debugging only; keep it inside engine/)."""
        return self._restore(state)[2]

    def dump(self, workflow: BpmnWorkflow, version: ModelVersion, process_id: str) -> dict[str, Any]:
        """Serialise a live workflow into state."""
        return self._serializer.dump(workflow, version.hash, process_id)

    # -- internals --------------------------------------------------------------------------
    @contextmanager
    def _call(self, state: Mapping[str, Any], now: datetime | None) -> Iterator[_Call]:
        """Restore state under the call's clock; exceptions leave the caller's state untouched."""
        with clock_at(now or self.clock()):
            version, process_id, workflow = self._restore(state)
            yield _Call(version, process_id, workflow, ev.snapshot(workflow))

    def _restore(self, state: Mapping[str, Any]) -> tuple[ModelVersion, str, BpmnWorkflow]:
        """Load a workflow from state against the cached spec of its model version."""
        if not isinstance(state, Mapping) or "wf" not in state:
            raise EngineError("not an engine state (missing 'wf')")
        state = upgrade_state(state)
        version = self.registry.get(state["model_hash"])
        spec, deps = version.spec(state["process_id"])
        try:
            workflow = self._serializer.load(state, spec, deps, self._script_engine)
        except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise EngineError(f"corrupt state: {type(exc).__name__}: {exc}") from None
        return version, state["process_id"], workflow

    def _ready_task(self, workflow: BpmnWorkflow, task_id: str) -> Any:
        """Find a READY human task by UUID string."""
        try:
            task = workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None:
            raise TaskNotReadyError(f"task {task_id} does not exist in this instance", details={"task_id": task_id})
        if task.state != TaskState.READY or not task.task_spec.manual:
            spec = task.task_spec
            raise TaskNotReadyError(f"task {task_id} is {TaskState.get_name(task.state)}, not a READY human task",
                                    element_id=spec.bpmn_id, element_name=spec.bpmn_name)
        return task

    def _complete(self, call: _Call, task: Any, data: Mapping[str, Any] | None, actor: str | None) -> None:
        """Merge the form data, run the task (post-script) and advance the instance."""
        submitted = self._checked(data)
        task.data.update(copy.deepcopy(submitted))
        self._guard(task.run)
        call.events.append(ev.task_event(ev.TASK_COMPLETED, task, {"data": submitted, "actor": actor}))
        self._advance(call)

    def _deliver(self, state: Mapping[str, Any], event: BpmnEvent, kind: str, now: datetime | None) -> StepResult:
        """Hand a message/signal to the waiting catch events, failing if nothing waits for it."""
        with self._call(state, now) as call:
            caught = self._guard(call.workflow.event_manager.catch, event, False)
            if not caught:
                raise EventNotAwaitedError(f"instance is not waiting for {event.event_definition.name!r}",
                                           details={"awaiting": ev.awaited_messages(call.before)})
            call.events.append(ev.EngineEvent(kind, None, event.event_definition.name, None, None,
                                              {"payload": copy.deepcopy(event.payload)}))
            self._advance(call)
            return self._result(call)

    def _advance(self, call: _Call) -> None:
        """Run engine steps (scripts, gateways, due timers) until people or events are needed."""
        self._guard(call.workflow.do_engine_steps)

    def _guard(self, func: Callable[..., Any], *args: Any) -> Any:
        """Turn Spiff execution errors into ScriptError carrying an `incident` event."""
        try:
            return func(*args)
        except SpiffWorkflowException as exc:
            raise _script_error(exc) from exc

    def _result(self, call: _Call, advance: bool = True) -> StepResult:
        """Serialise the workflow and describe what changed."""
        workflow = call.workflow
        after = ev.snapshot(workflow)
        events = [*call.events, *ev.thrown_events(workflow), *ev.diff_events(call.before, after, engine_now())]
        if not advance:
            events = [e for e in events if e.kind != ev.INSTANCE_COMPLETED]
        done = completed_human_elements(workflow) if set(after.ready) - set(call.before.ready) else frozenset()
        views = [build_view(t, call.version.task_info(t.task_spec.bpmn_id), t.task_spec.bpmn_id in done)
                 for t in after.ready.values()]
        return StepResult(
            state=self._serializer.dump(workflow, call.version.hash, call.process_id),
            events=events,
            ready_tasks=views,
            is_completed=after.completed,
            timers=ev.pending_timers(after),
            awaiting_messages=ev.awaited_messages(after),
        )

    def _checked(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Accept only plain, storable data from callers."""
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise EngineError(f"data must be a mapping, got {type(data).__name__}")
        try:
            check_data(data, self.limits)
        except ValueError as exc:
            raise EngineError(str(exc)) from None
        return dict(data)


def _script_error(exc: SpiffWorkflowException) -> ScriptError:
    """Describe a failed script/expression with its element, name and line."""
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    name = getattr(spec, "bpmn_name", None)
    line = getattr(exc, "line_number", None) or None
    message = str(exc.args[0]) if exc.args else str(exc)
    incident = ev.EngineEvent(ev.INCIDENT, element_id, name, str(task.id) if task is not None else None, None,
                              {"line": line, "message": message, "error_type": getattr(exc, "error_type", None)})
    return ScriptError(message, line=line, incident=incident, element_id=element_id, element_name=name)


__all__ = ["Engine", "StepResult", "utc_now"]
