"""Append events to a dossier's hash chain; the dossier row remembers the chain head."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.chain import GENESIS, event_hash
from app.audit.models import DossierEvent
from app.core.db import utcnow
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
    return event


def list_events(dossier_id: int, *, include_internal: bool = True) -> list[DossierEvent]:
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier_id).order_by(DossierEvent.seq)
    if not include_internal:
        query = query.where(DossierEvent.is_internal.is_(False))
    return list(db.session.scalars(query))
