"""Bridge to engine/: deploy model versions, run instances, persist state and project human tasks."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db
from app.workflow.models import ProcessInstance, ProcessVersion
from app.workflow.projection import (  # noqa: F401  (part of the bridge's API used by the features)
    Placement,
    dossiers_with_due_timers,
    has_timers,
    open_tasks,
    sync_tasks,
    sync_timers,
)
from engine import Engine, ModelRegistry, SandboxSettings
from engine.errors import EngineError, ScriptError, SpecInvalidError, TaskNotReadyError

logger = logging.getLogger(__name__)

_registry = ModelRegistry()
_engine: Engine | None = None
_helpers: dict[str, Callable[..., Any]] = {}


def register_script_helper(name: str, fn: Callable[..., Any]) -> None:
    """Expose a whitelisted function to BPMN scripts (e.g. working-day arithmetic)."""
    global _engine
    _helpers[name] = fn
    _engine = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = Engine(_registry, helpers=dict(_helpers), clock=utcnow, sandbox=_sandbox)
    return _engine


# --- sandbox for model scripts and templates (issue 13.3): set from the app config by create_app ----------

_sandbox = SandboxSettings()


def configure_sandbox(mode: str, workers: int, memory_mb: int) -> None:
    """Choose how model code runs (MOTCUA_SANDBOX: process, the default, or inline) and the worker limits."""
    global _sandbox, _engine
    settings = SandboxSettings(mode=mode, workers=workers, memory_mb=memory_mb)
    if settings != _sandbox:
        _sandbox, _engine = settings, None


# --- model versions -------------------------------------------------------------------------

def model_for(version: ProcessVersion) -> Any:
    """Return the parsed model of a stored version, parsing it at most once per process."""
    if version.content_hash in _registry:
        return _registry.get(version.content_hash)
    return _registry.load(version.xml, version.source_name or f"{version.process_key}.bpmn")


def parse_model(xml: str | bytes, source_name: str) -> Any:
    """Parse and validate BPMN, turning engine errors into a bilingual validation error."""
    try:
        return _registry.load(xml, source_name)
    except SpecInvalidError as error:
        raise ValidationError(f"Mô hình BPMN không hợp lệ: {error}", f"Invalid BPMN model: {error}",
                              details={"element_id": getattr(error, "element_id", None)}) from error


def find_version_by_hash(content_hash: str) -> ProcessVersion | None:
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.content_hash == content_hash))


def deploy_model(author: str | None, xml: str | bytes, source_name: str, comment: str | None = None,
                 status: str = "published") -> tuple[ProcessVersion, bool]:
    """Store a new version of the model unless identical content is already deployed."""
    model = parse_model(xml, source_name)
    existing = find_version_by_hash(model.hash)
    if existing:
        return existing, False
    key = model.main_process_id
    number = (db.session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.process_key == key))
              or 0) + 1
    version = ProcessVersion(process_key=key, number=number, content_hash=model.hash, source_name=source_name,
                             xml=model.xml, status=status, comment=comment, author=author,
                             name=model.properties(key).get("name"))
    db.session.add(version)
    db.session.flush()
    logger.info("Deployed %s v%s (%s) by %s", key, number, model.hash[:12], author)
    return version, True


def latest_version(process_key: str) -> ProcessVersion:
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.status == "published")
        .order_by(ProcessVersion.number.desc()).limit(1))
    if version is None:
        raise NotFoundError(f"Chưa triển khai mô hình quy trình {process_key}.",
                            f"No deployed process model {process_key}.")
    return version


def list_versions(process_key: str | None = None) -> list[ProcessVersion]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.number.desc())
    if process_key:
        query = query.where(ProcessVersion.process_key == process_key)
    return list(db.session.scalars(query))


# --- instances ------------------------------------------------------------------------------

def _engine_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one engine operation; its errors become clear domain errors and change nothing."""
    try:
        return fn(*args, **kwargs)
    except TaskNotReadyError as error:
        raise ConflictError("Công việc này không còn ở trạng thái chờ xử lý.",
                            f"This task is no longer ready: {error}") from error
    except ScriptError as error:
        logger.warning("Script incident: %s", error)
        raise ValidationError(f"Lỗi khi chạy kịch bản của quy trình: {error}",
                              f"Process script failed: {error}") from error
    except EngineError as error:
        raise ValidationError(f"Lỗi quy trình: {error}", f"Process engine error: {error}") from error


def start_instance(dossier_id: int, version: ProcessVersion, data: dict[str, Any],
                   now: datetime) -> tuple[ProcessInstance, Any]:
    """Start the model for a dossier at `now` and persist its first state."""
    model = model_for(version)
    result = _engine_call(get_engine().start, model.hash, version.process_key, data, now=now)
    instance = ProcessInstance(dossier_id=dossier_id, process_version_id=version.id, state_json="{}",
                               serializer_version="")
    _store(instance, result)
    db.session.add(instance)
    return instance, result


def get_instance(dossier_id: int) -> ProcessInstance:
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    if instance is None:
        raise NotFoundError("Hồ sơ chưa có quy trình xử lý.", "The dossier has no process instance.")
    return instance


_version_hashes: dict[int, str] = {}


def version_hash(version_id: int) -> str:
    """Content hash of a stored version (versions are immutable, so it is cached per process)."""
    if version_id not in _version_hashes:
        version = db.session.get(ProcessVersion, version_id)
        model_for(version)
        _version_hashes[version_id] = version.content_hash
    return _version_hashes[version_id]


def load_state(instance: ProcessInstance) -> dict[str, Any]:
    """Decode the stored state and make sure its model version is parsed in this process."""
    version_hash(instance.process_version_id)
    return json.loads(instance.state_json)


def _store(instance: ProcessInstance, result: Any) -> None:
    instance.state_json = json.dumps(result.state, separators=(",", ":"), ensure_ascii=False)
    instance.serializer_version = str(result.state.get("serializer_version", ""))
    instance.is_completed = bool(result.is_completed)


def advance(instance: ProcessInstance, operation: str, *args: Any, **kwargs: Any) -> Any:
    """Apply one engine operation (complete_task, send_message, fire_timers, cancel) to the instance.

    Callers pass the instant of the action (`now=`) so an audit replay can feed the engine the same clock.
    """
    state = load_state(instance)
    result = _engine_call(getattr(get_engine(), operation), state, *args, **kwargs)
    _store(instance, result)
    return result


def flush_instance() -> None:
    """Flush, turning a lost optimistic-lock race into a 409 for the caller."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConflictError("Người khác vừa xử lý hồ sơ này. Vui lòng tải lại trang.",
                            "Someone else just changed this dossier. Please reload.") from error


def fingerprint(state: dict[str, Any]) -> str:
    """Replay fingerprint of an engine state (the audit chain records it after every step)."""
    return get_engine().state_fingerprint(state)


def ready_tasks(instance: ProcessInstance) -> list[Any]:
    return get_engine().ready_tasks(load_state(instance))


# --- audit re-execution ---------------------------------------------------------------------

_TOKEN_STATES = 8 | 16 | 32  # Spiff TaskState WAITING | READY | STARTED: where a token sits


@dataclass(frozen=True)
class EngineInput:
    """One recorded engine call: operation start / complete_task / send_message / fire_timers / cancel."""

    operation: str
    at: datetime
    bpmn_id: str | None = None
    name: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReplayPoint:
    """The engine after one re-executed input (`error` set instead when the input could not be applied)."""

    fingerprint: str | None
    ready: tuple[tuple[str, str], ...] = ()
    active: tuple[str, ...] = ()
    is_completed: bool = False
    error: str | None = None


def replay_inputs(version: ProcessVersion, inputs: list[EngineInput]) -> list[ReplayPoint]:
    """Re-run a model version from the start over recorded inputs in memory; stop at the first failure."""
    model = model_for(version)
    engine, state, points = get_engine(), None, []
    for step in inputs:
        try:
            result = _replay_one(engine, model.hash, version.process_key, state, step)
        except EngineError as error:
            points.append(ReplayPoint(None, error=f"{type(error).__name__}: {error}"))
            break
        state = result.state
        ready = tuple((t.bpmn_id, t.name) for t in result.ready_tasks)
        points.append(ReplayPoint(engine.state_fingerprint(state), ready, _active_elements(state),
                                  bool(result.is_completed)))
    return points


def _replay_one(engine: Engine, model_hash: str, process_key: str, state: Any, step: EngineInput) -> Any:
    if step.operation == "start":
        return engine.start(model_hash, process_key, step.data or {}, now=step.at)
    if state is None:
        raise EngineError(f"{step.operation} before the instance was started")
    if step.operation == "complete_task":
        return engine.complete_task_by_bpmn_id(state, step.bpmn_id or "", step.data or {}, now=step.at)
    if step.operation == "send_message":
        return engine.send_message(state, step.name or "", step.data or {}, now=step.at)
    if step.operation == "fire_timers":
        return engine.fire_timers(state, step.at)
    if step.operation == "cancel":
        return engine.cancel(state, now=step.at)
    raise EngineError(f"unknown operation {step.operation!r}")


def _active_elements(state: dict[str, Any]) -> tuple[str, ...]:
    """BPMN element ids holding a token (waiting, ready or running tasks), subprocesses included."""
    bodies, names = [state["wf"]], []
    while bodies:
        body = bodies.pop()
        names.extend(node[1] for node in body.get("t", []) if node[2] & _TOKEN_STATES)
        bodies.extend(body.get("sp", {}).values())
    return tuple(dict.fromkeys(names))


# --- designer: validation, diff and migration (app.designer calls these) --------------------

@dataclass(frozen=True)
class ModelCheck:
    """Engine validation of an uploaded or edited model: (element id, message) pairs and unsupported names."""

    errors: list[tuple[str | None, str]]
    warnings: list[tuple[str | None, str]]
    unsupported: list[str]
    process_key: str | None


def check_model(data: str | bytes, source_name: str) -> ModelCheck:
    """Validate a model as deeply as loading it would, never raising."""
    from engine import validate_bytes

    report = validate_bytes(data, source_name, sandbox=_sandbox)
    pairs = lambda issues: [(issue.element_id, issue.message) for issue in issues]  # noqa: E731
    key = report.version.main_process_id if report.version is not None else None
    return ModelCheck(pairs(report.errors), pairs(report.warnings), list(report.unsupported), key)


def diff_versions(old: ProcessVersion, new: ProcessVersion) -> Any:
    """Align the main process across two versions (engine MigrationPlan: mapped/removed/added/changed)."""
    model_for(old)
    model_for(new)
    return get_engine().diff(old.content_hash, new.content_hash, old.process_key)


@dataclass
class MigrationOutcome:
    """Engine verdict on moving one instance; when applied, `result` feeds the task projection."""

    can_migrate: bool
    reasons: list[str]
    mapped: dict[str, str]
    result: Any = None


def migrate_instance(instance: ProcessInstance, target: ProcessVersion, *, dry_run: bool,
                     now: datetime | None = None) -> MigrationOutcome:
    """Check (dry_run) or move an instance onto `target`, storing the new state when moved."""
    from engine.events import pending_timers, snapshot

    model_for(target)
    try:
        report = get_engine().migrate(load_state(instance), target.content_hash, dry_run=dry_run, now=now)
    except EngineError as error:
        return MigrationOutcome(False, [str(error)], {})
    outcome = MigrationOutcome(report.can_migrate, list(report.reasons), dict(report.mapped))
    if report.state is not None:
        snap = snapshot(get_engine().restore(report.state))
        outcome.result = _MigratedStep(report.state, get_engine().ready_tasks(report.state),
                                       bool(snap.completed), pending_timers(snap))
        _store(instance, outcome.result)
        instance.process_version_id = target.id
    return outcome


@dataclass
class _MigratedStep:
    """The StepResult-shaped view of a migrated state (what after_engine_step reads)."""

    state: dict[str, Any]
    ready_tasks: list[Any]
    is_completed: bool
    timers: list[Any]


# --- decision tables (DMN): versioned, validated and evaluated in app.workflow.decisions (kept out of here for size)

from app.workflow.decisions import (  # noqa: E402,F401  (bridge API for features)
    check_decision,
    decide,
    evaluate_version,
    store_decision,
    validate_decision,
)
