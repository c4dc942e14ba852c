"""Check dossier hash chains and report the first broken event precisely (edited, deleted, reordered, inserted)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.audit.models import ArchiveRecord
from app.extensions import db
from app.history.chain import (
    GENESIS,
    dossier_digest,
    event_hash,
    is_redacted_comment,
    is_redacted_data,
    state_hash,
)
from app.history.models import DossierEvent
from app.workflow.models import ProcessInstance

MESSAGES = {
    "edited": ("Sự kiện #{seq} đã bị sửa: nội dung không khớp mã băm đã ghi.",
               "Event #{seq} was edited: its content no longer matches its recorded hash."),
    "rehashed": ("Sự kiện #{seq} đã bị sửa và băm lại: sự kiện kế tiếp không còn trỏ tới nó.",
                 "Event #{seq} was edited and re-hashed: the next event no longer points to it."),
    "deleted": ("Sự kiện #{seq} đã bị xóa: chuỗi bị đứt tại vị trí này.",
                "Event #{seq} was deleted: the chain has a gap here."),
    "truncated": ("Các sự kiện từ #{seq} đã bị xóa: đầu chuỗi ghi trên hồ sơ là #{head}.",
                  "Events from #{seq} were deleted: the dossier's recorded chain head is #{head}."),
    "reordered": ("Sự kiện #{seq} đã bị đổi thứ tự: nó được ghi ở vị trí #{original}.",
                  "Event #{seq} was reordered: it was recorded at position #{original}."),
    "inserted": ("Sự kiện #{seq} đã bị chèn thêm: không thuộc chuỗi gốc.",
                 "Event #{seq} was inserted: it is not part of the original chain."),
    "row_edited": ("Dữ liệu pháp lý của hồ sơ (trạng thái, kết quả, hạn, người nộp...) đã bị sửa ngoài quy trình "
                   "sau sự kiện #{seq}.",
                   "The dossier's legal fields (status, result, deadlines, applicant...) were edited outside the "
                   "lifecycle after event #{seq}."),
    "state_edited": ("Trạng thái quy trình đã lưu đã bị sửa sau sự kiện #{seq}.",
                     "The stored process state was edited after event #{seq}."),
    "redacted": ("Sự kiện #{seq} bị xóa dữ liệu nhưng hồ sơ chưa được lưu trữ theo thời hạn.",
                 "Event #{seq} had its data removed although the dossier was never archived."),
}


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a chain stops proving its history."""

    seq: int
    kind: str
    extra: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        vi, en = MESSAGES[self.kind]
        return (en if lang == "en" else vi).format(seq=self.seq, **self.extra)


@dataclass
class ChainReport:
    dossier_id: int
    code: str
    events: int
    redacted: int
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def find_break(events: list[dict[str, Any]], head_seq: int | None = None, head_hash: str | None = None,
               allow_redaction: bool = True) -> ChainBreak | None:
    """Walk events (chain fields + stored `hash`, ordered by seq) and return the first break, if any."""
    hashes = {e["hash"]: e["seq"] for e in events}
    previous = GENESIS
    for index, event in enumerate(events):
        problem = _check_event(events, index, previous, hashes, allow_redaction)
        if problem:
            return problem
        previous = event["hash"]
    return _check_head(events, head_seq, head_hash)


def _check_event(events: list[dict[str, Any]], index: int, previous: str, hashes: dict[str, int],
                 allow_redaction: bool) -> ChainBreak | None:
    event, expected_seq = events[index], index + 1
    if event["seq"] > expected_seq:
        return ChainBreak(expected_seq, "deleted")
    if event_hash(event) != event["hash"]:
        original = _recorded_position(event, len(events))
        return ChainBreak(event["seq"], "reordered", {"original": original}) if original else \
            ChainBreak(event["seq"], "edited")
    if not allow_redaction and (is_redacted_data(event["data"]) or is_redacted_comment(event["comment"])):
        return ChainBreak(event["seq"], "redacted")
    if event["prev_hash"] == previous:
        return None
    return _link_break(events, index, hashes)


def _link_break(events: list[dict[str, Any]], index: int, hashes: dict[str, int]) -> ChainBreak:
    """The event is intact but does not point to its predecessor: say why."""
    event = events[index]
    if event["prev_hash"] in hashes:
        return ChainBreak(event["seq"], "reordered", {"original": hashes[event["prev_hash"]] + 1})
    follower = events[index + 1] if index + 1 < len(events) else None
    before = events[index - 1]["hash"] if index else GENESIS
    if follower is not None and follower["prev_hash"] == before:
        return ChainBreak(event["seq"], "inserted")
    return ChainBreak(event["seq"] - 1, "rehashed") if index else ChainBreak(event["seq"], "inserted")


def _recorded_position(event: dict[str, Any], count: int) -> int | None:
    """The seq this event was hashed with, if its hash matches another position (a moved row)."""
    for seq in range(1, count + 2):
        if seq != event["seq"] and event_hash({**event, "seq": seq}) == event["hash"]:
            return seq
    return None


def _check_head(events: list[dict[str, Any]], head_seq: int | None, head_hash: str | None) -> ChainBreak | None:
    """The dossier row remembers the head: a cut tail or an appended event shows here."""
    if head_seq is None:
        return None
    last_seq = events[-1]["seq"] if events else 0
    if last_seq < head_seq:
        return ChainBreak(last_seq + 1, "truncated", {"head": head_seq})
    if last_seq > head_seq:
        return ChainBreak(head_seq + 1, "inserted")
    if events and events[-1]["hash"] != head_hash:
        return ChainBreak(last_seq, "rehashed")
    return None


def stored_events(dossier_id: int) -> list[dict[str, Any]]:
    """A dossier's events as chain-field dicts, ordered by seq."""
    rows = db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
                              .order_by(DossierEvent.seq, DossierEvent.id))
    return [{**row.chain_fields(), "hash": row.hash} for row in rows]


def verify_dossier(dossier: Any) -> ChainReport:
    """Verify one dossier's chain against its stored head."""
    events = stored_events(dossier.id)
    archived = db.session.scalar(select(ArchiveRecord.id).where(ArchiveRecord.dossier_id == dossier.id)) is not None
    problem = find_break(events, dossier.event_seq, dossier.last_event_hash, allow_redaction=archived) \
        or check_row(dossier, events)
    redacted = sum(1 for e in events if is_redacted_data(e["data"]))
    return ChainReport(dossier.id, dossier.code, len(events), redacted, problem)


def check_row(dossier: Any, events: list[dict[str, Any]]) -> ChainBreak | None:
    """The dossier row and its engine state must still be what the chain's last commitments say."""
    committed = next((e for e in reversed(events) if e.get("dossier_digest")), None)
    if committed is not None and committed["dossier_digest"] != dossier_digest(dossier):
        return ChainBreak(committed["seq"], "row_edited")
    engine = next((e for e in reversed(events) if e.get("state_hash")), None)
    if engine is not None:
        stored = db.session.scalar(select(ProcessInstance.state_json).where(ProcessInstance.dossier_id == dossier.id))
        if stored is None or state_hash(stored) != engine["state_hash"]:
            return ChainBreak(engine["seq"], "state_edited")
    return None


def verify_dossiers(dossiers: Any) -> Iterator[ChainReport]:
    for dossier in dossiers:
        yield verify_dossier(dossier)


@dataclass(frozen=True)
class ChainSummary:
    """Flat verification result for the REST API."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    problem: str | None


def verify_dossier_chain(dossier: Any, lang: str = "vi") -> ChainSummary:
    """Verify one dossier's chain and summarise the first break in `lang`."""
    report = verify_dossier(dossier)
    problem = report.problem
    return ChainSummary(report.ok, report.events, problem.seq if problem else None,
                        problem.message(lang) if problem else None)
