"""Designer services for DMN decision tables: library, save (draft), deploy (publish) and a server-side try-out."""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db
from app.workflow import decisions as bridge
from app.workflow.models import DecisionVersion

logger = logging.getLogger(__name__)

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NUMBER_TYPES = {"number", "integer", "long", "double"}


@dataclass
class DecisionEntry:
    """A DMN file of the library with its versions, newest first."""

    decision_key: str
    versions: list[DecisionVersion] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.versions[0].name or self.decision_key


def list_decision_library() -> list[DecisionEntry]:
    """Every DMN file with its versions (one query)."""
    entries: dict[str, DecisionEntry] = {}
    for version in bridge.list_decision_versions():
        entries.setdefault(version.decision_key, DecisionEntry(version.decision_key)).versions.append(version)
    return list(entries.values())


def get_decision_version(version_id: int) -> DecisionVersion:
    return bridge.get_decision_version(version_id)


def latest_any_decision(decision_key: str) -> DecisionVersion:
    """Newest version of a DMN file whatever its status (what the editor opens)."""
    versions = bridge.list_decision_versions(decision_key)
    if not versions:
        raise NotFoundError(f"Không có bảng quyết định {decision_key}.", f"No decision table {decision_key}.")
    return versions[0]


def save_decision_draft(actor: User, xml: str | bytes, decision_key: str,
                        comment: str | None = None) -> tuple[DecisionVersion, bool]:
    """Validate on the server and store the file as a draft (identical content: the existing version)."""
    if not KEY_RE.match(decision_key):
        raise ValidationError(f"Mã bảng quyết định không hợp lệ: {decision_key}.",
                              f"Invalid decision table key: {decision_key}.")
    version, created = bridge.store_decision(actor.username, xml, decision_key, comment=comment, status="draft")
    logger.info("Decision %s v%s saved by %s (%s)", decision_key, version.number, actor.username,
                "new" if created else "unchanged")
    return version, created


def deploy_decision(actor: User, version_id: int, comment: str) -> DecisionVersion:
    """Publish a draft after validating it again; decide() then uses it."""
    version = bridge.get_decision_version(version_id)
    if not (comment or "").strip():
        raise ValidationError("Cần ghi chú nội dung thay đổi khi triển khai.", "A deploy comment is required.")
    if version.status == "published":
        raise ConflictError(f"Phiên bản {version.number} đã được triển khai.",
                            f"Version {version.number} is already published.")
    bridge.validate_decision(version.xml, f"{version.decision_key}.dmn")
    version.status = "published"
    version.comment = comment.strip()
    db.session.flush()
    logger.info("Decision %s v%s published by %s", version.decision_key, version.number, actor.username)
    return version


# --- try it ---------------------------------------------------------------------------------

@dataclass
class TryResult:
    """Outcome of evaluating a decision with inputs typed by a designer."""

    decision_id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None = None
    error_vi: str | None = None
    error_en: str | None = None

    @property
    def matched(self) -> bool:
        return bool(self.outputs)


def input_fields(version: DecisionVersion) -> list[tuple[Any, list[Any]]]:
    """Each decision with the input columns a designer can type a value for (plain variable expressions)."""
    return [(decision, [column for column in decision.inputs if column.variable])
            for decision in bridge.describe(version).decisions]


def try_decision(version: DecisionVersion, decision_id: str, raw: Mapping[str, str]) -> TryResult:
    """Evaluate a decision of a stored version with typed-in values; errors are part of the result."""
    decision = next((d for d in bridge.describe(version).decisions if d.id == decision_id), None)
    if decision is None:
        raise NotFoundError(f"Không có quyết định {decision_id}.", f"No decision {decision_id}.")
    result = TryResult(decision_id, {})
    try:
        for column in decision.inputs:
            value = (raw.get(column.variable) or "").strip() if column.variable else ""
            if value:
                result.inputs[column.variable] = _coerce(value, column.type_ref, column.label)
        result.outputs = bridge.evaluate_version(version, decision_id, result.inputs)
    except ValidationError as error:
        result.error_vi, result.error_en = error.message_vi, error.message_en
    return result


def _coerce(value: str, type_ref: str, label: str) -> Any:
    """Turn typed text into the value type the column declares (numbers accept a decimal comma)."""
    kind = (type_ref or "string").lower()
    if kind in NUMBER_TYPES:
        try:
            number = float(value.replace(" ", "").replace(",", "."))
        except ValueError:
            raise ValidationError(f"{label}: \"{value}\" không phải là số.", f"{label}: \"{value}\" is not a number.") \
                from None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return value.lower() in ("true", "1", "có", "yes")
    return value
