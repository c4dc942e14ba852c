"""Import diagrams drawn in other modelers as drafts, with a per-element conversion report.

Camunda 7/8, Signavio, Trisotech, Bizagi and descriptive diagrams are rarely executable as they come:
conditions are JUEL or FEEL, processes are marked non-executable, link events and compensation appear.
`import_bytes` never raises: it converts what it safely can (the original kept in the report), and lists
what still blocks publishing with the element's id and name and how to fix it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from engine import specinfo
from engine.errors import EngineError
from engine.sandbox import script_problem
from engine.validation import ValidationReport, validate_bytes
from engine.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

_BPMN = specinfo.BPMN_NS
_NS = specinfo.NSMAP
_BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
# A relative namespace URI makes canonical XML (and so the content hash) impossible.
_RELATIVE_NS_RE = re.compile(r"""xmlns(:[A-Za-z_][\w.-]*)?\s*=\s*(["'])([^"':]+)\2""")

CONVERTED, BLOCKER, INFO = "converted", "blocker", "info"


@dataclass(frozen=True)
class Finding:
    """One line of the conversion report, anchored to a BPMN element when there is one."""

    kind: str
    element_id: str | None
    element_name: str | None
    message: str
    fix: str | None = None
    original: str | None = None
    converted: str | None = None

    def __str__(self) -> str:
        where = self.element_id or "-"
        if self.element_name:
            where += f" ({self.element_name})"
        text = f"[{self.kind}] {where}: {self.message}"
        if self.original is not None:
            text += f" [{self.original!r} -> {self.converted!r}]"
        return text + (f" — fix: {self.fix}" if self.fix else "")


@dataclass
class ImportResult:
    """The converted model (None when the file cannot be read at all) and the report."""

    xml: bytes | None
    findings: list[Finding] = field(default_factory=list)
    validation: ValidationReport | None = field(default=None, repr=False)

    @property
    def blockers(self) -> list[Finding]:
        """Findings that keep the draft from being published."""
        return [f for f in self.findings if f.kind == BLOCKER]

    @property
    def publishable(self) -> bool:
        """True when the converted model passes the same checks as deployment."""
        return self.xml is not None and not self.blockers

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready report for the designer and the CLI."""
        return {"publishable": self.publishable, "findings": [asdict(f) for f in self.findings]}


def import_bytes(
    data: bytes | str,
    source_name: str = "model.bpmn",
    *,
    make_executable: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Convert a BPMN file from any modeler into an engine draft; never raises."""
    try:
        return _import(data, source_name, make_executable, max_bytes)
    except EngineError as exc:
        return ImportResult(None, [Finding(BLOCKER, exc.element_id, None, exc.message,
                                           "fix the file in its modeler and export it again as BPMN 2.0 XML")])
    except Exception as exc:  # noqa: BLE001 - an odd file is a finding, never a traceback
        reason = f"the file cannot be read as BPMN ({type(exc).__name__})"
        return ImportResult(None, [Finding(BLOCKER, None, None, reason,
                                           "export the diagram again as BPMN 2.0 XML")])


def _import(data: bytes | str, source_name: str, make_executable: bool, max_bytes: int) -> ImportResult:
    findings: list[Finding] = []
    root = parse_xml(_absolute_namespaces(data, findings), source_name, max_bytes)
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != _BPMN:
        return ImportResult(None, [Finding(BLOCKER, None, None, "not a BPMN 2.0 file (root is not bpmn:definitions)",
                                           "export the diagram as BPMN 2.0 XML")])
    processes = root.findall(f"{{{_BPMN}}}process")
    if not processes:
        findings.append(Finding(BLOCKER, None, None, "the file has no process (only a collaboration or diagram)",
                                "draw the process in a pool and export again"))
    for process in processes:
        _executable(process, make_executable, findings)
    _convert_conditions(root, findings)
    _convert_timers(root, findings)
    _translate_links(root, findings)
    _report_compensation(root, findings)
    _report_vendor(root, findings)
    if root.find(f"{{{_BPMNDI}}}BPMNDiagram") is None:
        findings.append(Finding(INFO, None, None, "the diagram has no layout; the designer lays it out automatically"))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    validation = validate_bytes(xml, source_name, max_bytes=max_bytes)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    names = {key: el.get("name") for key, el in elements.items()}
    explained = {f.element_id for f in findings if f.kind == BLOCKER and f.element_id}
    for issue in validation.errors:
        parent = elements[issue.element_id].getparent() if issue.element_id in elements else None
        descriptive = "no executable process" in issue.message and any(
            f.message.startswith("descriptive process") or "has no process" in f.message for f in findings)
        if descriptive or issue.element_id in explained or (parent is not None and parent.get("id") in explained):
            continue  # one clear line per element: the importer's own explanation
        findings.append(Finding(BLOCKER, issue.element_id, names.get(issue.element_id), issue.message,
                                _fix_for(issue.message)))
    for issue in validation.warnings:
        if issue.message.startswith("vendor extension"):
            continue  # already listed per element above
        findings.append(Finding(INFO, issue.element_id, names.get(issue.element_id), issue.message,
                                _fix_for(issue.message)))
    return ImportResult(xml, findings, validation)


def _absolute_namespaces(data: bytes | str, findings: list[Finding]) -> bytes | str:
    """Make relative namespace URIs absolute (canonical XML forbids them); report each one."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16: the byte scan below only reads ASCII-compatible encodings
    pattern = re.compile(_RELATIVE_NS_RE.pattern.encode())
    for match in pattern.finditer(raw):
        prefix = (match.group(1) or b"").decode("latin-1")
        uri = match.group(3).decode("latin-1")
        findings.append(Finding(CONVERTED, None, None, f"relative namespace URI of xmlns{prefix} made absolute "
                                "(canonical XML needs absolute URIs)", original=uri, converted=f"urn:motcua:ns:{uri}"))
    return pattern.sub(lambda m: b"xmlns" + (m.group(1) or b"") + b"=" + m.group(2) + b"urn:motcua:ns:"
                       + m.group(3) + m.group(2), raw)


def _name(element: etree._Element) -> str | None:
    return element.get("name")


def _executable(process: etree._Element, make_executable: bool, findings: list[Finding]) -> None:
    """Descriptive processes (isExecutable false or missing) run only when the designer asks for it."""
    if process.get("isExecutable") == "true":
        return
    if make_executable:
        original = process.get("isExecutable") or "(missing)"
        process.set("isExecutable", "true")
        findings.append(Finding(CONVERTED, process.get("id"), _name(process), "descriptive process marked executable",
                                original=original, converted="true"))
    else:
        findings.append(Finding(BLOCKER, process.get("id"), _name(process),
                                "descriptive process (isExecutable is not true): the engine will not run it",
                                "import again with 'mark executable' (python -m engine import --executable)"))


# --- JUEL and FEEL conditions --------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<num>\d+(?:\.\d+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|>=|<=|&&|\|\||\.\.|[<>=!()\[\],.+\-*/]))""", re.VERBOSE)
_JUEL_WORDS = {"eq": "==", "ne": "!=", "gt": ">", "lt": "<", "ge": ">=", "le": "<=", "and": "and", "or": "or",
               "not": "not", "empty": "not", "true": "True", "false": "False", "null": "None", "div": "/"}
_JUEL_OPS = {"&&": "and", "||": "or", "!": "not"}
_FEEL_WORDS = {"and": "and", "or": "or", "not": "not", "in": "in", "true": "True", "false": "False", "null": "None"}
_FEEL_UNSUPPORTED = {"some", "every", "satisfies", "for", "return", "if", "then", "else", "between", "instance",
                     "function", "date", "time", "duration"}


class Unconvertible(ValueError):
    """The expression uses something beyond simple comparisons and boolean logic."""


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if not expr[pos:].strip():
            break
        match = _TOKEN_RE.match(expr, pos)
        if not match or match.end() == pos:
            raise Unconvertible(f"unexpected character {expr[pos:].strip()[0]!r}")
        kind = match.lastgroup or "op"
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def juel_to_python(expr: str) -> str:
    """`${amount > 1000 && risk eq 'high'}` → `amount > 1000 and risk == 'high'`."""
    body = expr.strip()
    if not (body[:2] in ("${", "#{") and body.endswith("}")):
        raise Unconvertible("not a JUEL ${...} expression")
    return _translate(body[2:-1], _juel_token)


def feel_to_python(expr: str) -> str:
    """`= status = "approved" and amount >= 5` → `status == "approved" and amount >= 5`."""
    body = expr.strip()
    if body.startswith("="):
        body = body[1:]
    return _translate(body, _feel_token)


def _juel_token(kind: str, value: str, previous: tuple[str, str] | None) -> str:
    if kind == "name":
        return _JUEL_WORDS.get(value, value)
    if value in _JUEL_OPS:
        return _JUEL_OPS[value]
    if value == "=":
        raise Unconvertible("assignment '=' in a condition")
    return value


def _feel_token(kind: str, value: str, previous: tuple[str, str] | None) -> str:
    if kind == "name":
        if value in _FEEL_UNSUPPORTED:
            raise Unconvertible(f"FEEL '{value}' is not a simple condition")
        return _FEEL_WORDS.get(value, value)
    if value == "=":
        return "=="
    if value in ("..", "!"):
        raise Unconvertible(f"FEEL '{value}' (ranges) is not a simple condition")
    return value


def _translate(body: str, token: Callable[[str, str, tuple[str, str] | None], str]) -> str:
    tokens = _tokens(body)
    if not tokens:
        raise Unconvertible("empty expression")
    parts: list[str] = []
    previous: tuple[str, str] | None = None
    for kind, value in tokens:
        if value == "." and previous and previous[0] == "name":
            raise Unconvertible("property or method access (a.b) needs a script")
        keyword = previous and previous[1] in ("not", "and", "or", "in", "empty")
        if value == "(" and previous and previous[0] == "name" and not keyword:
            raise Unconvertible(f"function call {previous[1]}(...) needs a script")
        parts.append(token(kind, value, previous))
        previous = (kind, value)
    python = " ".join(parts).replace("( ", "(").replace(" )", ")").replace("[ ", "[").replace(" ]", "]")
    python = python.replace(" ,", ",")
    problem = script_problem(python, "eval")
    if problem:
        raise Unconvertible(problem)
    return python


def _convert_conditions(root: etree._Element, findings: list[Finding]) -> None:
    """Rewrite JUEL/FEEL sequence-flow conditions as Python; keep the original in the report."""
    for node in root.iter(f"{{{_BPMN}}}conditionExpression"):
        original = (node.text or "").strip()
        owner = node.getparent()
        if not original:
            continue
        if original.startswith(("${", "#{")):
            dialect, convert = "JUEL", juel_to_python
        elif original.startswith("=") or "feel" in (node.get("language") or "").lower():
            dialect, convert = "FEEL", feel_to_python
        elif script_problem(original, "eval") is None:
            continue
        else:
            dialect, convert = "FEEL", feel_to_python
        try:
            python = convert(original)
        except Unconvertible as exc:
            findings.append(Finding(BLOCKER, owner.get("id"), _name(owner),
                                    f"{dialect} condition cannot be converted: {exc}",
                                    "rewrite it as a Python expression over the task data (e.g. amount > 5 and ok)",
                                    original=original))
            continue
        node.text = python
        node.attrib.pop("language", None)
        findings.append(Finding(CONVERTED, owner.get("id"), _name(owner), f"{dialect} condition converted to Python",
                                original=original, converted=python))


_ISO_TIMER_RE = re.compile(
    r"^(?:R\d*/)?(?:P[\dYMWDTHS.]+|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)(?:/P[\dYMWDTHS.]+)?$")


def _convert_timers(root: etree._Element, findings: list[Finding]) -> None:
    """Camunda writes timers as bare ISO 8601 (`PT2H`); the engine evaluates an expression, so quote them."""
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(f"{{{_BPMN}}}{tag}"):
            original = (node.text or "").strip()
            value = original[1:].strip().strip('"') if original.startswith("=") else original
            if _ISO_TIMER_RE.match(value):
                node.text = repr(value)
                owner = _owner(node)
                findings.append(Finding(CONVERTED, owner.get("id"), _name(owner), f"timer {tag} quoted for the engine",
                                        original=original, converted=node.text))


def _owner(node: etree._Element) -> etree._Element:
    while node.getparent() is not None and not node.get("id"):
        node = node.getparent()
    return node


def _translate_links(root: etree._Element, findings: list[Finding]) -> None:
    """SpiffWorkflow has no link events: join each throw to its catch (same name) with a sequence flow."""
    for container in root.iter(f"{{{_BPMN}}}process", f"{{{_BPMN}}}subProcess"):
        catches: dict[str, etree._Element] = {}
        throws: list[tuple[etree._Element, str]] = []
        for event in container:
            definition = event.find(f"{{{_BPMN}}}linkEventDefinition")
            if definition is None:
                continue
            name = definition.get("name") or event.get("name") or ""
            if etree.QName(event).localname == "intermediateCatchEvent":
                catches[name] = event
            else:
                throws.append((event, name))
        for event, name in throws:
            target = catches.get(name)
            if target is None:
                findings.append(Finding(BLOCKER, event.get("id"), _name(event),
                                        f"link throw event {name!r} has no catch event of that name in this process",
                                        "add the matching link catch event or draw a sequence flow"))
                continue
            flow_id = f"Flow_link_{event.get('id')}_{target.get('id')}"
            flow = etree.SubElement(container, f"{{{_BPMN}}}sequenceFlow", id=flow_id,
                                    sourceRef=event.get("id"), targetRef=target.get("id"))
            flow.tail = None
            etree.SubElement(event, f"{{{_BPMN}}}outgoing").text = flow_id
            incoming = etree.Element(f"{{{_BPMN}}}incoming")
            incoming.text = flow_id
            target.insert(_after_extensions(target), incoming)
            findings.append(Finding(CONVERTED, event.get("id"), _name(event),
                                    f"link event {name!r} translated to a sequence flow to {target.get('id')}",
                                    original=f"link {name}", converted=flow_id))
        for event in [*catches.values(), *(e for e, _ in throws)]:
            definition = event.find(f"{{{_BPMN}}}linkEventDefinition")
            if definition is not None:
                event.remove(definition)
            event.tag = f"{{{_BPMN}}}intermediateThrowEvent"


def _after_extensions(element: etree._Element) -> int:
    """Index after documentation/extensionElements, where BPMN wants incoming/outgoing."""
    index = 0
    for index, child in enumerate(element):  # noqa: B007
        if etree.QName(child).localname not in ("documentation", "extensionElements"):
            return index
    return len(element)


def _report_compensation(root: etree._Element, findings: list[Finding]) -> None:
    """The engine cannot run compensation: say where it is and what to draw instead."""
    for definition in root.iter(f"{{{_BPMN}}}compensateEventDefinition"):
        owner = definition.getparent()
        findings.append(Finding(BLOCKER, owner.get("id"), _name(owner),
                                "compensation event: the engine cannot run compensation",
                                "model the undo as explicit tasks on an error or cancel path, then remove this event"))
    for activity in root.xpath("//bpmn:*[@isForCompensation='true']", namespaces=_NS):
        findings.append(Finding(BLOCKER, activity.get("id"), _name(activity), "compensation handler activity",
                                "connect it with sequence flows on the path that undoes the work, "
                                "and clear isForCompensation"))


def _report_vendor(root: etree._Element, findings: list[Finding]) -> None:
    """Vendor attributes and extensions (camunda:, zeebe:, signavio:, ...) are kept but ignored: say which."""
    seen: dict[str, etree._Element] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = etree.QName(element).namespace
        if namespace not in (_BPMN, specinfo.SPIFF_NS, _BPMNDI) and element.getparent() is not None \
                and etree.QName(element.getparent()).localname == "extensionElements":
            seen.setdefault(f"{element.prefix or namespace}:{etree.QName(element).localname}", _owner(element))
        for attr in element.attrib:
            attr_ns = etree.QName(attr).namespace
            if attr_ns and attr_ns not in (_BPMN, specinfo.SPIFF_NS, "http://www.w3.org/2001/XMLSchema-instance"):
                prefix = next((p for p, u in (element.nsmap or {}).items() if u == attr_ns), attr_ns)
                seen.setdefault(f"{prefix}:{etree.QName(attr).localname}", _owner(element))
    for name, owner in sorted(seen.items()):
        findings.append(Finding(INFO, owner.get("id"), _name(owner), f"vendor extension {name} is kept but ignored",
                                "set the equivalent in the properties panel (lane role, step kind, form)"))


def _fix_for(message: str) -> str | None:
    """A hint for the common validation findings."""
    hints = (
        ("Service Task must have an operator", "make it a user task or a script task; the engine has no "
                                               "Java delegates or job workers"),
        ("unsupported element bpmn:complexGateway", "replace it with an exclusive or inclusive gateway"),
        ("unsupported element", "replace it with a supported element (task, gateway, event)"),
        ("condition", "write the condition as a Python expression over the task data"),
        ("step_kind", "set the step kind (tiếp nhận, thẩm định, phê duyệt, ...) in the properties panel"),
        ("lane with a role", "put the task in a lane and set the lane's role"),
        ("no executable process", "import again with 'mark executable'"),
        ("messageVariable", "set the message variable in the properties panel"),
        ("script", "rewrite the script in Python"),
    )
    return next((fix for needle, fix in hints if needle in message), None)
