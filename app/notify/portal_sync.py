"""Status synchronisation with the national public-service portal through the outbox.

Each public event of a dossier becomes one outbox row (channel `portal`) in the transaction that recorded it, and
the scheduler delivers it with the outbox's retries and backoff; the portal keeps each code + seq once, so a
retried delivery is harmless and late ones are ordered by seq.
"""
from __future__ import annotations

import json
from typing import Any

from flask import current_app

from app.connectors import ServiceUnavailableError, national_portal
from app.dossiers import labels
from app.dossiers.models import Dossier
from app.extensions import db
from app.notify.models import Notification

CHANNEL, RECIPIENT = "portal", "national-portal"


def portal_event(dossier: Dossier, event: Any) -> dict[str, Any]:
    """What the portal is told: the dossier, its status and step now, and the event that changed them."""
    from flask_babel import force_locale

    with force_locale("vi"):
        status_name = str(labels.STATUS.get(dossier.status.value, dossier.status.value))
    agency = dossier.receiving_agency
    return {"code": dossier.code, "seq": event.seq, "event": event.kind, "at": event.at.isoformat(),
            "procedure_code": dossier.procedure.code, "agency": agency.edoc_code or agency.code,
            "channel": dossier.channel.value, "status": dossier.status.value, "status_name": status_name,
            "step": dossier.current_step, "received_at": dossier.received_at.isoformat(),
            "due_at": dossier.due_at.isoformat(),
            "finished_at": dossier.finished_at.isoformat() if dossier.finished_at else None}


def queue_portal_event(dossier: Dossier, event: Any) -> Notification | None:
    """Queue the event for the portal (when one is configured); internal notes are never published."""
    if not current_app.config.get("PORTAL_URL") or event.is_internal:
        return None
    row = Notification(dossier_id=dossier.id, event_kind=event.kind[:32], channel=CHANNEL, recipient=RECIPIENT,
                       subject=f"{dossier.code} #{event.seq}", body=json.dumps(portal_event(dossier, event)),
                       next_attempt_at=event.at)
    db.session.add(row)
    return row


def send(row: Notification) -> None:
    """Deliver one queued event (an outage is an OSError for the outbox: retried with backoff)."""
    try:
        national_portal().publish(json.loads(row.body))
    except ServiceUnavailableError as error:
        raise OSError(error.message_en + " " + str(error.details.get("detail", ""))) from error
