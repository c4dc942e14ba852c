"""Personal data shown to supervisors: masked unless they open the dossier with a reason, which is logged.

Officials of an involved agency, admins and auditors see the dossier as it is. A supervisor (read-only
oversight of a subtree) sees ID numbers, phone, e-mail, address, birth dates and the personal fields of the
form data masked; `disclose` records the reason in the auditor access log and the web layer then shows that
dossier unmasked for the rest of the session.
"""
from __future__ import annotations

import re
from typing import Any

from app.auth.models import User
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.permissions import SUPERVISOR, covers
from app.dossiers.models import Dossier

PERSONAL_ATTRIBUTES = ("applicant_id_number", "applicant_phone", "applicant_email", "applicant_address")
# Form keys that carry personal data in the shipped forms (id/passport numbers, contacts, births, addresses).
PERSONAL_KEY = re.compile(r"(id_number|passport|phone|email|address|date_of_birth|birth_date|place_of_birth|"
                          r"cccd|cmnd|dob)", re.IGNORECASE)
MASK = "•••"
UNMASKED_READERS = ("admin", "auditor")
MIN_REASON = 10


def mask_value(value: Any) -> Any:
    """Keep the last two characters of a text so a supervisor can tell two values apart, hide the rest."""
    if value in (None, ""):
        return value
    text = str(value)
    return MASK + text[-2:] if len(text) > 6 else MASK


def mask_form_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of `data` whose personal fields (by key, also in nested objects and lists) are masked."""
    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        return mask_value(value) if PERSONAL_KEY.search(key) else value

    return walk(dict(data or {}))


def needs_masking(actor: User, dossier: Dossier) -> bool:
    """True when `actor` sees this dossier only through a supervisor role."""
    from app.dossiers.listing import visible_agency_ids
    from app.dossiers.services import can_act, involved_agency_ids

    if can_act(actor, dossier):
        return False
    unmasked = visible_agency_ids(actor, roles=UNMASKED_READERS)
    if unmasked is None or unmasked & involved_agency_ids(dossier):
        return False
    return any(a.role == SUPERVISOR for a in actor.roles)


class MaskedDossier:
    """Read-only stand-in for a dossier in templates and schemas: personal attributes masked."""

    def __init__(self, dossier: Dossier) -> None:
        self._dossier = dossier

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._dossier, name)
        if name in PERSONAL_ATTRIBUTES:
            return mask_value(value)
        if name == "form_data":
            return mask_form_data(value)
        return value

    @property
    def is_masked(self) -> bool:
        return True


def for_reader(actor: User, dossier: Dossier, *, disclosed: bool = False) -> Dossier | MaskedDossier:
    """The dossier as `actor` may read it (masked for supervisors unless disclosed this session)."""
    if disclosed or not needs_masking(actor, dossier):
        return dossier
    return MaskedDossier(dossier)


def for_reader_list(actor: User, dossiers: list[Dossier]) -> list[Dossier | MaskedDossier]:
    """`for_reader` over a page of dossiers; a pure supervisor gets every row masked without a query each."""
    if not any(a.role == SUPERVISOR for a in actor.roles):
        return list(dossiers)
    if all(a.role == SUPERVISOR for a in actor.roles):
        return [MaskedDossier(d) for d in dossiers]
    return [for_reader(actor, d) for d in dossiers]


def disclose(actor: User, dossier: Dossier, reason: str, *, remote_addr: str | None = None) -> None:
    """Record why a supervisor opens a dossier's personal data (account audit log, kind `personal_data_opened`,
    readable by admins and auditors of the receiving agency's tree)."""
    from app.auth.events import Client, record_auth_event

    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(f"Cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự).",
                              f"A reason of at least {MIN_REASON} characters is required.",
                              details={"errors": {"reason": ["too short"]}})
    if not any(covers(actor, SUPERVISOR, a) for a in _involved_agencies(dossier)):
        raise PermissionDeniedError("Bạn không giám sát hồ sơ này.", "You do not supervise this dossier.")
    record_auth_event("personal_data_opened", actor=actor, agency=dossier.receiving_agency,
                      client=Client(remote_addr), detail=f"{dossier.code}: {reason}")


def _involved_agencies(dossier: Dossier) -> list[Any]:
    from app.auth.models import Agency
    from app.dossiers.services import involved_agency_ids
    from app.extensions import db

    return [a for a in (db.session.get(Agency, i) for i in involved_agency_ids(dossier)) if a is not None]
