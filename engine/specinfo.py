"""Read our `spiffworkflow:property` conventions from parsed specs and from the XML Spiff ignores."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask as ManualTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin

from engine.errors import SpecInvalidError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


class StepKind(enum.StrEnum):
    """The "5 on-site" steps a human task can be (the `step_kind` property), in their legal order."""

    INTAKE = "intake"
    APPRAISAL = "appraisal"
    APPROVAL = "approval"
    STAMPING = "stamping"
    RETURN = "return"


STEP_KINDS = frozenset(StepKind)
_PROPS_XPATH = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


@dataclass(frozen=True)
class TaskSpecInfo:
    """What the app needs to know about a human task, independent of any instance."""

    bpmn_id: str
    name: str
    lane: str | None
    role: str | None
    step_kind: str | None
    duration_days: float | None
    form_key: str | None
    agency: str | None
    documentation: str | None
    order: int
    process_id: str


def element_properties(element: etree._Element) -> dict[str, str]:
    """Return the `spiffworkflow:property` name/value pairs directly under an element."""
    props: dict[str, str] = {}
    for prop in element.xpath(_PROPS_XPATH, namespaces=NSMAP):
        name = prop.get("name")
        if name:
            props[name] = prop.get("value", "")
    return props


def process_properties(process: etree._Element) -> dict[str, Any]:
    """Return process properties, with `legal_days` as a number when it is one."""
    props: dict[str, Any] = dict(element_properties(process))
    if "legal_days" in props:
        props["legal_days"] = _number(props["legal_days"], "legal_days", process.get("id"))
    return props


def lane_roles(roots: Iterable[etree._Element]) -> dict[str, tuple[str | None, str | None]]:
    """Map flow node id -> (lane name, lane role); the innermost lane wins, like Spiff's lane index."""
    result: dict[str, tuple[str | None, str | None]] = {}
    for root in roots:
        for lane in root.iter(f"{{{BPMN_NS}}}lane"):
            role = element_properties(lane).get("role") or None
            for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
                if ref.text:
                    result[ref.text.strip()] = (lane.get("name"), role)
    return result


def document_order(roots: Iterable[etree._Element]) -> dict[str, int]:
    """Index every element id by its position across the documents (stable task ordering)."""
    order: dict[str, int] = {}
    for root in roots:
        for element in root.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id and element_id not in order:
                order[element_id] = len(order)
    return order


def is_human_task(task_spec: Any) -> bool:
    """Tell whether a task spec waits for a person (user or manual task)."""
    return isinstance(task_spec, (UserTaskMixin, ManualTaskMixin))


def task_info(task_spec: Any, process_id: str, lanes: dict, order: dict[str, int]) -> TaskSpecInfo:
    """Build the TaskSpecInfo of one human task spec."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    bpmn_id = task_spec.bpmn_id
    lane_name, role = lanes.get(bpmn_id, (task_spec.lane, None))
    duration = props.get("duration_days")
    return TaskSpecInfo(
        bpmn_id=bpmn_id,
        name=task_spec.bpmn_name or bpmn_id,
        lane=lane_name if lane_name is not None else task_spec.lane,
        role=role,
        step_kind=props.get("step_kind") or None,
        duration_days=None if duration in (None, "") else _number(duration, "duration_days", bpmn_id, as_float=True),
        form_key=props.get("form_key") or None,
        agency=props.get("agency") or None,
        documentation=task_spec.documentation,
        order=order.get(bpmn_id, len(order)),
        process_id=process_id,
    )


def _number(value: str, what: str, element_id: str | None, as_float: bool = False) -> float | int:
    """Parse a numeric property, naming the element when it is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SpecInvalidError(f"property {what}={value!r} is not a number", element_id=element_id) from None
    if number < 0 or number != number or number in (float("inf"),):
        raise SpecInvalidError(f"property {what}={value!r} must be a finite non-negative number", element_id=element_id)
    return number if as_float or not number.is_integer() else int(number)
