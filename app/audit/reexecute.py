"""Re-execution verification: re-run the dossier's model version over its recorded inputs and compare states.

Each event that changed the engine state records the input it fed the engine (start data, task completion
by BPMN id, message, timer sweep instant, cancel), the instant it passed as the engine clock, and the state
fingerprint that followed. Feeding the same inputs at the same instants to the same model version must
reproduce every fingerprint; the first event where it does not is reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.audit.models import ArchiveRecord
from app.dossiers.lifecycle import SUPPLEMENT_MESSAGE
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.extensions import db
from app.history.chain import is_redacted_data
from app.history.models import DossierEvent
from app.history.services import list_events
from app.workflow import services as workflow
from app.workflow.services import EngineInput, ReplayPoint

MESSAGES = {
    "verified": ("Đã xác minh: chạy lại {steps} bước cho kết quả trùng khớp với lịch sử đã ghi.",
                 "Verified: re-running {steps} steps reproduced the recorded history."),
    "diverged": ("Sai lệch tại sự kiện #{seq} ({kind}): trạng thái mong đợi {expected}, thực tế {actual}.",
                 "Divergence at event #{seq} ({kind}): expected state {expected}, got {actual}."),
    "failed": ("Không chạy lại được sự kiện #{seq} ({kind}): {error}",
               "Event #{seq} ({kind}) could not be re-run: {error}"),
    "unverifiable": ("Không thể chạy lại: {reason_vi}", "Cannot re-execute: {reason_en}"),
}


def engine_input(event: DossierEvent) -> EngineInput | None:
    """The engine call an event recorded, or None for events that did not touch the engine.

    The pipeline records it under `engine` (with the input under `input`); events written before it are read
    by their kind.
    """
    data = event.data or {}
    if isinstance(data.get("engine"), dict):
        return EngineInput.from_record(data["engine"], event.at, data.get("input"))
    return _legacy_input(event, data)


def _legacy_input(event: DossierEvent, data: dict) -> EngineInput | None:
    if event.kind == "received":
        return EngineInput("start", event.at, data=data.get("input") or {})
    if event.kind == "task_completed":
        return EngineInput("complete_task", event.at, bpmn_id=data.get("task"), data=data.get("input") or {})
    if event.kind == "supplement_received":
        return EngineInput("send_message", event.at, name=SUPPLEMENT_MESSAGE,
                           data={"supplement_documents": data.get("documents") or []})
    if event.kind == "timer_fired":
        return EngineInput("fire_timers", event.at)
    if event.kind == "stopped":
        return EngineInput("cancel", event.at)
    if event.kind == "migrated" and data.get("to_hash"):
        return EngineInput("migrate", event.at, target_hash=data["to_hash"])
    return None


@dataclass
class ReexecutionReport:
    code: str
    steps: int
    outcome: str  # verified / diverged / failed / unverifiable
    seq: int | None = None
    kind: str | None = None
    expected: str | None = None
    actual: str | None = None
    error: str | None = None
    reason: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "verified"

    def message(self, lang: str = "vi") -> str:
        vi, en = MESSAGES[self.outcome]
        reason_vi, reason_en = self.reason or ("", "")
        return (en if lang == "en" else vi).format(
            steps=self.steps, seq=self.seq, kind=self.kind, expected=(self.expected or "-")[:12],
            actual=(self.actual or "-")[:12], error=self.error, reason_vi=reason_vi, reason_en=reason_en)


def engine_events(events: list[DossierEvent]) -> list[tuple[DossierEvent, EngineInput]]:
    return [(event, step) for event in events if (step := engine_input(event)) is not None]


def reexecute_dossier(dossier: Dossier) -> ReexecutionReport:
    """Replay the dossier's recorded inputs in the engine and compare each recorded state fingerprint."""
    pairs = engine_events(list_events(dossier.id))
    reason = _unverifiable_reason(dossier, pairs)
    if reason:
        return ReexecutionReport(dossier.code, 0, "unverifiable", reason=reason)
    points = workflow.replay_inputs(pairs[0][0].model_hash, [step for _, step in pairs])
    for steps, ((event, _), point) in enumerate(zip(pairs, points, strict=False), start=1):
        report = _compare(dossier.code, steps, event, point)
        if report:
            return report
    return ReexecutionReport(dossier.code, len(pairs), "verified")


def _compare(code: str, steps: int, event: DossierEvent, point: ReplayPoint) -> ReexecutionReport | None:
    if point.error:
        return ReexecutionReport(code, steps, "failed", event.seq, event.kind, event.state_fingerprint,
                                 error=point.error)
    if point.fingerprint != event.state_fingerprint:
        return ReexecutionReport(code, steps, "diverged", event.seq, event.kind, event.state_fingerprint,
                                 point.fingerprint)
    return None


def _unverifiable_reason(dossier: Dossier, pairs: list[tuple[DossierEvent, EngineInput]]) -> tuple[str, str] | None:
    if not pairs or pairs[0][0].kind != "received":
        return ("không có sự kiện tiếp nhận ghi dữ liệu khởi tạo.", "no receipt event with the start data.")
    if any(is_redacted_data(event.data) for event, _ in pairs):
        return ("hồ sơ đã lưu trữ, dữ liệu đầu vào đã được xóa theo thời hạn lưu trữ.",
                "the dossier was archived and its inputs removed under the retention rules.")
    if workflow.find_version_by_hash(pairs[0][0].model_hash or "") is None:
        return ("không tìm thấy phiên bản mô hình đã ghi.", "the recorded model version is missing.")
    return None


def sample_closed_dossiers(size: int, include_open: bool = False) -> list[Dossier]:
    """Up to `size` closed (or all) not archived dossiers, spread evenly over the whole history."""
    archived = select(ArchiveRecord.dossier_id)
    query = select(Dossier).where(Dossier.id.not_in(archived)).order_by(Dossier.id)
    if not include_open:
        query = query.where(Dossier.status.not_in(OPEN_STATUSES))
    dossiers = list(db.session.scalars(query))
    if len(dossiers) <= size:
        return dossiers
    stride = len(dossiers) / size
    return [dossiers[int(i * stride)] for i in range(size)]


def summarize(reports: list[ReexecutionReport]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.outcome] = counts.get(report.outcome, 0) + 1
    return counts
