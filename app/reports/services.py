"""Dossier statistics: counts by status, finished early / on time / late, overdue open dossiers.

Periods are local (Vietnam) dates, inclusive. Received counts use the receipt date, timing counts use the
finishing date, and timing compares with `legal_due_at` (the original limit: an apology letter moves only the
appointment). On-time rate = (early + on time) / finished, where finished = returned or refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError
from app.dossiers.listing import local_day_bounds, visibility_clause, visible_agency_ids
from app.dossiers.models import OPEN_STATUSES, Dossier, DossierStatus
from app.extensions import db

FINISHED_STATUSES = (DossierStatus.RETURNED, DossierStatus.REFUSED)
TIMINGS = ("early", "on_time", "late")


@dataclass
class StatsFilter:
    start: date | None = None
    end: date | None = None
    agency: Agency | None = None  # the agency and its subtree (receiving agency)
    procedure: Procedure | None = None


@dataclass
class Counts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round((self.early + self.on_time) / self.finished, 4) if self.finished else None


@dataclass
class Stats:
    overall: Counts
    by_agency: dict[int, Counts]
    by_procedure: dict[int, Counts]


def _base(actor: User, flt: StatsFilter):
    agency_ids = visible_agency_ids(actor)
    if flt.agency is not None and agency_ids is not None and flt.agency.id not in agency_ids:
        raise PermissionDeniedError("Bạn không có quyền xem thống kê của đơn vị này.",
                                    "You may not see this agency's statistics.")
    conditions = [visibility_clause(agency_ids)]
    if flt.agency is not None:
        conditions.append(Dossier.receiving_agency_id.in_(
            select(Agency.id).where(Agency.path.startswith(flt.agency.path))))
    if flt.procedure is not None:
        conditions.append(Dossier.procedure_id == flt.procedure.id)
    return conditions


def _grouped(columns, conditions):
    keys = [Dossier.receiving_agency_id, Dossier.procedure_id, *columns]
    query = select(*keys, func.count()).where(*conditions).group_by(*keys)
    return db.session.execute(query).all()


def _add(stats: Stats, agency_id: int, procedure_id: int, apply, *args) -> None:
    for counts in (stats.overall, stats.by_agency.setdefault(agency_id, Counts()),
                   stats.by_procedure.setdefault(procedure_id, Counts())):
        apply(counts, *args)


def dossier_stats(actor: User, flt: StatsFilter) -> Stats:
    """Counts over the dossiers `actor` may see, overall, per receiving agency and per procedure."""
    conditions = _base(actor, flt)
    low, high = local_day_bounds(flt.start, flt.end)
    stats = Stats(Counts(), {}, {})
    received = [c for c in (Dossier.received_at >= low if low else None,
                            Dossier.received_at < high if high else None) if c is not None]
    for agency_id, procedure_id, status, n in _grouped([Dossier.status], conditions + received):
        _add(stats, agency_id, procedure_id, _count_status, status, n)
    finished = [Dossier.status.in_(FINISHED_STATUSES)]
    finished += [c for c in (Dossier.finished_at >= low if low else None,
                             Dossier.finished_at < high if high else None) if c is not None]
    for agency_id, procedure_id, timing, n in _grouped([Dossier.timing], conditions + finished):
        _add(stats, agency_id, procedure_id, _count_timing, timing, n)
    overdue = [Dossier.status.in_(OPEN_STATUSES), Dossier.legal_due_at < utcnow()]
    overdue += [Dossier.received_at < high] if high else []
    for agency_id, procedure_id, n in _grouped([], conditions + overdue):
        _add(stats, agency_id, procedure_id, _count_overdue, n)
    return stats


def _count_status(counts: Counts, status: DossierStatus | str, n: int) -> None:
    key = getattr(status, "value", status)
    counts.by_status[key] = counts.by_status.get(key, 0) + n
    counts.total += n


def _count_overdue(counts: Counts, n: int) -> None:
    counts.overdue_open += n


def _count_timing(counts: Counts, timing: str | None, n: int) -> None:
    counts.finished += n
    if timing in TIMINGS:
        setattr(counts, timing, getattr(counts, timing) + n)
