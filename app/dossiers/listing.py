"""Dossier lists scoped to what an actor may see (same rule as services.can_view), keyset-paginated."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload
from unidecode import unidecode

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.core.permissions import OFFICIAL_ROLES
from app.core.timefmt import LOCAL_TZ
from app.dossiers.models import Dossier
from app.extensions import db
from app.workflow.models import HumanTask

SUBTREE_VIEWERS = ("admin", "auditor", "supervisor")  # read their agency's whole subtree


def visible_agency_ids(actor: User, roles: tuple[str, ...] | None = None) -> set[int] | None:
    """Ids of the agencies whose dossiers `actor` may see; None means every agency.

    Officials see their own agencies only; admins, auditors and supervisors their agencies' subtrees
    (app.core.permissions.assignment_covers). `roles` limits the answer to those roles.
    """
    ids, paths = set(), []
    for assignment in actor.roles:
        if roles is not None and assignment.role not in roles:
            continue
        if assignment.role in SUBTREE_VIEWERS:
            if assignment.agency is None:
                return None
            paths.append(assignment.agency.path)
        elif assignment.role in OFFICIAL_ROLES and assignment.agency_id is not None:
            ids.add(assignment.agency_id)
    if paths:
        ids.update(db.session.scalars(select(Agency.id).where(or_(*[Agency.path.startswith(p) for p in paths]))))
    return ids


def visibility_clause(agency_ids: set[int] | None):
    """Dossiers received by, or holding a task at, one of `agency_ids`."""
    if agency_ids is None:
        return True
    ids = list(agency_ids) or [-1]
    task_here = exists().where(HumanTask.dossier_id == Dossier.id, HumanTask.agency_id.in_(ids))
    return or_(Dossier.receiving_agency_id.in_(ids), task_here)


def local_day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC instants for [start 00:00, end+1 00:00) in Vietnam time."""
    low = datetime.combine(start, time(), LOCAL_TZ) if start else None
    high = datetime.combine(end + timedelta(days=1), time(), LOCAL_TZ) if end else None
    return low, high


@dataclass
class DossierFilter:
    status: str | None = None
    procedure_code: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    search: str | None = None
    after: tuple[datetime, int] | None = None  # keyset (received_at, id), newest first
    limit: int = 50


def _filtered(query, flt: DossierFilter):
    if flt.status:
        query = query.where(Dossier.status == flt.status)
    if flt.procedure_code:
        query = query.where(Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.code == flt.procedure_code)))
    low, high = local_day_bounds(flt.received_from, flt.received_to)
    if low:
        query = query.where(Dossier.received_at >= low)
    if high:
        query = query.where(Dossier.received_at < high)
    if flt.search:
        query = query.where(Dossier.search_text.like(f"%{unidecode(flt.search).lower().strip()}%"))
    return query


def list_dossiers_for(actor: User, flt: DossierFilter) -> list[Dossier]:
    """One page (limit + 1 rows, to tell whether more follow) of the dossiers `actor` may see, newest first."""
    query = _filtered(select(Dossier).where(visibility_clause(visible_agency_ids(actor))), flt)
    if flt.after:
        received, dossier_id = flt.after
        query = query.where(or_(Dossier.received_at < received,
                                and_(Dossier.received_at == received, Dossier.id < dossier_id)))
    query = (query.options(selectinload(Dossier.receiving_agency), selectinload(Dossier.current_agency))
             .order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(flt.limit + 1))
    return list(db.session.scalars(query))


def same_day_dossiers(agency_id: int, procedure_id: int, applicant_name: str, id_number: str | None,
                      day: date) -> list[Dossier]:
    """Dossiers of the same applicant (ID number, else name) and procedure received at the agency on `day`."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    who = Dossier.applicant_id_number == id_number if id_number else Dossier.applicant_name == applicant_name.strip()
    return list(db.session.scalars(select(Dossier).where(
        Dossier.receiving_agency_id == agency_id, Dossier.procedure_id == procedure_id, who,
        Dossier.received_at >= start, Dossier.received_at < start + timedelta(days=1)).order_by(Dossier.id)))
