"""Citizens signed in through the identity provider, and the dossiers that are theirs."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from app.citizen.models import Citizen
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.dossiers.models import Dossier
from app.extensions import db

ID_NUMBER_RE = re.compile(r"^\d{12}$")
MY_DOSSIERS_LIMIT = 100


def sign_in(issuer: str, claims: dict[str, Any]) -> Citizen:
    """Record a verified sign-in: the provider's subject and the personal ID it vouches for (created on first use)."""
    id_number = str(claims.get("id_number") or "")
    if not ID_NUMBER_RE.match(id_number) or not claims.get("sub"):
        raise ValidationError("Tài khoản định danh không cung cấp số định danh cá nhân hợp lệ.",
                              "The identity account gave no valid personal ID number.")
    citizen = db.session.scalar(select(Citizen).where(Citizen.subject == str(claims["sub"])))
    if citizen is None:
        citizen = db.session.scalar(select(Citizen).where(Citizen.id_number == id_number)) or Citizen(
            id_number=id_number)
        db.session.add(citizen)
    citizen.issuer, citizen.subject, citizen.id_number = issuer, str(claims["sub"]), id_number
    citizen.full_name = str(claims.get("name") or id_number)
    citizen.birth_date, citizen.email = claims.get("birthdate"), claims.get("email")
    citizen.phone, citizen.address = claims.get("phone_number"), _address(claims.get("address"))
    citizen.last_sign_in_at = utcnow()
    db.session.flush()
    return citizen


def _address(value: Any) -> str | None:
    if isinstance(value, dict):  # OIDC's structured address claim
        return value.get("formatted") or ", ".join(str(v) for v in value.values() if v)
    return str(value) if value else None


def get_citizen(citizen_id: int) -> Citizen:
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError("Phiên đăng nhập không còn hiệu lực.", "The sign-in is no longer valid.")
    return citizen


def _mine(citizen: Citizen):
    return or_(Dossier.applicant_id_number == citizen.id_number, Dossier.submitter_id_number == citizen.id_number)


def list_dossiers(citizen: Citizen) -> list[Dossier]:
    """The citizen's dossiers, newest first: those they submitted online and those filed in their ID number."""
    return list(db.session.scalars(select(Dossier).where(_mine(citizen)).order_by(Dossier.received_at.desc(),
                                                                                   Dossier.id.desc())
                                   .limit(MY_DOSSIERS_LIMIT)))


def get_own_dossier(citizen: Citizen, code: str) -> Dossier:
    """The citizen's dossier `code`; anyone else's is the 404 of an unknown code."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code.strip(), _mine(citizen)))
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier
