"""Model versions: parse BPMN/DMN once, identify them by content hash, cache the specs."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine import specinfo
from engine.errors import ModelNotFoundError, SpecInvalidError
from engine.timers import install_clocked_timers
from engine.xmlsafe import DEFAULT_MAX_BYTES, canonical_bytes, parse_xml

Source = bytes | str
_PROCESS = f"{{{specinfo.BPMN_NS}}}process"
_DEFINITIONS = f"{{{specinfo.BPMN_NS}}}definitions"


@dataclass(eq=False)
class ModelVersion:
    """One immutable, parsed model: BPMN (+ included BPMN and DMN) identified by `hash`."""

    hash: str
    xml: str
    source_name: str
    process_ids: tuple[str, ...]
    main_process_id: str
    dmn: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    has_timers: bool = False
    _specs: dict[str, Any] = field(default_factory=dict, repr=False)
    _deps: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _properties: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _user_tasks: dict[str, list[specinfo.TaskSpecInfo]] = field(default_factory=dict, repr=False)
    _task_infos: dict[str, specinfo.TaskSpecInfo] = field(default_factory=dict, repr=False)

    def properties(self, process_id: str) -> dict[str, Any]:
        """Return the process-level properties (procedure_code, legal_days, cutoff...)."""
        self._require(process_id)
        return dict(self._properties.get(process_id, {}))

    def user_tasks(self, process_id: str) -> list[specinfo.TaskSpecInfo]:
        """Return the human tasks reachable from a process, in document order."""
        self._require(process_id)
        return list(self._user_tasks[process_id])

    def task_info(self, bpmn_id: str) -> specinfo.TaskSpecInfo | None:
        """Return the TaskSpecInfo of a human task by BPMN id."""
        return self._task_infos.get(bpmn_id)

    def spec(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        """Return (process spec, subprocess specs) for running an instance."""
        self._require(process_id)
        return self._specs[process_id], self._deps[process_id]

    def _require(self, process_id: str) -> None:
        """Fail clearly when a process id is not an executable process of this version."""
        if process_id not in self._specs:
            raise ModelNotFoundError(
                f"process {process_id!r} is not an executable process of model {self.hash[:12]}",
                element_id=process_id,
                details={"process_ids": list(self.process_ids)},
            )


def content_hash(bpmn: bytes, dmn: Sequence[bytes] = (), includes: Sequence[bytes] = ()) -> str:
    """Hash the canonical XML; DMN and included BPMN are order-independent."""
    digest = hashlib.sha256(b"bpmn\0" + bpmn)
    for label, parts in ((b"include", includes), (b"dmn", dmn)):
        for part in sorted(parts):
            digest.update(b"\0" + label + b"\0" + hashlib.sha256(part).digest())
    return digest.hexdigest()


def spiff_error(exc: Exception, source_name: str) -> SpecInvalidError:
    """Translate a Spiff parse/validation error into ours, keeping the element."""
    if isinstance(exc, ValidationException):
        return SpecInvalidError(
            f"{exc.file_name or source_name}: {exc.args[0] if exc.args else exc}",
            element_id=getattr(exc, "id", None) or None,
            element_name=getattr(exc, "name", None) or None,
            details={"line": getattr(exc, "line_number", None) or None, "tag": getattr(exc, "tag", None)},
        )
    return SpecInvalidError(f"{source_name}: cannot parse model: {type(exc).__name__}: {exc}")


@dataclass
class ParsedSources:
    """Safely parsed roots plus their canonical bytes."""

    main: etree._Element
    main_c14n: bytes
    includes: list[tuple[etree._Element, bytes]]
    dmn: list[tuple[etree._Element, bytes]]

    @property
    def hash(self) -> str:
        """Content identity of the whole set."""
        return content_hash(self.main_c14n, [c for _, c in self.dmn], [c for _, c in self.includes])


def parse_sources(
    xml: Source, source_name: str, dmn: Iterable[Source], includes: Iterable[Source], max_bytes: int,
) -> ParsedSources:
    """Parse every document with the hardened parser and canonicalise it."""
    main = parse_xml(xml, source_name, max_bytes)
    if main.tag != _DEFINITIONS:
        raise SpecInvalidError(f"{source_name}: not a BPMN 2.0 document (root element {etree.QName(main).localname})")

    def each(items: Iterable[Source], label: str) -> list[tuple[etree._Element, bytes]]:
        """Parse secondary documents, naming them by position."""
        out = []
        for index, item in enumerate(items):
            root = parse_xml(item, f"{source_name}:{label}[{index}]", max_bytes)
            out.append((root, canonical_bytes(root)))
        return out

    return ParsedSources(main, canonical_bytes(main), each(includes, "include"), each(dmn, "dmn"))


def executable_process_ids(root: etree._Element) -> list[str]:
    """List top-level processes that Spiff will execute (isExecutable missing counts as true)."""
    return [p.get("id") for p in root.iter(_PROCESS) if p.get("isExecutable", "true") == "true" and p.get("id")]


def _main_process(root: etree._Element, executable: list[str]) -> str:
    """Pick the entry process: the first executable one that no call activity of the file calls."""
    called = {node.get("calledElement") for node in root.iter(f"{{{specinfo.BPMN_NS}}}callActivity")}
    for process_id in executable:
        if process_id not in called:
            return process_id
    return executable[0]


def build_version(sources: ParsedSources, source_name: str, validate_xsd: bool = True) -> ModelVersion:
    """Run the Spiff parser on already-parsed trees and collect everything the app needs."""
    main_ids = executable_process_ids(sources.main)
    if not main_ids:
        raise SpecInvalidError(f"{source_name}: no executable process (isExecutable=\"true\") found")
    version = ModelVersion(
        hash=sources.hash,
        xml=sources.main_c14n.decode("utf-8"),
        source_name=source_name,
        process_ids=tuple(main_ids),
        main_process_id=_main_process(sources.main, main_ids),
        dmn=tuple(c.decode("utf-8") for _, c in sources.dmn),
        includes=tuple(c.decode("utf-8") for _, c in sources.includes),
        has_timers=any(root.xpath("//bpmn:timerEventDefinition", namespaces=specinfo.NSMAP)
                       for root in (sources.main, *(tree for tree, _ in sources.includes))),
    )
    try:
        parser = _spiff_parser(sources, source_name, validate_xsd)
        _collect_specs(version, parser, main_ids)
    except SpecInvalidError:
        raise
    except (ValidationException, SpiffWorkflowException, etree.LxmlError, KeyError, AttributeError,
            TypeError, ValueError, IndexError, SyntaxError) as exc:
        raise spiff_error(exc, source_name) from None
    _collect_infos(version, sources)
    return version


def _spiff_parser(sources: ParsedSources, source_name: str, validate_xsd: bool) -> SpiffBpmnParser:
    """Feed the trees (never raw bytes) to Spiff so its parsing path cannot be abused."""
    parser = SpiffBpmnParser(validator=VALIDATOR if validate_xsd else None)
    for index, (root, _) in enumerate(sources.dmn):
        parser.add_dmn_xml(root, filename=f"{source_name}:dmn[{index}]")
    parser.add_bpmn_xml(sources.main, filename=source_name)
    for index, (root, _) in enumerate(sources.includes):
        parser.add_bpmn_xml(root, filename=f"{source_name}:include[{index}]")
    return parser


def _collect_specs(version: ModelVersion, parser: SpiffBpmnParser, process_ids: list[str]) -> None:
    """Build and clock the spec of each executable process and its dependencies."""
    for process_id in process_ids:
        spec = parser.get_spec(process_id)
        deps = parser.get_subprocess_specs(process_id)
        install_clocked_timers([spec, *deps.values()])
        version._specs[process_id] = spec
        version._deps[process_id] = deps


def _collect_infos(version: ModelVersion, sources: ParsedSources) -> None:
    """Index process properties and human tasks (with lane roles read from the XML)."""
    roots = [sources.main, *(root for root, _ in sources.includes)]
    lanes = specinfo.lane_roles(roots)
    order = specinfo.document_order(roots)
    for root in roots:
        for process in root.iter(_PROCESS):
            version._properties[process.get("id")] = specinfo.process_properties(process)
    for process_id, spec in version._specs.items():
        infos: dict[str, specinfo.TaskSpecInfo] = {}
        for owner in [spec, *version._deps[process_id].values()]:
            for task_spec in owner.task_specs.values():
                if specinfo.is_human_task(task_spec) and task_spec.bpmn_id not in infos:
                    infos[task_spec.bpmn_id] = specinfo.task_info(task_spec, owner.name, lanes, order)
        version._user_tasks[process_id] = sorted(infos.values(), key=lambda info: info.order)
        version._task_infos.update(infos)


class ModelRegistry:
    """Process-wide cache of parsed model versions keyed by content hash (thread-safe)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._versions: dict[str, ModelVersion] = {}
        self._raw_index: dict[str, str] = {}
        self._lock = threading.Lock()

    def load(
        self,
        xml: Source,
        source_name: str = "model.bpmn",
        dmn: Sequence[Source] = (),
        includes: Sequence[Source] = (),
    ) -> ModelVersion:
        """Parse (or fetch from cache) a model; `includes` are BPMN files holding called processes.

        :raises SpecInvalidError: unsafe, malformed or unsupported model.
        """
        raw_key = _raw_key(xml, dmn, includes)
        cached = self._raw_index.get(raw_key)
        if cached in self._versions:
            return self._versions[cached]
        sources = parse_sources(xml, source_name, dmn, includes, self.max_bytes)
        version = self._versions.get(sources.hash) or build_version(sources, source_name)
        with self._lock:
            version = self._versions.setdefault(version.hash, version)
            self._raw_index[raw_key] = version.hash
        return version

    def get(self, model_hash: str) -> ModelVersion:
        """Return a registered version.

        :raises ModelNotFoundError: the hash was never loaded in this process.
        """
        try:
            return self._versions[model_hash]
        except KeyError:
            raise ModelNotFoundError(f"model {model_hash!r} is not registered") from None

    def register(self, version: ModelVersion) -> ModelVersion:
        """Add a version built elsewhere (e.g. another registry); the first one for a hash wins."""
        with self._lock:
            return self._versions.setdefault(version.hash, version)

    def __contains__(self, model_hash: object) -> bool:
        return model_hash in self._versions


def _raw_key(xml: Source, dmn: Sequence[Source], includes: Sequence[Source]) -> str:
    """Fingerprint raw inputs so re-loading identical bytes skips even the XML parse."""
    digest = hashlib.sha256()
    for part in (xml, *includes, b"\0dmn", *dmn):
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()
