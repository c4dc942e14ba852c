"""Which agencies a dossier involves: the one rule both visibility (services) and who may act (actions) read."""
from __future__ import annotations

from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.workflow.models import HumanTask


def involved_agency_ids(dossier: Dossier) -> set[int]:
    """Agencies that received the dossier or hold one of its tasks."""
    ids = {dossier.receiving_agency_id}
    ids.update(a for a in db.session.scalars(select(HumanTask.agency_id).where(HumanTask.dossier_id == dossier.id))
               if a is not None)
    return ids
