"""DMN decision tables on their own: read, check and evaluate them exactly as a business rule task would."""
from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import EngineError, ScriptError, SpecInvalidError
from engine.registry import ModelRegistry
from engine.sandbox import script_problem
from engine.scripting import ScriptLimits, check_data, make_script_engine
from engine.timers import clock_at
from engine.validation import Issue, is_dmn, validate_dmn
from engine.xmlsafe import DEFAULT_MAX_BYTES, canonical_bytes, parse_xml

# Spiff evaluates hit policies UNIQUE (first match) and COLLECT; any other policy returns the first match,
# which is only what FIRST means. Aggregations (COLLECT SUM...) are ignored by Spiff, so they are refused.
SUPPORTED_HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # Spiff's rule: a `?` outside quotes
_PROBE_ID = "motcua_decide"


@dataclass(frozen=True)
class DecisionInput:
    """One input column: its expression and, when the expression is a plain name, the variable it reads."""

    id: str
    label: str
    expression: str
    type_ref: str

    @property
    def variable(self) -> str | None:
        return self.expression if _IDENTIFIER.match(self.expression) else None


@dataclass(frozen=True)
class DecisionOutput:
    """One output column; `name` is the key the result is stored under."""

    id: str
    label: str
    name: str
    type_ref: str


@dataclass(frozen=True)
class Decision:
    """A decision with its (single) decision table."""

    id: str
    name: str
    hit_policy: str
    inputs: tuple[DecisionInput, ...]
    outputs: tuple[DecisionOutput, ...]
    rule_count: int


@dataclass(frozen=True)
class DecisionFile:
    """A parsed DMN document identified by the sha256 of its canonical XML."""

    hash: str
    xml: str
    name: str | None
    decisions: tuple[Decision, ...]

    def decision(self, decision_id: str) -> Decision:
        """Return a decision of the file by id."""
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        raise SpecInvalidError(f"no decision {decision_id!r} in this DMN file", element_id=decision_id)


def read_decisions(data: bytes | str, source_name: str = "decision.dmn",
                   max_bytes: int = DEFAULT_MAX_BYTES) -> DecisionFile:
    """Parse a DMN file safely and describe its decisions; whitespace and attribute order do not change the hash.

    :raises SpecInvalidError: unsafe or malformed XML, or not a DMN document.
    """
    root = parse_xml(data, source_name, max_bytes)
    if not is_dmn(root):
        raise SpecInvalidError(f"{source_name}: not a DMN document (root element {etree.QName(root).localname})")
    canonical = canonical_bytes(root)
    decisions = tuple(_decision(node) for node in root.iter(_tag(root, "decision")))
    return DecisionFile(hashlib.sha256(canonical).hexdigest(), canonical.decode("utf-8"), root.get("name"), decisions)


def _tag(root: etree._Element, name: str) -> str:
    """Qualified DMN tag in the document's own DMN namespace (1.1, 1.2 or 1.3)."""
    return f"{{{etree.QName(root).namespace}}}{name}"


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _text(node: etree._Element | None) -> str:
    found = _children(node, "text") if node is not None else []
    return (found[0].text or "").strip() if found else ""


def _input_expression(column: etree._Element) -> etree._Element | None:
    found = _children(column, "inputExpression")
    return found[0] if found else None


def _input(column: etree._Element) -> DecisionInput:
    expression = _input_expression(column)
    type_ref = expression.get("typeRef", "") if expression is not None else ""
    return DecisionInput(column.get("id", ""), column.get("label", ""), _text(expression), type_ref)


def _decision(node: etree._Element) -> Decision:
    tables = _children(node, "decisionTable")
    if not tables:
        return Decision(node.get("id", ""), node.get("name", ""), "", (), (), 0)
    table = tables[0]
    inputs = tuple(_input(column) for column in _children(table, "input"))
    outputs = tuple(DecisionOutput(o.get("id", ""), o.get("label", ""), o.get("name", ""), o.get("typeRef", ""))
                    for o in _children(table, "output"))
    policy = table.get("hitPolicy", "UNIQUE").upper()
    return Decision(node.get("id", ""), node.get("name", ""), policy, inputs, outputs, len(_children(table, "rule")))


# --- checks ---------------------------------------------------------------------------------

def check_decisions(data: bytes | str, source_name: str = "decision.dmn") -> list[Issue]:
    """List every problem that would stop the engine from evaluating the file; never raises."""
    try:
        root = parse_xml(data, source_name)
        if not is_dmn(root):
            raise SpecInvalidError(f"{source_name}: not a DMN document (root element {etree.QName(root).localname})")
    except EngineError as exc:
        return [Issue(exc.element_id, exc.message)]
    issues = list(validate_dmn(root, source_name).errors)
    if issues:
        return issues
    for table in root.iter(_tag(root, "decisionTable")):
        issues.extend(_check_table(table))
    return issues


def _check_table(table: etree._Element) -> list[Issue]:
    """Hit policy, output names and every cell compiled the way Spiff will run it, in the sandbox."""
    issues = []
    policy = table.get("hitPolicy", "UNIQUE").upper()
    if policy not in SUPPORTED_HIT_POLICIES or table.get("aggregation"):
        shown = policy + (f" {table.get('aggregation')}" if table.get("aggregation") else "")
        issues.append(Issue(table.get("id"), f"hit policy {shown} is not supported "
                                             f"(use {', '.join(SUPPORTED_HIT_POLICIES)})"))
    columns = _children(table, "input")
    inputs = [_text(_input_expression(column)) for column in columns]
    for column, expression in zip(columns, inputs, strict=True):
        problem = script_problem(expression, "eval") if expression else "input expression is empty"
        if problem:
            issues.append(Issue(column.get("id"), f"input expression: {problem}"))
    for column in _children(table, "output"):
        if not column.get("name"):
            issues.append(Issue(column.get("id"), "output column has no name (the result variable)"))
    for rule in _children(table, "rule"):
        issues.extend(_check_rule(rule, inputs))
    return issues


def _check_rule(rule: etree._Element, inputs: list[str]) -> list[Issue]:
    issues = []
    for entry, expression in zip(_children(rule, "inputEntry"), inputs, strict=False):
        problem = _input_entry_problem(_text(entry), expression or "x")
        if problem:
            issues.append(Issue(entry.get("id"), f"rule {rule.get('id')}: input entry {_text(entry)!r}: {problem}"))
    for entry in _children(rule, "outputEntry"):
        text = _text(entry)
        problem = script_problem(text, "eval") if text else None
        if problem:
            issues.append(Issue(entry.get("id"), f"rule {rule.get('id')}: output entry {text!r}: {problem}"))
    return issues


def _input_entry_problem(text: str, expression: str) -> str | None:
    """Compile an input cell as Spiff's DMNEngine would combine it with the input expression."""
    if not text or text == "-":
        return None
    if _QUESTION.search(text):
        return script_problem(_QUESTION.sub("dmninputexpr", text), "eval")
    try:
        if isinstance(ast.parse(text, mode="eval").body, ast.Tuple):
            return "lists of values (FEEL \"a\",\"b\") never match here; write one rule per value"
        combined = f"({expression}) == ({text})"
    except SyntaxError:
        combined = f"{expression} {text}"
    problem = script_problem(combined, "eval")
    return f"not a supported expression (e.g. \"do_thi\", < 100, >= 500, 100 <= ? < 500): {problem}" \
        if problem else None


# --- evaluation -----------------------------------------------------------------------------

_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="motcua_decide_defs"
  targetNamespace="https://motcua.example/bpmn">
  <bpmn:process id="motcua_decide" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" name="decide">
      <bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def evaluate_decision(
    dmn: bytes | str,
    decision_id: str,
    inputs: Mapping[str, Any],
    *,
    registry: ModelRegistry | None = None,
    helpers: Mapping[str, Callable[..., Any]] | None = None,
    limits: ScriptLimits | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run one decision through a business rule task in the sandbox; return its outputs ({} when no rule matches).

    Pass a long-lived `registry` to parse each DMN content only once.

    :raises SpecInvalidError: the DMN cannot be loaded or has no such decision.
    :raises ScriptError: a cell failed to evaluate with these inputs (element = the decision).
    """
    described = read_decisions(dmn).decision(decision_id)
    if not _IDENTIFIER.match(decision_id):
        raise SpecInvalidError(f"decision id {decision_id!r} is not a valid identifier", element_id=decision_id)
    version = (registry or ModelRegistry()).load(_PROBE.replace("{decision_id}", decision_id),
                                                 f"{decision_id}.probe.bpmn", dmn=[dmn])
    spec, deps = version.spec(_PROBE_ID)
    data = dict(inputs)
    try:
        check_data(data, limits or ScriptLimits())
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    workflow = BpmnWorkflow(spec, deps, script_engine=make_script_engine(helpers, limits))
    workflow.task_tree.data.update(data)
    try:
        with clock_at(now) if now else nullcontext():
            workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise ScriptError(_failure(exc), element_id=decision_id, element_name=described.name) from exc
    return {out.name: workflow.data[out.name] for out in described.outputs if out.name in workflow.data}


def _failure(exc: SpiffWorkflowException) -> str:
    """Spiff's message names the cell expression; the underlying error says what was wrong with the inputs."""
    cause = exc.__cause__ or exc.__context__
    message = str(exc.args[0]) if exc.args else str(exc)
    return f"{message}: {type(cause).__name__}: {cause}" if cause else message


