"""Daily global anchor: one digest over every dossier chain's head, itself chained day after day.

A rewrite of a whole chain (every event re-hashed and the dossier head updated) leaves each chain
self-consistent; the anchors taken before the rewrite still name the old head hashes, so verify catches it.
Publishing the daily digest outside the database (a gazette, an e-mail to the inspectorate) makes the
anchors themselves hard to rewrite.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.audit.models import AuditAnchor
from app.audit.witness import AnchorWitness, get_witness
from app.core.db import after_commit, utcnow
from app.core.errors import ConflictError
from app.core.timefmt import LOCAL_TZ, to_local
from app.extensions import db
from app.history.chain import GENESIS, canonical_json, sha256_text
from app.history.models import DossierEvent


@dataclass(frozen=True)
class AnchorProblem:
    day: date
    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi


def anchor_digest(day: date, prev_digest: str, heads: list[list[Any]]) -> str:
    return sha256_text(canonical_json({"day": day.isoformat(), "prev": prev_digest, "heads": heads}))


def _heads(until: datetime) -> list[list[Any]]:
    """[dossier id, seq, hash] of the last event of every chain recorded before `until`."""
    last = (select(DossierEvent.dossier_id, func.max(DossierEvent.seq).label("seq"))
            .where(DossierEvent.at < until).group_by(DossierEvent.dossier_id).subquery())
    rows = db.session.execute(select(DossierEvent.dossier_id, DossierEvent.seq, DossierEvent.hash).join(
        last, (last.c.dossier_id == DossierEvent.dossier_id) & (last.c.seq == DossierEvent.seq))
        .order_by(DossierEvent.dossier_id))
    return [[dossier_id, seq, digest] for dossier_id, seq, digest in rows]


def _end_of_local_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def create_anchor(day: date | None = None) -> AuditAnchor:
    """Anchor the chain heads as they stood at the end of `day` (default: yesterday, local time)."""
    day = day or to_local(utcnow()).date() - timedelta(days=1)
    if db.session.scalar(select(AuditAnchor.id).where(AuditAnchor.day == day)):
        raise ConflictError(f"Đã có mốc neo cho ngày {day:%d/%m/%Y}.", f"An anchor already exists for {day}.")
    previous = db.session.scalar(select(AuditAnchor).where(AuditAnchor.day < day).order_by(AuditAnchor.day.desc()))
    if db.session.scalar(select(AuditAnchor.id).where(AuditAnchor.day > day)):
        raise ConflictError("Không thể neo một ngày trước mốc neo mới nhất.",
                            "Cannot anchor a day before the latest anchor.")
    heads = _heads(_end_of_local_day(day))
    prev_digest = previous.digest if previous else GENESIS
    anchor = AuditAnchor(day=day, chain_count=len(heads), heads=heads, prev_digest=prev_digest,
                         digest=anchor_digest(day, prev_digest, heads))
    db.session.add(anchor)
    db.session.flush()
    after_commit(get_witness().publish, {"day": day.isoformat(), "prev": prev_digest, "digest": anchor.digest,
                                         "chains": len(heads)})
    return anchor


def verify_anchors(dossier_ids: set[int] | None = None, witness: AnchorWitness | None = None) -> list[AnchorProblem]:
    """Check the published anchors (the configured witness, or `witness`), the anchor chain and that every anchored
    head still has its anchored hash."""
    problems = _check_published(dossier_ids is None, witness or get_witness())
    previous = GENESIS
    for anchor in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day)):
        recomputed = anchor_digest(anchor.day, anchor.prev_digest, anchor.heads)
        if anchor.prev_digest != previous or recomputed != anchor.digest:
            problems.append(AnchorProblem(anchor.day, f"Mốc neo ngày {anchor.day:%d/%m/%Y} đã bị sửa.",
                                          f"The anchor of {anchor.day} was altered."))
        previous = anchor.digest
        problems.extend(_check_heads(anchor, dossier_ids))
    return problems


def _problem(day: date, vi: str, en: str) -> AnchorProblem:
    return AnchorProblem(day, vi, en)


def _check_published(recompute: bool, witness: AnchorWitness) -> list[AnchorProblem]:
    """Every anchor published outside the database must still be in it, unchanged; the latest one must still
    be what the events themselves give (a rewrite before it shows even when the anchor rows were deleted)."""
    records = witness.records()
    stored = {a.day.isoformat(): a.digest for a in db.session.scalars(select(AuditAnchor))}
    problems, previous = [], GENESIS
    for record in records:
        day = date.fromisoformat(record["day"]) if "day" in record else date.min
        if not record.get("signed") or record.get("prev") != previous:
            problems.append(_problem(day, f"Mốc neo công bố ngày {day:%d/%m/%Y} không hợp lệ (chữ ký hoặc liên kết).",
                                     f"The published anchor of {day} is invalid (signature or link)."))
        elif stored.get(record["day"]) != record["digest"]:
            problems.append(_problem(day, f"Mốc neo ngày {day:%d/%m/%Y} trong cơ sở dữ liệu bị xóa hoặc sửa.",
                                     f"The anchor of {day} was deleted or altered in the database."))
        previous = record.get("digest", previous)
    if recompute and records and records[-1].get("signed"):
        problems.extend(_recompute(records[-1]))
    return problems


def _recompute(record: dict[str, Any]) -> list[AnchorProblem]:
    day = date.fromisoformat(record["day"])
    if anchor_digest(day, record["prev"], _heads(_end_of_local_day(day))) == record["digest"]:
        return []
    return [_problem(day, f"Sự kiện đến hết ngày {day:%d/%m/%Y} đã bị viết lại: không khớp mốc neo đã công bố.",
                     f"Events up to {day} were rewritten: they no longer match the published anchor.")]


def _check_heads(anchor: AuditAnchor, dossier_ids: set[int] | None) -> list[AnchorProblem]:
    heads = [h for h in anchor.heads if dossier_ids is None or h[0] in dossier_ids]
    if not heads:
        return []
    stored = {(d, s): h for d, s, h in db.session.execute(
        select(DossierEvent.dossier_id, DossierEvent.seq, DossierEvent.hash)
        .where(DossierEvent.dossier_id.in_({h[0] for h in heads})))}
    problems = []
    for dossier_id, seq, digest in heads:
        if stored.get((dossier_id, seq)) != digest:
            problems.append(AnchorProblem(
                anchor.day, f"Hồ sơ #{dossier_id}: sự kiện #{seq} khác với mốc neo ngày {anchor.day:%d/%m/%Y}.",
                f"Dossier #{dossier_id}: event #{seq} differs from the anchor of {anchor.day}."))
    return problems

