"""Auditor scope and the auditors' access log."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.history.services import list_events  # noqa: F401  (auditor features read the history through here)

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
