"""Motcua lint rules for procedure models, run on the server on every save and deploy.

The rules read our `spiffworkflow:property` conventions (bpmn/README.md): lanes carry a `role`, user tasks a
`step_kind` and `duration_days`, the process its `legal_days`. Durations and step order are taken along the
*critical path*: the longest path from the start event once loop-back flows are ignored (parallel branches
count once, the longest one; call activities count as the critical path of the called process).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from app.core.permissions import OFFICIAL_ROLES
from app.workflow.models import StepKind

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
STEP_ORDER = tuple(StepKind)
_PROPS = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
_HUMAN = {"userTask", "manualTask"}
_NOT_NODES = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "textAnnotation", "association",
              "dataObject", "dataObjectReference", "dataStoreReference", "group", "boundaryEvent", "ioSpecification",
              "property"}


@dataclass(frozen=True)
class Finding:
    """One lint result anchored to a BPMN element; `severity` is error (blocks deploy) or warning."""

    rule: str
    element_id: str | None
    message_vi: str
    message_en: str
    severity: str = "error"


@dataclass
class _Path:
    """Critical path of a container: its total duration and the human tasks on it, in order."""

    days: float = 0.0
    tasks: list[etree._Element] = field(default_factory=list)


def parse(xml: str | bytes) -> etree._Element:
    """Parse model XML without entities, network or huge trees (the engine has already vetted it)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return etree.fromstring(data, parser)


def properties(element: etree._Element) -> dict[str, str]:
    """Return the `spiffworkflow:property` name/value pairs of an element."""
    return {p.get("name"): p.get("value", "") for p in element.xpath(_PROPS, namespaces=NS) if p.get("name")}


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def lint_model(xml: str | bytes) -> list[Finding]:
    """Run every Motcua rule on a model and return the findings (empty: the model is fine)."""
    root = parse(xml)
    findings = check_lane_roles(root)
    for process in main_processes(root):
        findings += check_procedure(root, process)
    return findings


def main_processes(root: etree._Element) -> list[etree._Element]:
    """Executable processes that describe a procedure (they carry a procedure_code)."""
    return [p for p in root.iterfind("bpmn:process", NS)
            if p.get("isExecutable", "true") == "true" and "procedure_code" in properties(p)]


# --- rule: lane-role ------------------------------------------------------------------------

def check_lane_roles(root: etree._Element) -> list[Finding]:
    """Every user task sits in a lane whose `role` is one of the official roles."""
    lane_of = {ref.text.strip(): lane for lane in root.iter(f"{{{BPMN}}}lane")
               for ref in lane.iterfind("bpmn:flowNodeRef", NS) if ref.text}
    findings = []
    for task in root.iter(*(f"{{{BPMN}}}{name}" for name in _HUMAN)):
        lane = lane_of.get(task.get("id"))
        role = properties(lane).get("role") if lane is not None else None
        if lane is None:
            findings.append(_finding("lane-role", task, "Công việc không nằm trong làn (lane) nào.",
                                     "The user task is not in any lane."))
        elif not role:
            label = lane.get("name") or lane.get("id")
            findings.append(_finding("lane-role", task, f"Làn \"{label}\" chưa gán vai trò.",
                                     f"Lane \"{label}\" has no role property."))
        elif role not in OFFICIAL_ROLES:
            findings.append(_finding("lane-role", task, f"Vai trò \"{role}\" không tồn tại.",
                                     f"Unknown role \"{role}\" (expected one of {', '.join(OFFICIAL_ROLES)})."))
    return findings


# --- rules: step-kinds and durations --------------------------------------------------------

def check_procedure(root: etree._Element, process: etree._Element) -> list[Finding]:
    """The five step kinds in order on the critical path, whose durations sum to legal_days."""
    path = critical_path(root, process)
    return check_step_order(process, path.tasks) + check_durations(process, path)


def check_step_order(process: etree._Element, tasks: list[etree._Element]) -> list[Finding]:
    kinds = [properties(task).get("step_kind") for task in tasks]
    findings = [_finding("step-kinds", task, f"Loại bước \"{kind}\" không hợp lệ.",
                         f"Unknown step_kind \"{kind}\" (expected {', '.join(STEP_ORDER)}).")
                for task, kind in zip(tasks, kinds, strict=True) if kind not in STEP_ORDER]
    missing = [kind for kind in STEP_ORDER if kind not in kinds]
    if missing:
        findings.append(_finding("step-kinds", process, f"Quy trình thiếu bước: {', '.join(missing)}.",
                                 f"The main path misses the step kinds: {', '.join(missing)}."))
        return findings
    first = {kind: kinds.index(kind) for kind in STEP_ORDER}
    for before, after in zip(STEP_ORDER, STEP_ORDER[1:], strict=False):
        if first[before] > first[after]:
            findings.append(_finding("step-kinds", tasks[first[after]],
                                     f"Bước \"{after}\" đứng trước bước \"{before}\".",
                                     f"Step \"{after}\" comes before step \"{before}\" on the main path."))
    return findings


def check_durations(process: etree._Element, path: _Path) -> list[Finding]:
    legal = properties(process).get("legal_days")
    try:
        legal_days = float(legal) if legal not in (None, "") else None
    except ValueError:
        legal_days = None
    if legal_days is None:
        return [_finding("durations", process, "Quy trình chưa khai báo legal_days (thời hạn giải quyết).",
                         "The process has no numeric legal_days property.")]
    if legal_days == 0 and path.days <= 1 + 1e-6:  # 0 = the same working day: the steps share that day
        return []
    if abs(path.days - legal_days) > 1e-6:
        return [_finding("durations", process,
                         f"Tổng thời gian các bước trên luồng chính là {path.days:g} ngày, "
                         f"khác thời hạn {legal_days:g} ngày.",
                         f"Step durations on the main path sum to {path.days:g} days, not legal_days {legal_days:g}.")]
    return []


def critical_path(root: etree._Element, container: etree._Element, seen: frozenset[str] = frozenset()) -> _Path:
    """Longest path (in working days) from the container's start event, loop-back flows ignored."""
    nodes = {n.get("id"): n for n in container if isinstance(n.tag, str) and local(n) not in _NOT_NODES}
    outgoing: dict[str, list[str]] = {}
    for flow in container.iterfind("bpmn:sequenceFlow", NS):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [n for n in nodes.values() if local(n) == "startEvent"]
    if not starts:
        return _Path()
    forward = _forward_edges(starts[0].get("id"), outgoing)
    memo: dict[str, _Path] = {}

    def longest(node_id: str) -> _Path:
        if node_id not in memo:
            own = _node_path(root, nodes.get(node_id), seen | {container.get("id")})
            best = max((longest(t) for t in forward.get(node_id, []) if t in nodes), key=lambda p: p.days,
                       default=_Path())
            memo[node_id] = _Path(own.days + best.days, own.tasks + best.tasks)
        return memo[node_id]

    return longest(starts[0].get("id"))


def _forward_edges(start: str, outgoing: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop the back edges found by a depth-first walk from the start (iterative, no recursion limit)."""
    forward: dict[str, list[str]] = {}
    state: dict[str, str] = {start: "open"}
    stack = [(start, iter(outgoing.get(start, [])))]
    while stack:
        node, targets = stack[-1]
        target = next(targets, None)
        if target is None:
            state[node] = "done"
            stack.pop()
        elif state.get(target) != "open":
            forward.setdefault(node, []).append(target)
            if target not in state:
                state[target] = "open"
                stack.append((target, iter(outgoing.get(target, []))))
    return forward


def _node_path(root: etree._Element, node: etree._Element | None, seen: frozenset[str]) -> _Path:
    """A node's own contribution: a human task's duration, or the critical path of what it calls/contains."""
    if node is None:
        return _Path()
    kind = local(node)
    if kind in _HUMAN:
        return _Path(_days(node), [node])
    if kind == "callActivity":
        called = root.find(f"bpmn:process[@id='{node.get('calledElement')}']", NS)
        if called is not None and called.get("id") not in seen:
            return critical_path(root, called, seen)
    if kind in ("subProcess", "transaction"):
        return critical_path(root, node, seen)
    return _Path()


def _days(task: etree._Element) -> float:
    try:
        return float(properties(task).get("duration_days") or 0)
    except ValueError:
        return 0.0


def _finding(rule: str, element: etree._Element, message_vi: str, message_en: str,
             severity: str = "error") -> Finding:
    return Finding(rule, element.get("id"), message_vi, message_en, severity)


HUMAN = frozenset(_HUMAN)


def node_days(root: etree._Element, node: etree._Element) -> float:
    """Working days a node takes: a human task's duration_days, or the critical path of what it calls/contains."""
    return _node_path(root, node, frozenset()).days
