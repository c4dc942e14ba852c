"""The receiving counter's lists and the tracking book (Sổ theo dõi hồ sơ), scoped to the official's counters.

Search takes a dossier code, an applicant name (accent-insensitive) or a WHOLE ID/tax number: digits never
reach the LIKE search, so no one can probe an ID number digit by digit; the web layer rate-limits ID searches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload
from unidecode import unidecode

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.timefmt import to_local
from app.dossiers.listing import local_day_bounds, visible_agency_ids
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.rules import LegalForm, legal_form
from app.extensions import db
from app.workflow.models import HumanTask

COUNTER_ROLES = ("receiver", "returner")
VIEWS = {"today": None, "supplement": DossierStatus.WAITING_SUPPLEMENT, "ready": DossierStatus.RESULT_READY,
         "returned": DossierStatus.RETURNED, "all": None}
ID_NUMBER = re.compile(r"^\d{9,13}$")  # personal ID (12), old ID (9), tax code (10 or 13)


def is_id_search(search: str | None) -> bool:
    return bool(search and ID_NUMBER.match(search.strip()))


@dataclass
class CounterFilter:
    view: str = "today"
    search: str | None = None
    after: tuple[datetime, int] | None = None  # keyset (received_at, id), newest first
    limit: int = 50


@dataclass
class CounterPage:
    rows: list[Dossier]
    after: tuple[datetime, int] | None  # keyset of the next page; None on the last one


def counter_agency_ids(actor: User) -> list[int]:
    return sorted(visible_agency_ids(actor, roles=COUNTER_ROLES) or ())


def _search_clause(search: str):
    search = search.strip()
    if is_id_search(search):
        return Dossier.applicant_id_number == search
    if "-" in search and any(c.isdigit() for c in search):
        return Dossier.code == search.upper()
    words = unidecode(re.sub(r"\d", "", search)).lower().split()
    return and_(*[Dossier.search_text.like(f"%{w}%") for w in words]) if words else False


def counter_dossiers(actor: User, flt: CounterFilter) -> CounterPage:
    """One keyset page of a counter list of the dossiers received at the actor's counters."""
    query = select(Dossier).where(Dossier.receiving_agency_id.in_(counter_agency_ids(actor) or [-1]))
    if flt.view == "today":
        today = to_local(utcnow()).date()
        low, high = local_day_bounds(today, today)
        query = query.where(Dossier.received_at >= low, Dossier.received_at < high)
    elif VIEWS.get(flt.view) is not None:
        query = query.where(Dossier.status == VIEWS[flt.view])
    if flt.search and flt.search.strip():
        query = query.where(_search_clause(flt.search))
    if flt.after:
        received, dossier_id = flt.after
        query = query.where(or_(Dossier.received_at < received,
                                and_(Dossier.received_at == received, Dossier.id < dossier_id)))
    query = (query.options(selectinload(Dossier.handling_agency))
             .order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(flt.limit + 1))
    rows = list(db.session.scalars(query))
    more = len(rows) > flt.limit
    rows = rows[:flt.limit]
    return CounterPage(rows, (rows[-1].received_at, rows[-1].id) if more else None)


@dataclass
class LogbookRow:
    number: int
    code: str
    procedure: str
    applicant: str
    lead_agency: str | None
    received_at: datetime
    appointment_at: datetime
    transferred_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    status: str
    form: LegalForm | None  # the logbook form of the circular in force at the dossier's receipt


def logbook_rows(agency_id: int, year: int, *, after: int | None = None, limit: int | None = None) -> list[LogbookRow]:
    """The tracking book of `agency_id` for `year`, by running number (one query; also for the PDF)."""
    low, high = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
    lead = aliased(Agency)
    transferred = (select(func.min(HumanTask.created_at)).where(
        HumanTask.dossier_id == Dossier.id, HumanTask.agency_id != Dossier.receiving_agency_id)
        .correlate(Dossier).scalar_subquery())
    query = (select(Dossier, Procedure.name_vi, lead.name, transferred)
             .join(Procedure, Procedure.id == Dossier.procedure_id)
             .outerjoin(lead, lead.id == func.coalesce(Dossier.handling_agency_id, Procedure.handling_agency_id))
             .where(Dossier.receiving_agency_id == agency_id, Dossier.logbook_number.is_not(None),
                    Dossier.received_at >= low, Dossier.received_at < high)
             .order_by(Dossier.logbook_number))
    if after is not None:
        query = query.where(Dossier.logbook_number > after)
    if limit is not None:
        query = query.limit(limit)
    return [LogbookRow(d.logbook_number, d.code, procedure, d.applicant_name, agency, d.received_at, d.due_at,
                       moved, d.result_ready_at or d.decided_at, d.returned_at, d.status.value,
                       legal_form("log", d))
            for d, procedure, agency, moved in db.session.execute(query)]
