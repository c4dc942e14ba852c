"""Append events to a dossier's hash chain; the dossier row remembers the chain head."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.chain import GENESIS, event_hash
from app.audit.models import DossierEvent
from app.core.db import utcnow
from app.core.signals import dossier_event_recorded
from app.extensions import db


def record_event(dossier: Any, kind: str, *, actor: Any = None, role: str | None = None,
                 agency_id: int | None = None, from_step: str | None = None, to_step: str | None = None,
                 comment: str | None = None, data: dict | None = None, is_internal: bool = False,
                 model_hash: str | None = None, state_fingerprint: str | None = None,
                 at: datetime | None = None) -> DossierEvent:
    """Append one event after the dossier's current chain head."""
    at = at or utcnow()
    data = json.loads(json.dumps(data or {}, default=str))  # hash what the JSON column will give back
    fields = {
        "seq": dossier.event_seq + 1, "kind": kind, "at": at,
        "actor_id": getattr(actor, "id", None), "actor_name": getattr(actor, "full_name", None),
        "role": role, "agency_id": agency_id, "from_step": from_step, "to_step": to_step, "comment": comment,
        "is_internal": is_internal, "data": data, "model_hash": model_hash,
        "state_fingerprint": state_fingerprint, "prev_hash": dossier.last_event_hash or GENESIS,
    }
    event = DossierEvent(dossier_id=dossier.id, hash=event_hash(fields), **fields)
    db.session.add(event)
    dossier.event_seq = fields["seq"]
    dossier.last_event_hash = event.hash
    dossier_event_recorded.send(dossier, event=event)
    return event


def list_events(dossier_id: int, *, include_internal: bool = True) -> list[DossierEvent]:
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier_id).order_by(DossierEvent.seq)
    if not include_internal:
        query = query.where(DossierEvent.is_internal.is_(False))
    return list(db.session.scalars(query))


# --- auditor scope and access log -----------------------------------------------------------

AUDIT_ROLES = ("auditor", "admin")


def _scope_paths(actor: Any) -> list[str] | None:
    """Agency paths the actor audits; None means everywhere (a role granted without agency)."""
    paths = []
    for assignment in actor.roles:
        if assignment.role in AUDIT_ROLES:
            if assignment.agency is None:
                return None
            paths.append(assignment.agency.path)
    return paths


def ensure_can_audit(actor: Any, dossier: Any) -> None:
    """Auditors (and admins) see dossiers handled by agencies in their scope only."""
    from app.auth.models import Agency
    from app.core.errors import PermissionDeniedError
    from app.dossiers.services import involved_agency_ids

    paths = _scope_paths(actor)
    if paths is None:
        return
    agencies = [db.session.get(Agency, agency_id) for agency_id in involved_agency_ids(dossier)]
    if not any(a and a.path.startswith(path) for a in agencies for path in paths):
        raise PermissionDeniedError("Hồ sơ này nằm ngoài phạm vi thanh tra của bạn.",
                                    "This dossier is outside your audit scope.")


def list_auditable_dossiers(actor: Any, search: str = "", limit: int = 50) -> list[Any]:
    """Dossiers received by agencies in the actor's audit scope, newest first, optionally filtered by code."""
    from sqlalchemy import false, or_

    from app.auth.models import Agency
    from app.dossiers.models import Dossier

    query = select(Dossier).order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(limit)
    paths = _scope_paths(actor)
    if paths is not None:
        query = query.join(Agency, Agency.id == Dossier.receiving_agency_id).where(
            or_(*[Agency.path.startswith(path) for path in paths]) if paths else false())
    if search.strip():
        query = query.where(Dossier.code.contains(search.strip()))
    return list(db.session.scalars(query))


def log_access(actor: Any, action: str, *, dossier: Any = None, path: str | None = None,
               remote_addr: str | None = None, detail: str | None = None) -> None:
    """Record that an auditor (or admin) looked at or checked something."""
    from app.audit.models import AuditAccess

    db.session.add(AuditAccess(user_id=getattr(actor, "id", None), action=action, at=utcnow(),
                               dossier_id=getattr(dossier, "id", None), path=(path or "")[:500] or None,
                               remote_addr=remote_addr, detail=(detail or "")[:500] or None))


def list_access(actor: Any = None, limit: int = 200) -> list[Any]:
    """Newest access-log rows; an admin or auditor scoped to an agency sees its subtree only.

    In scope: rows about a dossier received inside the subtree, or rows without a dossier by a user holding a
    role inside it.
    """
    from sqlalchemy import and_, or_

    from app.audit.models import AuditAccess
    from app.auth.scope import agencies_under, audit_scope, users_under
    from app.dossiers.models import Dossier

    query = select(AuditAccess).order_by(AuditAccess.id.desc()).limit(limit)
    paths = audit_scope(actor) if actor is not None else None
    if paths is not None:
        dossiers_here = select(Dossier.id).where(Dossier.receiving_agency_id.in_(agencies_under(paths)))
        query = query.where(or_(AuditAccess.dossier_id.in_(dossiers_here),
                                and_(AuditAccess.dossier_id.is_(None), AuditAccess.user_id.in_(users_under(paths)))))
    return list(db.session.scalars(query))
