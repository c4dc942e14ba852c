"""Human task views: what the inbox shows for a READY user task."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from SpiffWorkflow.util.task import TaskState

from engine.scripting import ScriptLimitExceeded, ScriptLimits, run_budgeted
from engine.specinfo import TaskSpecInfo

_JINJA = ImmutableSandboxedEnvironment(autoescape=False)
_TEMPLATE_LIMITS = ScriptLimits(max_instructions=2_000_000, max_seconds=1.0)
MAX_INSTRUCTIONS_CHARS = 20_000


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


def ready_human_tasks(workflow: Any) -> list[Any]:
    """READY tasks waiting for a person, in Spiff's deterministic tree order."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def build_view(task: Any, info: TaskSpecInfo | None) -> UserTaskView:
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
        instructions=render_instructions(_template(spec, info), data),
        data=data,
        multi_instance_index=multi_instance_index(task),
        process_id=task.workflow.spec.name,
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


@lru_cache(maxsize=1024)
def _compiled(source: str) -> Any:
    """Compile a template once per source text."""
    return _JINJA.from_string(source)


def render_instructions(source: str | None, data: dict[str, Any]) -> str | None:
    """Render instructions in Jinja's sandbox; a broken template shows as its raw text."""
    if not source:
        return source
    try:
        text = run_budgeted(_TEMPLATE_LIMITS, _compiled(source).render, data)
    except (TemplateError, ScriptLimitExceeded, TypeError, ValueError, ArithmeticError, LookupError, AttributeError):
        return source
    return text[:MAX_INSTRUCTIONS_CHARS]
