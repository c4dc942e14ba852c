"""Who an API token belongs to, kept for a few seconds per worker process so a request costs no SQL to authenticate.

An entry is the token's id and last use plus a snapshot of its owner (columns of the user, its role assignments and
their agencies), never live ORM objects: each request rebuilds its own instances from it and attaches them to its
session without a query (`session.merge(..., load=False)`, SQLAlchemy's documented way to reuse cached rows).
Entries are trusted only while the shared credentials stamp (app.core.credentials) has not moved since they were
stored, and for at most TOKEN_CACHE_SECONDS; without the stamp (no Redis, or unreachable) nothing is cached.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import Agency, RoleAssignment, User

EXTENSION = "motcua.token_cache"
MAX_ENTRIES = 10_000

Columns = dict[str, Any]


@dataclass(frozen=True)
class CachedToken:
    token_id: int
    last_used_at: datetime | None
    user: Columns
    roles: tuple[tuple[Columns, Columns | None], ...]  # (assignment, its agency or None for a global role)
    stamp: str
    expires_at: float


class TokenCache:
    """Digest → CachedToken for one process; emptied whenever the stamp it last saw moves."""

    def __init__(self, ttl: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: dict[str, CachedToken] = {}
        self._stamp: str | None = None
        self._lock = threading.Lock()

    def get(self, digest: str, stamp: str) -> CachedToken | None:
        if stamp != self._stamp:
            self._reset(stamp)
            return None
        entry = self._entries.get(digest)
        if entry is None or entry.stamp != stamp or entry.expires_at <= monotonic():
            return None
        return entry

    def put(self, digest: str, token: Any, stamp: str) -> None:
        """Remember a token found valid in the database, under the stamp read *before* that lookup."""
        if self.ttl <= 0:
            return
        user = token.user
        entry = CachedToken(token.id, token.last_used_at, _columns(user),
                            tuple((_columns(a), _columns(a.agency) if a.agency is not None else None)
                                  for a in user.roles), stamp, monotonic() + self.ttl)
        with self._lock:
            if stamp != self._stamp:
                return  # the stamp moved while we read the database: this snapshot may predate a revocation
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[digest] = entry

    def touched(self, digest: str, at: datetime) -> None:
        entry = self._entries.get(digest)
        if entry is not None:
            self._entries[digest] = replace(entry, last_used_at=at)

    def _reset(self, stamp: str) -> None:
        with self._lock:
            if stamp != self._stamp:
                self._entries.clear()
                self._stamp = stamp


def token_cache() -> TokenCache:
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = TokenCache(float(current_app.config.get("TOKEN_CACHE_SECONDS", 30)))
        current_app.extensions[EXTENSION] = found
    return found


def attach(entry: CachedToken, session: Session) -> User:
    """The entry's user, with its roles and agencies, as clean persistent objects of `session` (no SQL).

    The objects are built from their columns without the instrumented constructor and the relationships set as
    loaded values (`set_committed_value`): no attribute events, no backref bookkeeping, nothing to flush.
    """
    user, agencies, assignments = _detached(User, entry.user), {}, []
    for columns, agency in entry.roles:
        assignment = _detached(RoleAssignment, columns)
        found = None
        if agency is not None:  # one object per agency, however many roles the user holds there
            found = agencies.get(agency["id"]) or agencies.setdefault(agency["id"], _detached(Agency, agency))
        set_committed_value(assignment, "agency", found)
        set_committed_value(assignment, "user", user)
        assignments.append(assignment)
    set_committed_value(user, "roles", assignments)
    objects = (user, *assignments, *agencies.values())
    identity = session.identity_map
    if any(inspect(obj).key in identity for obj in objects):
        return session.merge(user, load=False)  # some rows are in the session already: reuse them
    session.add(user)  # the usual case (authentication is the request's first use of its session): no copies
    return user


def _columns(obj: Any) -> Columns:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}


def _detached(model: type, columns: Columns) -> Any:
    """A detached object whose loaded state is `columns` (what SQLAlchemy builds from a row)."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(columns)
    make_transient_to_detached(obj)  # the identity key from the primary key; the values become the loaded state
    return obj
