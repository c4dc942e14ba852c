"""Moving running instances to a new model version, with a dry run that explains itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import MigrationError
from engine.registry import ModelVersion

# Tasks in these states carry history or a wait position; their element must survive.
_ANCHORED = TaskState.COMPLETED | TaskState.STARTED | TaskState.READY | TaskState.WAITING | TaskState.ERROR


@dataclass
class MigrationPlan:
    """How two versions of one process line up, element by element (BPMN ids)."""

    process_id: str
    old_hash: str
    new_hash: str
    mapped: dict[str, str]
    removed: list[str]
    added: list[str]
    changed: dict[str, list[str]]


@dataclass
class MigrationReport:
    """Whether an instance can move, and why not.

    When the move was applied, `state` is the new state and `result` the full StepResult (ready
    tasks re-predicted on the new version, pending timers, events), like any other engine call.
    """

    can_migrate: bool
    mapped: dict[str, str]
    removed: list[str]
    added: list[str]
    reasons: list[str] = field(default_factory=list)
    state: dict[str, Any] | None = None
    result: Any = None


def _is_element(spec: Any) -> bool:
    """Keep BPMN elements; drop Spiff's synthetic Start/End/EndJoin specs."""
    return getattr(spec, "bpmn_id", None) is not None


def plan(registry: Any, old: ModelVersion, new: ModelVersion, process_id: str) -> MigrationPlan:
    """Align the specs of a process in two versions."""
    old_spec, _ = old.spec(process_id)
    new_spec, _ = new.spec(process_id)
    diff = SpecDiff(registry, old_spec, new_spec)
    return MigrationPlan(
        process_id=process_id,
        old_hash=old.hash,
        new_hash=new.hash,
        mapped={a.name: b.name for a, b in diff.alignment.items() if b is not None and _is_element(a)},
        removed=sorted(spec.name for spec in diff.removed if _is_element(spec)),
        added=sorted(spec.name for spec in diff.added if _is_element(spec)),
        changed={spec.name: sorted(keys) for spec, keys in diff.changed.items() if _is_element(spec)},
    )


def migrate(registry: Any, workflow: Any, new: ModelVersion, process_id: str) -> MigrationReport:
    """Move a live workflow onto the new version's specs in place and report what happened."""
    try:
        new_spec, new_deps = new.spec(process_id)
    except Exception as exc:  # noqa: BLE001 - any lookup failure means "cannot migrate", with the reason
        message = f"process {process_id!r} does not exist in the new version"
        raise MigrationError(message, element_id=process_id) from exc
    top_diff, sub_diffs = diff_workflow(registry, workflow, new_spec, new_deps)
    spec_diff = SpecDiff(registry, workflow.spec, new_spec)
    report = MigrationReport(
        can_migrate=True,
        mapped={a.name: b.name for a, b in spec_diff.alignment.items() if b is not None and _is_element(a)},
        removed=sorted(spec.name for spec in spec_diff.removed if _is_element(spec)),
        added=sorted(spec.name for spec in spec_diff.added if _is_element(spec)),
    )
    report.reasons.extend(_blocking_tasks(top_diff.removed))
    for sp_id, sub_diff in sub_diffs.items():
        subprocess = workflow.subprocesses[sp_id]
        if sub_diff is None:
            report.reasons.append(f"subprocess {subprocess.spec.name!r} does not exist in the new version")
        else:
            report.reasons.extend(_blocking_tasks(sub_diff.removed))
    report.can_migrate = not report.reasons
    if report.can_migrate:
        _apply(workflow, top_diff, sub_diffs, new_spec, new_deps)
    return report


def _blocking_tasks(removed: list[Any]) -> list[str]:
    """Explain every removed element the instance has reached or passed."""
    reasons = []
    for task in removed:
        if task.state & _ANCHORED and _is_element(task.task_spec):
            spec = task.task_spec
            state = TaskState.get_name(task.state)
            label = f"{spec.bpmn_id} ({spec.bpmn_name})" if spec.bpmn_name else spec.bpmn_id
            waiting = task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED)
            verb = "is waiting at" if waiting else "has passed"
            reasons.append(f"instance {verb} {label} [{state}], which the new version removes")
    return sorted(set(reasons))


def _apply(workflow: Any, top_diff: Any, sub_diffs: dict, new_spec: Any, new_deps: dict[str, Any]) -> None:
    """Swap specs and re-predict the open branches (Spiff's migrate_workflow)."""
    workflow.subprocess_specs = new_deps
    migrate_workflow(top_diff, workflow, new_spec)
    for sp_id, sub_diff in sub_diffs.items():
        subprocess = workflow.subprocesses.get(sp_id)
        if subprocess is not None:
            migrate_workflow(sub_diff, subprocess, new_deps[subprocess.spec.name])
