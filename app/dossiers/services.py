"""Reading dossiers back, and who may see them (receipt is in intake.py, the actions in lifecycle.py)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.core.errors import NotFoundError
from app.core.permissions import OFFICIAL_ROLES
from app.dossiers.involvement import involved_agency_ids  # noqa: F401  (re-exported for features above)
from app.dossiers.models import Dossier
from app.extensions import db

# --- queries --------------------------------------------------------------------------------

def get_dossier(code: str) -> Dossier:
    dossier = find_dossier(code)
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier


def find_dossier(code: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.code == code.strip()))


def can_view(actor: User, dossier: Dossier) -> bool:
    """Officials see dossiers their agency received or holds a task of; admins, auditors, supervisors their subtree."""
    from app.dossiers.listing import visible_agency_ids

    visible = visible_agency_ids(actor)
    return visible is None or bool(visible & involved_agency_ids(dossier))


def can_act(actor: User, dossier: Dossier) -> bool:
    """Only officials of an involved agency write on a dossier (auditors and supervisors are read-only)."""
    involved = involved_agency_ids(dossier)
    return any(a.role in OFFICIAL_ROLES and a.agency_id in involved for a in actor.roles)


def get_dossier_for(actor: User, code: str) -> Dossier:
    """Return the dossier if `actor` may see it; others get the 404 of an unknown code (no existence oracle)."""
    dossier = find_dossier(code)
    if dossier is None or not can_view(actor, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier
