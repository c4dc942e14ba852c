"""Where a new human task goes: its agency and its step deadline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from app.catalog.services import handling_agency_for, resolve_agency_key
from app.dossiers.deadlines import legal_due
from app.dossiers.models import Dossier
from app.workflow import services as workflow


def placement_for(dossier: Dossier, view: Any, now: datetime) -> workflow.Placement:
    """Receivers at the receiving agency, others by competence; a step without its own budget is due with the
    dossier."""
    receiving = dossier.receiving_agency
    default = receiving if view.role in ("receiver", "returner") else handling_agency_for(dossier.procedure, receiving)
    agency = resolve_agency_key(dossier.procedure, view.agency, default)
    due = dossier.legal_due_at
    if view.step_kind == "return":
        return workflow.Placement(agency.id, _return_due(dossier, now))
    if view.duration_days:
        due = legal_due(dossier.procedure, agency.id, now, view.duration_days, at_receipt=False)
    return workflow.Placement(agency.id, due)


def _return_due(dossier: Dossier, now: datetime) -> datetime:
    """The return step is due at the appointment on the slip (issue 14.5), never before the result is ready."""
    return max(dossier.due_at, now)
