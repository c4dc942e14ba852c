"""What a citizen may see of a dossier with its code and PIN: status in plain words, no personal data.

Unknown code, wrong PIN and locked PIN all end in the same LookupRefusedError (404, same body): the
web pages and the API render it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select

from app.auth.models import Agency
from app.core.db import unit_of_work
from app.core.errors import NotFoundError
from app.dossiers import labels, pins
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.pages import citizen_step, missing_items
from app.extensions import db
from app.history.services import list_events


class LookupRefusedError(NotFoundError):
    """Unknown code, wrong PIN or locked PIN: deliberately indistinguishable."""

    code = "lookup_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.", "No dossier with this code and PIN.")


def _both(label) -> tuple[str, str]:
    """A lazy label rendered in Vietnamese and in English."""
    with force_locale("vi"):
        vi = str(label)
    with force_locale("en"):
        return vi, str(label)


@dataclass
class PublicStatus:
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_vi: str
    status_en: str
    step_vi: str | None
    step_en: str | None
    received_at: datetime
    appointment_at: datetime
    result_ready_at: datetime | None
    returned_at: datetime | None
    applicant_initials: str
    missing_items: str | None
    rating: str | None
    can_rate: bool


def initials(name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.'"""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


def verified_dossier(code: str, pin: str | None) -> Dossier:
    """Edge helper: check the PIN in its own unit of work (the attempt is kept even when refused), or raise.

    Shared by the citizen pages and the API so both count against the same per-dossier guard.
    """
    with unit_of_work():
        dossier = pins.open_with_pin(code, pin)
    if dossier is None:
        raise LookupRefusedError()
    return dossier


def can_rate(dossier: Dossier) -> bool:
    return dossier.rating is None and dossier.status in (DossierStatus.RETURNED, DossierStatus.REFUSED)


def public_status(dossier: Dossier) -> PublicStatus:
    """Status, current step in plain words, appointment and missing items of a dossier."""
    status_vi, status_en = _both(labels.STATUS[dossier.status.value])
    step = citizen_step(dossier)
    step_vi, step_en = _both(labels.CITIZEN_STEP[step]) if step in labels.CITIZEN_STEP else (None, None)
    return PublicStatus(
        code=dossier.code, procedure_code=dossier.procedure.code, procedure_name=dossier.procedure.name_vi,
        status=dossier.status.value, status_vi=status_vi, status_en=status_en, step_vi=step_vi, step_en=step_en,
        received_at=dossier.received_at, appointment_at=dossier.due_at, result_ready_at=dossier.result_ready_at,
        returned_at=dossier.returned_at, applicant_initials=initials(dossier.applicant_name),
        missing_items=missing_items(dossier), rating=dossier.rating,
        can_rate=can_rate(dossier))


@dataclass
class PublicEvent:
    seq: int
    kind: str
    kind_vi: str
    kind_en: str
    at: datetime
    office_vi: str | None
    office_en: str | None
    agency_name: str | None
    comment: str | None


def _office(role: str | None) -> tuple[str | None, str | None]:
    return _both(labels.PUBLIC_ROLE[role]) if role in labels.PUBLIC_ROLE else (None, None)


def public_events(dossier: Dossier) -> list[PublicEvent]:
    """The applicant's timeline: public events only, the office and agency name, never a person or an id."""
    events = list_events(dossier.id, include_internal=False)
    names = {a.id: a.name for a in db.session.scalars(
        select(Agency).where(Agency.id.in_({e.agency_id for e in events if e.agency_id})))}
    result = []
    for e in events:
        kind_vi, kind_en = _both(labels.EVENT[e.kind]) if e.kind in labels.EVENT else (e.kind, e.kind)
        office_vi, office_en = _office(e.role)
        result.append(PublicEvent(seq=e.seq, kind=e.kind, kind_vi=kind_vi, kind_en=kind_en, at=e.at,
                                  office_vi=office_vi, office_en=office_en, agency_name=names.get(e.agency_id),
                                  comment=e.comment))
    return result
