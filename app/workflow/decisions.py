"""Bridge for DMN decision tables: versions stored like process models, validated and evaluated by the engine."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.core.errors import NotFoundError, ValidationError
from app.extensions import db
from app.workflow.models import DecisionVersion
from engine import ModelRegistry
from engine.decisions import DecisionFile, check_decisions, evaluate_decision, read_decisions
from engine.errors import EngineError, ScriptError

logger = logging.getLogger(__name__)



def _registry() -> ModelRegistry:
    """Parsed decision probes, keyed by DMN content, kept on the app (not in a module global)."""
    return current_app.extensions.setdefault("motcua.decision_registry", ModelRegistry())


class DecisionInvalidError(ValidationError):
    """The engine cannot evaluate the DMN; `details["errors"]["findings"]` names the elements at fault."""

    code = "decision_invalid"


def decision_findings(issues: list[tuple[str | None, str]]) -> list[dict[str, Any]]:
    """Findings in the designer's shape (element, both languages) for the editor and the error handler."""
    return [{"element_id": element_id, "rule": "engine", "severity": "error",
             "message_vi": f"Lỗi tại phần tử {element_id}: {message}" if element_id else f"Lỗi: {message}",
             "message_en": f"Error at element {element_id}: {message}" if element_id else f"Error: {message}"}
            for element_id, message in issues]


def check_decision(xml: str | bytes, source_name: str = "decision.dmn") -> list[tuple[str | None, str]]:
    """Validate a DMN file as the engine would run it: (element id, message) pairs, empty when it is fine."""
    return [(issue.element_id, issue.message) for issue in check_decisions(xml, source_name)]


def validate_decision(xml: str | bytes, source_name: str = "decision.dmn") -> DecisionFile:
    """Parse a DMN file, raising a bilingual error that names every faulty element.

    :raises DecisionInvalidError: unsafe XML, schema errors, unsupported hit policy or cells that cannot run.
    """
    issues = check_decision(xml, source_name)
    if not issues:
        parsed = read_decisions(xml, source_name)
        if parsed.decisions:
            return parsed
        issues = [(None, "no decision found in DMN file")]
    first = decision_findings(issues[:1])[0]
    raise DecisionInvalidError(f"Bảng quyết định DMN không hợp lệ. {first['message_vi']}",
                               f"Invalid DMN decision table. {first['message_en']}",
                               details={"errors": {"findings": decision_findings(issues)}})


def describe(version: DecisionVersion) -> DecisionFile:
    """Decisions, inputs and outputs of a stored version (for forms and listings)."""
    return read_decisions(version.xml, f"{version.decision_key}.dmn")


def store_decision(author: str | None, xml: str | bytes, decision_key: str, *, comment: str | None = None,
                   status: str = "published") -> tuple[DecisionVersion, bool]:
    """Store a new version of a DMN file unless the same content (after normalisation) is already stored."""
    parsed = validate_decision(xml, f"{decision_key}.dmn")
    existing = db.session.scalar(select(DecisionVersion).where(DecisionVersion.decision_key == decision_key,
                                                               DecisionVersion.content_hash == parsed.hash))
    if existing:
        return existing, False
    number = (db.session.scalar(select(func.max(DecisionVersion.number))
                                .where(DecisionVersion.decision_key == decision_key)) or 0) + 1
    version = DecisionVersion(decision_key=decision_key, number=number, content_hash=parsed.hash, xml=parsed.xml,
                              name=parsed.name or parsed.decisions[0].name, status=status, comment=comment,
                              author=author)
    db.session.add(version)
    db.session.flush()
    logger.info("Decision %s v%s (%s) stored as %s by %s", decision_key, number, parsed.hash[:12], status, author)
    return version, True


def list_decision_versions(decision_key: str | None = None) -> list[DecisionVersion]:
    query = select(DecisionVersion).order_by(DecisionVersion.decision_key, DecisionVersion.number.desc())
    if decision_key:
        query = query.where(DecisionVersion.decision_key == decision_key)
    return list(db.session.scalars(query))


def get_decision_version(version_id: int) -> DecisionVersion:
    version = db.session.get(DecisionVersion, version_id)
    if version is None:
        raise NotFoundError("Không tìm thấy phiên bản bảng quyết định.", "Decision table version not found.")
    return version


def latest_decision(decision_key: str) -> DecisionVersion:
    """The published version new work uses."""
    version = db.session.scalar(select(DecisionVersion).where(
        DecisionVersion.decision_key == decision_key, DecisionVersion.status == "published")
        .order_by(DecisionVersion.number.desc()).limit(1))
    if version is None:
        raise NotFoundError(f"Chưa triển khai bảng quyết định {decision_key}.",
                            f"No published decision table {decision_key}.")
    return version


def evaluate_version(version: DecisionVersion, decision_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate one decision of a stored version; {} when no rule matches.

    :raises ValidationError: the inputs do not fit the table (wrong type, missing variable).
    """
    try:
        return evaluate_decision(version.xml, decision_id, inputs, registry=_registry())
    except ScriptError as error:
        raise ValidationError(f"Không tính được quyết định {decision_id} với dữ liệu đã nhập: {error.message}",
                              f"Decision {decision_id} failed with these inputs: {error.message}") from error
    except EngineError as error:
        raise ValidationError(f"Không chạy được bảng quyết định: {error}",
                              f"The decision table cannot run: {error}") from error


def decide(decision_key: str, decision_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate a decision of the latest published version of a DMN file (e.g. the fee of a dossier)."""
    return evaluate_version(latest_decision(decision_key), decision_id, inputs)


def sync_decisions(directory: Path, author: str = "models-sync") -> list[tuple[str, int, bool]]:
    """Publish every .dmn file of `directory` whose content is not stored yet (key = file name without .dmn)."""
    results = []
    for path in sorted(directory.glob("*.dmn")):
        version, created = store_decision(author, path.read_bytes(), path.stem, comment=f"sync {path.name}")
        results.append((version.decision_key, version.number, created))
    return results
