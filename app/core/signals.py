"""Signals that let features react to each other without importing each other (indico pattern)."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent by app.history.services.append_event inside the caller's transaction: (dossier, event=DossierEvent)
dossier_event_recorded = _signals.signal("dossier-event-recorded")
