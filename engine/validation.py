"""Designer-facing model validation: never raises, always explains."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine import specinfo
from engine.errors import EngineError
from engine.registry import ModelVersion, build_version, parse_sources, spiff_error
from engine.scripting import SandboxEnvironment, SandboxSettings, script_problem
from engine.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

_BPMN = specinfo.BPMN_NS
_SPIFF = specinfo.SPIFF_NS
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_FLOW_OK = {
    "startEvent", "endEvent", "userTask", "task", "subProcess", "manualTask", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "callActivity", "transaction", "adHocSubProcess", "scriptTask",
    "serviceTask", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "receiveTask",
    "sendTask", "eventBasedGateway", "businessRuleTask", "sequenceFlow", "laneSet", "dataObject",
    "dataObjectReference", "dataStoreReference", "textAnnotation", "association", "group",
    "extensionElements", "documentation", "ioSpecification", "property", "auditing", "monitoring",
    "dataInputAssociation", "dataOutputAssociation", "completionCondition", "incoming", "outgoing",
    "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
}
_EVENT_DEFS_OK = {
    "timerEventDefinition", "messageEventDefinition", "signalEventDefinition", "errorEventDefinition",
    "escalationEventDefinition", "terminateEventDefinition", "cancelEventDefinition",
    "conditionalEventDefinition",
}
# (xpath, mode, label): the Python snippets Spiff will run, checked with the sandbox compiler.
_SNIPPETS = (
    (".//bpmn:scriptTask/bpmn:script", "exec", "script"),
    (".//spiffworkflow:preScript", "exec", "pre-script"),
    (".//spiffworkflow:postScript", "exec", "post-script"),
    (".//bpmn:conditionExpression", "eval", "condition"),
    (".//bpmn:timeDate", "eval", "timer expression"),
    (".//bpmn:timeDuration", "eval", "timer expression"),
    (".//bpmn:timeCycle", "eval", "timer expression"),
    (".//bpmn:loopCardinality", "eval", "multi-instance cardinality"),
    (".//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition", "eval", "completion condition"),
)
# The Jinja templates the engine renders for people: a human task's documentation or Spiff instructions.
_TEMPLATES = (
    ".//bpmn:userTask/bpmn:documentation", ".//bpmn:manualTask/bpmn:documentation",
    ".//spiffworkflow:instructionsForEndUser",
)


@dataclass(frozen=True)
class Issue:
    """One finding, anchored to a BPMN element when there is one."""

    element_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.element_id}: {self.message}" if self.element_id else self.message


@dataclass
class ValidationReport:
    """Result of validate_bytes; `ok` is False as soon as there is one error."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    version: ModelVersion | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the model can be deployed."""
        return not self.errors


def validate_bytes(
    data: bytes | str,
    source_name: str = "model.bpmn",
    dmn: Sequence[bytes | str] = (),
    includes: Sequence[bytes | str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    sandbox: SandboxSettings | None = None,
) -> ValidationReport:
    """Check a BPMN file as deeply as loading it would, collecting every finding.

    Instruction templates are test-rendered without data under the run-time sandbox (`sandbox`).
    """
    report = ValidationReport()
    try:
        if is_dmn(parse_xml(data, source_name, max_bytes)):
            return validate_dmn(parse_xml(data, source_name, max_bytes), source_name)
        sources = parse_sources(data, source_name, dmn, includes, max_bytes)
    except EngineError as exc:
        report.errors.append(_issue(exc))
        return report
    roots = [sources.main, *(root for root, _ in sources.includes)]
    _scan_elements(roots, report)
    _check_snippets(roots, report)
    _check_templates(roots, report, SandboxEnvironment(sandbox=sandbox))
    _check_message_catches(roots, report)
    try:
        report.version = build_version(sources, source_name)
    except EngineError as exc:
        if not (report.unsupported and exc.element_id in {issue.element_id for issue in report.errors}):
            report.errors.append(_issue(exc))
    if report.version is not None:
        _check_user_tasks(report.version, report)
    return report


def _issue(exc: EngineError) -> Issue:
    """Turn an engine error into a report line, with its line number when known."""
    line = exc.details.get("line") if exc.details else None
    suffix = f" (line {line})" if line and f"line {line}" not in exc.message else ""
    return Issue(exc.element_id, exc.message + suffix)


def _local(element: etree._Element) -> tuple[str | None, str]:
    """Split an element tag into (namespace, local name)."""
    qname = etree.QName(element)
    return qname.namespace, qname.localname


def _scan_elements(roots: Iterable[etree._Element], report: ValidationReport) -> None:
    """Name BPMN elements Spiff cannot run and vendor extensions it will ignore."""
    vendor: set[str] = set()
    for root in roots:
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            namespace, name = _local(element)
            parent = element.getparent()
            if namespace not in (_BPMN, _SPIFF) and parent is not None and _local(parent)[1] == "extensionElements":
                vendor.add(f"{element.prefix or namespace}:{name}")
            elif namespace == _BPMN and not _supported(element, name, parent):
                _unsupported(report, element, name)
    for name in sorted(vendor):
        report.warnings.append(Issue(None, f"vendor extension {name} is ignored by the engine"))


def _supported(element: etree._Element, name: str, parent: etree._Element | None) -> bool:
    """Tell whether a BPMN element is something the Spiff dialect executes or safely ignores."""
    if name.endswith("EventDefinition"):
        return name in _EVENT_DEFS_OK
    if parent is not None and _local(parent)[1] in _CONTAINERS and _local(parent)[0] == _BPMN:
        return name in _FLOW_OK
    return name not in {"complexGateway", "choreographyTask", "subChoreography", "callChoreography"}


def _unsupported(report: ValidationReport, element: etree._Element, name: str) -> None:
    """Record an unsupported element once by name, with an error naming the instance."""
    if name not in report.unsupported:
        report.unsupported.append(name)
    report.errors.append(Issue(element.get("id"), f"unsupported element bpmn:{name}"))


def _check_snippets(roots: Iterable[etree._Element], report: ValidationReport) -> None:
    """Compile every script and expression with the sandbox rules so errors show at design time."""
    for root in roots:
        for xpath, mode, label in _SNIPPETS:
            for node in root.xpath(xpath, namespaces=specinfo.NSMAP):
                problem = script_problem(node.text or "", mode) if (node.text or "").strip() else None
                if problem:
                    report.errors.append(Issue(_owner_id(node), f"{label}: {problem}"))


def _check_templates(roots: Iterable[etree._Element], report: ValidationReport, sandbox: SandboxEnvironment) -> None:
    """Parse every instructions template and render it once without data, under the run-time limits."""
    for root in roots:
        for xpath in _TEMPLATES:
            for node in root.xpath(xpath, namespaces=specinfo.NSMAP):
                problem = sandbox.template_problem(node.text) if (node.text or "").strip() else None
                if problem:
                    report.errors.append(Issue(_owner_id(node), f"instructions: {problem}"))


def _check_message_catches(roots: Iterable[etree._Element], report: ValidationReport) -> None:
    """Warn when a catching message event has no messageVariable: Spiff would drop the payload."""
    catching = ("intermediateCatchEvent", "boundaryEvent", "startEvent", "receiveTask")
    for root in roots:
        for node in root.iter(f"{{{_BPMN}}}messageEventDefinition"):
            owner = node.getparent()
            has_variable = node.xpath(".//spiffworkflow:messageVariable", namespaces=specinfo.NSMAP)
            if _local(owner)[1] in catching and not has_variable:
                report.warnings.append(Issue(owner.get("id"), "message catch has no spiffworkflow:messageVariable; "
                                                              "the message payload will not reach task data"))


def _owner_id(node: etree._Element) -> str | None:
    """Find the nearest ancestor with an id (the element designers see)."""
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _check_user_tasks(version: ModelVersion, report: ValidationReport) -> None:
    """Warn about human tasks that miss our conventions (they still run)."""
    seen: set[str] = set()
    for process_id in version.process_ids:
        for info in version.user_tasks(process_id):
            if info.bpmn_id in seen:
                continue
            seen.add(info.bpmn_id)
            if info.step_kind is None:
                report.warnings.append(Issue(info.bpmn_id, "user task has no step_kind property"))
            elif info.step_kind not in specinfo.STEP_KINDS:
                allowed = ", ".join(sorted(specinfo.STEP_KINDS))
                message = f"unknown step_kind {info.step_kind!r} (expected {allowed})"
                report.warnings.append(Issue(info.bpmn_id, message))
            if info.role is None:
                report.warnings.append(Issue(info.bpmn_id, "user task is not in a lane with a role property"))


def is_dmn(root: etree._Element) -> bool:
    """Tell DMN documents (validated on their own) from BPMN ones."""
    namespace, name = _local(root)
    return name == "definitions" and "DMN" in (namespace or "").upper()


def validate_dmn(root: etree._Element, source_name: str) -> ValidationReport:
    """Check a DMN file: schema and decision tables parse (Spiff evaluates them lazily otherwise)."""
    report = ValidationReport()
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_dmn_xml(root, filename=source_name)
        for dmn_parser in parser.dmn_parsers.values():
            dmn_parser.parse()
    except Exception as exc:  # noqa: BLE001 - any parser failure is a finding, never a crash
        report.errors.append(_issue(spiff_error(exc, source_name)))
    if not parser.dmn_parsers and not report.errors:
        report.errors.append(Issue(None, "no decision found in DMN file"))
    return report
