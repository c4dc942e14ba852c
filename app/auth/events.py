"""The account audit log: sign-ins (success and failure) and administrative changes, read within scope."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.auth.models import Agency, AuthEvent, User
from app.auth.scope import agencies_under, audit_scope, users_under
from app.core.db import utcnow
from app.extensions import db

KINDS = ("login_succeeded", "login_failed", "login_locked", "logout", "user_created", "role_granted",
         "role_revoked", "password_reset", "password_changed", "user_enabled", "user_disabled",
         "agency_created", "agency_updated", "personal_data_opened")


@dataclass(frozen=True)
class Client:
    """Where a request came from (the web layer fills it; services never read the request)."""

    remote_addr: str | None = None


def record_auth_event(kind: str, *, actor: User | None = None, target: User | None = None,
                      username: str | None = None, agency: Agency | None = None, client: Client | None = None,
                      detail: str | None = None) -> AuthEvent:
    """Append one row to the account audit log (in the caller's unit of work)."""
    event = AuthEvent(kind=kind, at=utcnow(), actor_id=getattr(actor, "id", None),
                      target_user_id=getattr(target, "id", None),
                      username=(username or getattr(target, "username", None) or "")[:64] or None,
                      agency_id=getattr(agency, "id", None), remote_addr=client.remote_addr if client else None,
                      detail=(detail or "")[:500] or None)
    db.session.add(event)
    return event


def list_auth_events(actor: User, *, kind: str | None = None, limit: int = 200) -> list[AuthEvent]:
    """Newest events about agencies or users inside the admin/auditor scope of `actor`."""
    query = select(AuthEvent).order_by(AuthEvent.id.desc()).limit(limit)
    paths = audit_scope(actor)
    if paths is not None:
        query = query.where(or_(AuthEvent.agency_id.in_(agencies_under(paths)),
                                AuthEvent.target_user_id.in_(users_under(paths))))
    if kind:
        query = query.where(AuthEvent.kind == kind)
    return list(db.session.scalars(query))


def target_names(events: list[AuthEvent]) -> dict[int, str]:
    """Usernames of the events' target users, in one query."""
    ids = {e.target_user_id for e in events if e.target_user_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
