"""Append events to a dossier's hash chain (the dossier row remembers the chain head) and read them back."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.core.db import utcnow
from app.core.signals import dossier_event_recorded
from app.core.timefmt import local_year
from app.extensions import db
from app.history.chain import GENESIS, dossier_digest, event_hash
from app.history.models import DossierEvent


@dataclass
class HistoryEvent:
    """One entry of a dossier's history, before it is chained."""

    kind: str
    at: datetime | None = None
    actor: Any = None
    role: str | None = None
    agency_id: int | None = None
    from_step: str | None = None
    to_step: str | None = None
    comment: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    is_internal: bool = False
    model_hash: str | None = None
    state_fingerprint: str | None = None
    state_hash: str | None = None
    # Not recorded: what the step did to the human tasks (workflow TaskChanges), for the listeners of the signal.
    changes: Any = None


def append_event(dossier: Any, entry: HistoryEvent) -> DossierEvent:
    """Chain `entry` after the dossier's current head and tell the listeners (outbox) in the same transaction."""
    data = json.loads(json.dumps(entry.data or {}, default=str))  # hash what the JSON column will give back
    fields = {
        "seq": dossier.event_seq + 1, "kind": entry.kind, "at": entry.at or utcnow(),
        "actor_id": getattr(entry.actor, "id", None), "actor_name": getattr(entry.actor, "full_name", None),
        "role": entry.role, "agency_id": entry.agency_id, "from_step": entry.from_step, "to_step": entry.to_step,
        "comment": entry.comment, "is_internal": entry.is_internal, "data": data, "model_hash": entry.model_hash,
        "state_fingerprint": entry.state_fingerprint, "prev_hash": dossier.last_event_hash or GENESIS,
        "dossier_digest": dossier_digest(dossier), "state_hash": entry.state_hash,
    }
    event = DossierEvent(dossier_id=dossier.id, dossier_year=local_year(dossier.received_at), hash=event_hash(fields),
                         **fields)
    db.session.add(event)
    dossier.event_seq = fields["seq"]
    dossier.last_event_hash = event.hash
    dossier_event_recorded.send(dossier, event=event, changes=entry.changes)
    return event


def list_events(dossier_id: int, *, include_internal: bool = True) -> list[DossierEvent]:
    """The dossier's events in chain order (internal notes left out for the public)."""
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier_id).order_by(DossierEvent.seq)
    if not include_internal:
        query = query.where(DossierEvent.is_internal.is_(False))
    return list(db.session.scalars(query))
