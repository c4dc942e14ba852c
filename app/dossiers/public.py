"""What a citizen may see of a dossier with its code and PIN: status in plain words, no personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale

from app.core.errors import NotFoundError
from app.dossiers import labels
from app.dossiers.codes import pin_matches
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.pages import citizen_step, missing_items
from app.dossiers.services import find_dossier


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


def check_pin(code: str, pin: str | None) -> Dossier:
    """The dossier if `pin` is its lookup PIN; unknown code and wrong PIN look the same."""
    dossier = find_dossier(code)
    if dossier is None or not (pin and pin_matches(dossier.code, pin, dossier.pin_hash)):
        raise NotFoundError("Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.",
                            "No dossier with this code and PIN.", code="lookup_not_found")
    return dossier


def public_status(code: str, pin: str | None) -> PublicStatus:
    """Status, current step in plain words, appointment and missing items of a dossier."""
    dossier = check_pin(code, pin)
    status_vi, status_en = _both(labels.STATUS[dossier.status.value])
    step = citizen_step(dossier)
    step_vi, step_en = _both(labels.CITIZEN_STEP[step]) if step in labels.CITIZEN_STEP else (None, None)
    return PublicStatus(
        code=dossier.code, procedure_code=dossier.procedure.code, procedure_name=dossier.procedure.name_vi,
        status=dossier.status.value, status_vi=status_vi, status_en=status_en, step_vi=step_vi, step_en=step_en,
        received_at=dossier.received_at, appointment_at=dossier.due_at, result_ready_at=dossier.result_ready_at,
        returned_at=dossier.returned_at, applicant_initials=initials(dossier.applicant_name),
        missing_items=missing_items(dossier), rating=dossier.rating,
        can_rate=dossier.rating is None and dossier.status in (DossierStatus.RETURNED, DossierStatus.REFUSED))
