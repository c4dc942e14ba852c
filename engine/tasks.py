"""Human task views: what the inbox shows for a READY user task."""
from __future__ import annotations

import copy
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine.scripting import SandboxEnvironment, ScriptLimitExceeded
from engine.specinfo import TaskSpecInfo
from engine.templates import MAX_INSTRUCTIONS_CHARS, is_static  # noqa: F401  (re-exported)

logger = logging.getLogger(__name__)
_RENDER_ERRORS = (TemplateError, ScriptLimitExceeded, TypeError, ValueError, ArithmeticError, LookupError,
                  AttributeError, RecursionError, MemoryError)
_OVER_BUDGET: OrderedDict[str, None] = OrderedDict()  # (template, data) digests that blew a budget here
_OVER_BUDGET_SIZE = 512


@dataclass(frozen=True)
class UserTaskView:
    """A READY human task, flattened for the app (no Spiff objects leak out)."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    role: str | None
    step_kind: str | None
    duration_days: float | None
    form_key: str | None
    agency: str | None
    instructions: str | None
    data: dict[str, Any]
    multi_instance_index: int | str | None
    process_id: str
    # Became ready in this call although an earlier instance of the element was completed (a step sent back, a
    # loop): the app tells whoever did it last time. Not reported for tasks that were ready before the call.
    reopened: bool = False


def ready_human_tasks(workflow: Any) -> list[Any]:
    """READY tasks waiting for a person, in Spiff's deterministic tree order."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def completed_human_elements(workflow: Any) -> frozenset[str]:
    """BPMN ids of the human tasks this instance has completed so far (a READY one among them was reopened)."""
    return frozenset(t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED, manual=True))


def build_view(task: Any, info: TaskSpecInfo | None, reopened: bool = False) -> UserTaskView:
    """Combine the live task with its static TaskSpecInfo."""
    spec = task.task_spec
    info = info or _fallback_info(spec, task.workflow.spec.name)
    data = copy.deepcopy(task.data)
    return UserTaskView(
        id=str(task.id),
        bpmn_id=info.bpmn_id,
        name=info.name,
        lane=info.lane,
        role=info.role,
        step_kind=info.step_kind,
        duration_days=info.duration_days,
        form_key=info.form_key,
        agency=info.agency,
        instructions=render_instructions(_template(spec, info), data, _environment(task)),
        data=data,
        multi_instance_index=multi_instance_index(task),
        process_id=task.workflow.spec.name,
        reopened=reopened,
    )


def _template(spec: Any, info: TaskSpecInfo) -> str | None:
    """Documentation is the instructions template; Spiff's instructionsForEndUser is the fallback."""
    extensions = getattr(spec, "extensions", None) or {}
    return info.documentation or extensions.get("instructionsForEndUser")


def _fallback_info(spec: Any, process_id: str) -> TaskSpecInfo:
    """Describe a human task that the model index does not know (should not happen)."""
    return TaskSpecInfo(spec.bpmn_id or spec.name, spec.bpmn_name or spec.name, spec.lane, None, None, None,
                        None, None, spec.documentation, 0, process_id)


def multi_instance_index(task: Any) -> int | str | None:
    """Index (or key) of a multi-instance child task, None for ordinary tasks."""
    internal = task.internal_data
    for key in ("key_or_index", "iteration"):
        if internal.get(key) is not None:
            return internal[key]
    parent = task.parent
    if parent is not None and getattr(parent.task_spec, "task_spec", None) == task.task_spec.name:
        siblings = [child for child in parent.children if child.task_spec is task.task_spec]
        return siblings.index(task)
    return None


def _environment(task: Any) -> SandboxEnvironment | None:
    """The sandbox of the workflow's script engine (instructions render under the same limits)."""
    environment = getattr(task.workflow.script_engine, "environment", None)
    return environment if isinstance(environment, SandboxEnvironment) else None


def render_instructions(source: str | None, data: dict[str, Any],
                        environment: SandboxEnvironment | None = None) -> str | None:
    """Render instructions in the sandbox; a broken or over-budget template shows as its raw text.

    A template that blew its budget on some data is not rendered again on the same data in this process,
    so an inbox listing such a task costs nothing after the first time.
    """
    if not source or is_static(source):
        return source
    environment = environment or SandboxEnvironment()
    key = _digest(source, data)
    if key in _OVER_BUDGET:
        return source
    try:
        return environment.render(source, data)
    except ScriptLimitExceeded as exc:
        _remember_over_budget(key)
        logger.warning("Instructions template over budget, shown raw: %s", exc)
    except _RENDER_ERRORS:
        pass
    return source


def _digest(source: str, data: dict[str, Any]) -> str:
    try:
        payload = codec.dumps([source, data])
    except codec.CodecError:
        payload = source.encode()
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _remember_over_budget(key: str) -> None:
    _OVER_BUDGET[key] = None
    while len(_OVER_BUDGET) > _OVER_BUDGET_SIZE:
        _OVER_BUDGET.popitem(last=False)
