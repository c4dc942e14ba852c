"""Designer services: model library, save (draft) and deploy (publish) with server-side lint, import, diff."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import func, select

from app.auth.models import User
from app.catalog.models import Procedure
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.designer import lint
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.models import ProcessVersion

logger = logging.getLogger(__name__)


@dataclass
class ModelEntry:
    """A process model in the library: its procedure (if catalogued) and versions, newest first."""

    process_key: str
    procedure: Procedure | None
    versions: list[ProcessVersion] = field(default_factory=list)
    running: dict[int, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.procedure.name if self.procedure else (self.versions[0].name or self.process_key)


@dataclass
class SaveResult:
    """Outcome of a save: the (possibly pre-existing) version and the lint findings still open."""

    version: ProcessVersion
    created: bool
    findings: list[lint.Finding]
    warnings: list[lint.Finding]


class ModelInvalidError(ValidationError):
    """The engine cannot run the model; `details["errors"]["findings"]` lists the elements at fault."""

    code = "model_invalid"


def running_counts() -> dict[int, int]:
    """Open dossiers per process version, in one grouped query."""
    query = (select(Dossier.process_version_id, func.count()).where(Dossier.status.in_(OPEN_STATUSES))
             .group_by(Dossier.process_version_id))
    return dict(db.session.execute(query).all())


def list_library() -> list[ModelEntry]:
    """Every process model with its versions and the number of running dossiers per version (3 queries)."""
    # several dated procedures may run one model: the latest in force names it (later rows win the dict)
    procedures = {p.process_key: p for p in db.session.scalars(select(Procedure).order_by(
        Procedure.effective_from.asc().nulls_first(), Procedure.id))}
    counts = running_counts()
    entries: dict[str, ModelEntry] = {}
    for version in workflow.list_versions():
        entry = entries.setdefault(version.process_key, ModelEntry(version.process_key,
                                                                    procedures.get(version.process_key)))
        entry.versions.append(version)
        entry.running[version.id] = counts.get(version.id, 0)
    return sorted(entries.values(), key=lambda e: e.process_key)


def get_version(version_id: int) -> ProcessVersion:
    version = db.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFoundError("Không tìm thấy phiên bản mô hình.", "Model version not found.")
    return version


def get_version_by_number(process_key: str, number: int) -> ProcessVersion:
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == process_key,
                                                             ProcessVersion.number == number))
    if version is None:
        raise NotFoundError(f"Không có phiên bản {number} của {process_key}.", f"No version {number} of {process_key}.")
    return version


def latest_any(process_key: str) -> ProcessVersion:
    """Newest version of a model whatever its status (what the editor opens)."""
    versions = workflow.list_versions(process_key)
    if not versions:
        raise NotFoundError(f"Không có mô hình {process_key}.", f"No model {process_key}.")
    return versions[0]


def findings_as_dicts(findings: list[lint.Finding]) -> list[dict[str, Any]]:
    return [{"element_id": f.element_id, "message_vi": f.message_vi, "message_en": f.message_en,
             "rule": f.rule, "severity": f.severity} for f in findings]


def check(xml: str | bytes, source_name: str) -> tuple[workflow.ModelCheck, list[lint.Finding]]:
    """Engine validation plus (when the engine accepts the model) our lint rules."""
    report = workflow.check_model(xml, source_name)
    engine_findings = [lint.Finding("engine", element_id, message, message) for element_id, message in report.errors]
    if engine_findings:
        return report, engine_findings
    return report, lint.lint_model(xml)


def check_publishable(xml: str | bytes, source_name: str) -> workflow.ModelCheck:
    """Refuse a model that may not be published (engine, sandbox compilation and lint errors).

    Engine errors include scripts that do not compile under RestrictedPython and instruction templates that
    do not parse or blow the sandbox budget even without data.

    :raises ModelInvalidError: with every finding (422).
    """
    report, findings = check(xml, source_name)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        _raise_invalid(errors, report.unsupported)
    return report


def publish_model(actor: User, xml: str | bytes, source_name: str,
                  comment: str | None = None) -> tuple[ProcessVersion, bool]:
    """Check a model exactly as the designer's publish does, then deploy it as a published version."""
    check_publishable(xml, source_name)
    version, created = workflow.deploy_model(actor.username, xml, source_name, comment)
    logger.info("Model %s v%s published by %s (%s)", version.process_key, version.number, actor.username,
                "new" if created else "unchanged")
    return version, created


def _raise_invalid(findings: list[lint.Finding], unsupported: list[str]) -> None:
    names = ", ".join(unsupported)
    raise ModelInvalidError(
        "Mô hình không hợp lệ" + (f" (phần tử không hỗ trợ: {names})" if names else "") + ".",
        "The model is invalid" + (f" (unsupported elements: {names})" if names else "") + ".",
        details={"errors": {"findings": findings_as_dicts(findings), "unsupported": unsupported}})


def save_draft(actor: User, xml: str | bytes, *, process_key: str | None = None, comment: str | None = None,
               source_name: str | None = None) -> SaveResult:
    """Validate on the server and store the model as a draft version (identical content: same version)."""
    report, findings = check(xml, source_name or f"{process_key or 'model'}.bpmn")
    if any(f.rule == "engine" for f in findings):
        _raise_invalid(findings, report.unsupported)
    if process_key and report.process_key != process_key:
        raise ValidationError(f"Mô hình phải giữ mã quy trình {process_key} (đang là {report.process_key}).",
                              f"The model must keep the process id {process_key} (got {report.process_key}).")
    version, created = workflow.deploy_model(actor.username, xml, source_name or f"{report.process_key}.bpmn",
                                             comment=comment, status="draft")
    warnings = [lint.Finding("engine", e, m, m, "warning") for e, m in report.warnings]
    logger.info("Model %s v%s saved by %s (%s)", version.process_key, version.number, actor.username,
                "new" if created else "unchanged")
    return SaveResult(version, created, findings, warnings)


def deploy_version(actor: User, version_id: int, comment: str) -> ProcessVersion:
    """Publish a draft: lint again on the server; new dossiers then start on it."""
    version = get_version(version_id)
    if not (comment or "").strip():
        raise ValidationError("Cần ghi chú nội dung thay đổi khi triển khai.", "A deploy comment is required.")
    if version.status == "published":
        raise ConflictError(f"Phiên bản {version.number} đã được triển khai.",
                            f"Version {version.number} is already published.")
    check_publishable(version.xml, version.source_name or f"{version.process_key}.bpmn")
    version.status = "published"
    version.comment = comment.strip()
    db.session.flush()
    logger.info("Model %s v%s published by %s", version.process_key, version.number, actor.username)
    return version


@dataclass
class ImportReport:
    """An uploaded model from another tool: the conversion report per element and the draft it was stored as."""

    filename: str
    unsupported: list[str]
    findings: list[lint.Finding]
    warnings: list[str]
    version: ProcessVersion | None = None
    conversion: list[Any] = field(default_factory=list)
    xml: str | None = None
    runnable: bool = True

    @property
    def blockers(self) -> list[Any]:
        return [f for f in self.conversion if f.kind == "blocker"]


def import_model(actor: User, data: bytes, filename: str, *, make_executable: bool = False) -> ImportReport:
    """Convert an uploaded BPMN file (JUEL/FEEL, links, encodings ...) and store it as a draft.

    The converted model goes through the same checks as save and publish (`check`); what still blocks
    publishing is listed per element with how to fix it. A well-formed file the engine cannot load yet is kept
    as a draft too (`runnable` False), so the designer can open it and make it executable.
    """
    converted = workflow.convert_model(data, filename, make_executable=make_executable)
    if converted.xml is None:
        return ImportReport(filename, [], [], [], conversion=converted.findings)
    report, findings = check(converted.xml, filename)
    result = ImportReport(filename, report.unsupported, findings, [m for _, m in report.warnings],
                          conversion=converted.findings, xml=converted.xml.decode("utf-8"))
    if not any(f.rule == "engine" for f in findings):
        result.version, _ = workflow.deploy_model(actor.username, converted.xml, filename,
                                                  comment=f"import {filename}", status="draft")
    else:  # still a draft, opened in the editor to be fixed; it cannot be published until it runs
        key, name = _draft_identity(converted.xml, filename)
        result.version, _ = workflow.store_unrunnable_draft(actor.username, converted.xml, filename, key, name,
                                                            comment=f"import {filename}")
        result.runnable = False
    return result


_NCNAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _draft_identity(xml: bytes, filename: str) -> tuple[str, str | None]:
    """The model key and name an unrunnable import is filed under: its (executable, else first) process id."""
    root = lint.parse(xml)
    processes = list(root.iter(f"{{{lint.BPMN}}}process"))
    process = next((p for p in processes if p.get("isExecutable") == "true"), processes[0] if processes else None)
    if process is not None and process.get("id"):
        return process.get("id")[:128], process.get("name")
    stem = _NCNAME.sub("_", filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("_.-") or "imported"
    return ("import_" + stem)[:128], root.get("name")


@dataclass(frozen=True)
class FieldChange:
    """One changed value of an element between two versions, as a designer reads it."""

    element_id: str
    field: str
    old: str | None
    new: str | None


@dataclass
class DiffView:
    """Two versions with the engine's element alignment and the dry-run over dossiers on the old one."""

    old: ProcessVersion
    new: ProcessVersion
    plan: Any
    dry_run: Any
    changes: list[FieldChange] = field(default_factory=list)


def _describe(xml: str) -> dict[str, dict[str, str]]:
    """Per element id, the values a designer edits: name, lane, properties, condition, script, documentation."""
    root = lint.parse(xml)
    lane_of = {ref.text.strip(): lane.get("name") or lane.get("id") for lane in root.iter(f"{{{lint.BPMN}}}lane")
               for ref in lane.iterfind("bpmn:flowNodeRef", lint.NS) if ref.text}
    out: dict[str, dict[str, str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("id") or etree.QName(element).namespace != lint.BPMN:  # noqa: E501
            continue
        values = {"name": element.get("name") or ""}
        if element.get("id") in lane_of:
            values["lane"] = lane_of[element.get("id")]
        for key, value in lint.properties(element).items():
            values[key] = value
        for tag, label in (("conditionExpression", "condition"), ("script", "script"),
                           ("documentation", "documentation")):
            node = element.find(f"bpmn:{tag}", lint.NS)
            if node is not None and (node.text or "").strip():
                values[label] = node.text.strip()
        out[element.get("id")] = values
    return out


def field_changes(old_xml: str, new_xml: str, element_ids: Any) -> list[FieldChange]:
    """Old and new value of every edited field of the elements the engine reports as changed."""
    old, new = _describe(old_xml), _describe(new_xml)
    changes = []
    for element_id in sorted(element_ids):
        before, after = old.get(element_id, {}), new.get(element_id, {})
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes.append(FieldChange(element_id, key, before.get(key), after.get(key)))
    return changes


def diff(old_id: int, new_id: int, sample: int = 200) -> DiffView:
    """Compare two versions of one model and dry-run the migration of its running dossiers."""
    from app.designer.migration import DossierFilter, dry_run

    old, new = get_version(old_id), get_version(new_id)
    if old.process_key != new.process_key:
        raise ValidationError("Chỉ so sánh được hai phiên bản của cùng một quy trình.",
                              "Only two versions of the same process can be compared.")
    plan = workflow.diff_versions(old, new)
    report = dry_run(DossierFilter(process_key=old.process_key, from_version_id=old.id), new, limit=sample)
    return DiffView(old, new, plan, report, field_changes(old.xml, new.xml, plan.changed))
