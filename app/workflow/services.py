"""Bridge to engine/: deploy model versions, run instances, persist state and project human tasks."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db
from app.workflow.models import ProcessInstance, ProcessVersion
from app.workflow.projection import (  # noqa: F401  (part of the bridge's API used by the features)
    Placement,
    TaskChanges,
    dossiers_with_due_timers,
    load_timer_batch,
    open_tasks,
    sync_tasks,
    sync_timers,
)
from engine import Engine, ModelRegistry, SandboxSettings
from engine.errors import EngineError, ScriptError, SpecInvalidError, TaskNotReadyError

logger = logging.getLogger(__name__)

EXTENSION = "motcua.workflow"


@dataclass
class WorkflowRuntime:
    """The app's engine: model registry (content-addressed), script helpers and the engine built from them."""

    registry: ModelRegistry = field(default_factory=ModelRegistry)
    helpers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    _engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.registry, helpers=dict(self.helpers), clock=utcnow, sandbox=self.sandbox)
        return self._engine


def init_app(app: Any, helpers: dict[str, Callable[..., Any]]) -> None:
    """Give the Flask app its own engine runtime: script helpers, and how model code runs (MOTCUA_SANDBOX:
    process, the default, or inline) with the worker limits."""
    sandbox = SandboxSettings(mode=app.config["SANDBOX"], workers=app.config["SANDBOX_WORKERS"],
                              memory_mb=app.config["SANDBOX_MEMORY_MB"])
    app.extensions[EXTENSION] = WorkflowRuntime(helpers=dict(helpers), sandbox=sandbox)


def _runtime() -> WorkflowRuntime:
    return current_app.extensions[EXTENSION]


def sandbox_settings() -> SandboxSettings:
    """How this app runs untrusted code (worker processes or inline), for the other sandboxed texts."""
    return _runtime().sandbox


def register_script_helper(name: str, fn: Callable[..., Any]) -> None:
    """Expose one more whitelisted function to BPMN scripts of this app (rebuilds its engine)."""
    runtime = _runtime()
    runtime.helpers[name] = fn
    runtime._engine = None


def get_engine() -> Engine:
    return _runtime().engine()


# --- model versions -------------------------------------------------------------------------

def model_for(version: ProcessVersion) -> Any:
    """Return the parsed model of a stored version, parsing it at most once per process."""
    registry = _runtime().registry
    if version.content_hash in registry:
        return registry.get(version.content_hash)
    return registry.load(version.xml, version.source_name or f"{version.process_key}.bpmn")


def model_by_hash(content_hash: str) -> Any:
    """The parsed model with this content hash, loading its stored version on first use."""
    registry = _runtime().registry
    if content_hash in registry:
        return registry.get(content_hash)
    version = find_version_by_hash(content_hash)
    if version is None:
        raise NotFoundError("Không tìm thấy phiên bản mô hình.", f"No model version {content_hash[:12]}.")
    return model_for(version)


def model_hash(version_id: int) -> str:
    """Content hash of a stored version (a query, never a cache keyed by the row id)."""
    content_hash = db.session.scalar(select(ProcessVersion.content_hash).where(ProcessVersion.id == version_id))
    if content_hash is None:
        raise NotFoundError("Không tìm thấy phiên bản mô hình.", f"No model version #{version_id}.")
    return content_hash


def intake_form_key(version: ProcessVersion) -> str | None:
    """Form of the model's intake step: what the counter and online submission are validated against."""
    for info in model_for(version).user_tasks(version.process_key):
        if info.step_kind == "intake":
            return info.form_key
    return None


def version_has_timers(version_id: int) -> bool:
    """Whether a stored version contains any BPMN timer (asked of the parsed model, cached by content)."""
    return bool(model_by_hash(model_hash(version_id)).has_timers)


def parse_model(xml: str | bytes, source_name: str) -> Any:
    """Parse and validate BPMN, turning engine errors into a bilingual validation error."""
    try:
        return _runtime().registry.load(xml, source_name)
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


def store_unrunnable_draft(author: str | None, xml: bytes, source_name: str, process_key: str,
                           name: str | None, comment: str | None = None) -> tuple[ProcessVersion, bool]:
    """Keep an imported diagram the engine cannot load yet as a draft, so the designer can open and fix it.

    The engine's hash needs a parsed model, so this one hashes the converted bytes; the version never runs
    (no dossier starts on a draft, and publishing checks it again).
    """
    from engine.registry import content_hash

    digest = content_hash(xml)
    existing = find_version_by_hash(digest)
    if existing:
        return existing, False
    number = (db.session.scalar(select(func.max(ProcessVersion.number))
                                .where(ProcessVersion.process_key == process_key)) or 0) + 1
    version = ProcessVersion(process_key=process_key, number=number, content_hash=digest, source_name=source_name,
                             xml=xml.decode("utf-8"), status="draft", comment=comment, author=author, name=name)
    db.session.add(version)
    db.session.flush()
    logger.info("Stored %s v%s as an unrunnable draft (%s) by %s", process_key, number, digest[:12], author)
    return version, True


def latest_version(process_key: str) -> ProcessVersion:
    """The published version new dossiers get. Its BPMN text is left unloaded: the parsed model is cached by
    content hash (model_for reads the text only when this process has not parsed it yet)."""
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_key == process_key, ProcessVersion.status == "published")
        .order_by(ProcessVersion.number.desc()).limit(1)
        .options(defer(ProcessVersion.xml), defer(ProcessVersion.comment)))
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
    instance.model_hash = version.content_hash
    _store(instance, result)
    db.session.add(instance)
    return instance, result


def _loaded_instance(dossier_id: int) -> ProcessInstance | None:
    """The dossier's instance if this session already holds it (e.g. started in this unit of work): the query
    would return this very object, so the round trip is saved (counter receipt: start, then the intake step)."""
    for obj in db.session.identity_map.values():
        if isinstance(obj, ProcessInstance) and obj.__dict__.get("dossier_id") == dossier_id:
            return obj
    return None


def get_instance(dossier_id: int) -> ProcessInstance:
    instance = _loaded_instance(dossier_id) or db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    if instance is None:
        raise NotFoundError("Hồ sơ chưa có quy trình xử lý.", "The dossier has no process instance.")
    return instance


def load_state(instance: ProcessInstance) -> dict[str, Any]:
    """Decode the stored state and make sure its model version is parsed in this app."""
    model_by_hash(instance.model_hash)
    return json.loads(instance.state_json)


def _store(instance: ProcessInstance, result: Any) -> None:
    instance.state_json = json.dumps(result.state, separators=(",", ":"), ensure_ascii=False)
    instance.serializer_version = str(result.state.get("serializer_version", ""))
    instance.is_completed = bool(result.is_completed)


def _advance(instance: ProcessInstance, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    state = load_state(instance)
    result = _engine_call(call, state, *args, **kwargs)
    _store(instance, result)
    return result


def complete_task(instance: ProcessInstance, engine_task_id: str, data: dict[str, Any], now: datetime) -> Any:
    """Complete a ready human task of the instance with its form data."""
    return _advance(instance, get_engine().complete_task, engine_task_id, data, now=now)


def send_message(instance: ProcessInstance, name: str, payload: dict[str, Any], now: datetime) -> Any:
    """Deliver a BPMN message (e.g. the applicant's supplement) to the instance."""
    return _advance(instance, get_engine().send_message, name, payload, now=now)


def fire_timers(instance: ProcessInstance, now: datetime) -> Any:
    """Fire every timer of the instance due at `now`."""
    return _advance(instance, get_engine().fire_timers, now)


def cancel(instance: ProcessInstance, now: datetime) -> Any:
    """End the instance (withdrawal): no task stays ready."""
    return _advance(instance, get_engine().cancel, now=now)


def fingerprint(state: dict[str, Any]) -> str:
    """Replay fingerprint of an engine state (the audit chain records it after every step)."""
    return get_engine().state_fingerprint(state)


def ready_tasks(instance: ProcessInstance) -> list[Any]:
    return get_engine().ready_tasks(load_state(instance))


# --- audit re-execution ---------------------------------------------------------------------

@dataclass(frozen=True)
class EngineInput:
    """One engine call as the history records it: start / complete_task / send_message / fire_timers / cancel /
    migrate, at the instant passed as the engine clock, with its input (and the target model of a migration)."""

    operation: str
    at: datetime
    bpmn_id: str | None = None
    name: str | None = None
    data: dict[str, Any] | None = None
    target_hash: str | None = None

    def record(self) -> dict[str, Any]:
        """The `engine` entry of a history event (its input is kept beside it, under `input`)."""
        fields = {"op": self.operation, "task": self.bpmn_id, "message": self.name, "to": self.target_hash}
        return {key: value for key, value in fields.items() if value is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any], at: datetime, data: dict[str, Any] | None) -> EngineInput:
        return cls(record["op"], at, record.get("task"), record.get("message"), data, record.get("to"))


@dataclass(frozen=True)
class ReplayPoint:
    """The engine after one re-executed input (`error` set instead when the input could not be applied)."""

    fingerprint: str | None
    ready: tuple[tuple[str, str], ...] = ()
    active: tuple[str, ...] = ()
    is_completed: bool = False
    error: str | None = None


def replay_inputs(model_hash: str, inputs: list[EngineInput]) -> list[ReplayPoint]:
    """Re-run a model from the start over recorded inputs in memory (migrations switch the model); stop at the
    first failure."""
    engine, state, points = get_engine(), None, []
    model_by_hash(model_hash)
    for step in inputs:
        try:
            result = _replay_one(engine, model_hash, state, step)
        except (EngineError, NotFoundError) as error:
            points.append(ReplayPoint(None, error=f"{type(error).__name__}: {error}"))
            break
        state = result.state
        ready = tuple((t.bpmn_id, t.name) for t in result.ready_tasks)
        points.append(ReplayPoint(engine.state_fingerprint(state), ready, engine.active_elements(state),
                                  bool(result.is_completed)))
    return points


def _replay_one(engine: Engine, model_hash: str, state: Any, step: EngineInput) -> Any:
    if step.operation == "start":
        return engine.start(model_hash, model_by_hash(model_hash).main_process_id, step.data or {}, now=step.at)
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
    if step.operation == "migrate":
        model_by_hash(step.target_hash or "")
        report = engine.migrate(state, step.target_hash or "", dry_run=False, now=step.at)
        if report.state is None:
            raise EngineError("; ".join(report.reasons) or "migration refused")
        return _migrated_step(engine, report.state)
    raise EngineError(f"unknown operation {step.operation!r}")


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

    report = validate_bytes(data, source_name, sandbox=_runtime().sandbox)
    pairs = lambda issues: [(issue.element_id, issue.message) for issue in issues]  # noqa: E731
    key = report.version.main_process_id if report.version is not None else None
    return ModelCheck(pairs(report.errors), pairs(report.warnings), list(report.unsupported), key)


def convert_model(data: str | bytes, source_name: str, *, make_executable: bool = False) -> Any:
    """Convert a diagram from another modeler (engine.importer.ImportResult: converted XML and per-element report)."""
    from engine.importer import import_bytes

    return import_bytes(data, source_name, make_executable=make_executable)


def diff_versions(old: ProcessVersion, new: ProcessVersion) -> Any:
    """Align the main process across two versions (engine MigrationPlan: mapped/removed/added/changed)."""
    for version in (old, new):
        try:
            model_for(version)
        except SpecInvalidError as error:  # an imported draft kept before it was made runnable
            raise ValidationError(
                f"Phiên bản {version.number} của {version.process_key} chưa chạy được nên chưa so sánh được: {error}",
                f"Version {version.number} of {version.process_key} does not run yet, so it cannot be compared: "
                f"{error}") from error
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
    model_for(target)
    try:
        report = get_engine().migrate(load_state(instance), target.content_hash, dry_run=dry_run, now=now)
    except EngineError as error:
        return MigrationOutcome(False, [str(error)], {})
    outcome = MigrationOutcome(report.can_migrate, list(report.reasons), dict(report.mapped))
    if report.state is not None:
        outcome.result = _migrated_step(get_engine(), report.state)
        _store(instance, outcome.result)
        instance.process_version_id = target.id
        instance.model_hash = target.content_hash
    return outcome


def _migrated_step(engine: Engine, state: dict[str, Any]) -> _MigratedStep:
    from engine.events import pending_timers, snapshot

    snap = snapshot(engine.restore(state))
    return _MigratedStep(state, engine.ready_tasks(state), bool(snap.completed), pending_timers(snap))


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
