"""Where a new human task goes: its agency (by competence, never by the counter that received it) and its step
deadline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.auth.models import Agency, User
from app.catalog.services import competent_agencies, handling_agency_for, resolve_agency_key
from app.core.errors import ValidationError
from app.dossiers.deadlines import legal_due, paper_transfer_at
from app.dossiers.models import Channel, Dossier
from app.dossiers.rules import get_ruleset
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.models import HumanTask, TaskStatus

PAPER_CHANNELS = (Channel.COUNTER, Channel.POST, Channel.MOBILE)


def handling_agency(dossier: Dossier) -> Agency:
    """The competent agency found at receipt (older dossiers: by level, as before competence routing)."""
    return dossier.handling_agency or handling_agency_for(dossier.procedure, dossier.receiving_agency)


def placement_for(dossier: Dossier, view: Any, now: datetime,
                  back_to: dict[str, User] | None = None) -> workflow.Placement:
    """Receivers at the receiving agency, others at the competent agency (or its liên thông partner named by the
    model's agency key); a step without its own budget is due with the dossier. A paper dossier handed to another
    agency after the transfer cut-off arrives there the next working morning, and its step budget starts then.
    A step handed back (`back_to`, from `hand_back`) goes to the official who did it, while they still may."""
    receiving = dossier.receiving_agency
    default = receiving if view.role in ("receiver", "returner") else handling_agency(dossier)
    agency = resolve_agency_key(dossier.procedure, view.agency, default, dossier.competence_commune)
    previous = (back_to or {}).get(view.bpmn_id)
    assignee = previous.id if previous is not None and previous.has_role(view.role, agency) else None
    due = dossier.legal_due_at
    if view.step_kind == "return":
        return workflow.Placement(agency.id, _return_due(dossier, now), assignee)
    if view.duration_days:
        start = arrival_at(dossier, agency.id, now)
        due = legal_due(dossier.procedure, agency.id, start, view.duration_days, at_receipt=False)
    return workflow.Placement(agency.id, due, assignee)


def hand_back(dossier: Dossier, ready: list[Any]) -> dict[str, User]:
    """Who handled each of the `ready` steps last time (a step returned to, e.g. the leader sends the appraisal
    back): {bpmn id: enabled official}, in one query. `placement_for` gives them the step again, not the queue."""
    steps = {view.bpmn_id for view in ready}
    if not steps or dossier.id is None:
        return {}
    rows = db.session.execute(
        select(HumanTask.bpmn_id, User).join(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.dossier_id == dossier.id, HumanTask.bpmn_id.in_(steps),
               HumanTask.status == TaskStatus.COMPLETED, User.is_enabled.is_(True))
        .order_by(HumanTask.completed_at, HumanTask.id)).all()
    return {bpmn_id: user for bpmn_id, user in rows}  # the latest completion wins


def _return_due(dossier: Dossier, now: datetime) -> datetime:
    """The return step is due at the appointment on the slip (issue 14.5), never before the result is ready."""
    return max(dossier.due_at, now)


def arrival_at(dossier: Dossier, agency_id: int, now: datetime) -> datetime:
    """When a step sent to `agency_id` at `now` can start: at once, unless paper crosses to another agency."""
    if dossier.channel not in PAPER_CHANNELS or agency_id == dossier.receiving_agency_id:
        return now
    return paper_transfer_at(dossier.receiving_agency_id, now, get_ruleset(dossier.ruleset))


def ensure_competent(dossier: Dossier, target: Agency) -> None:
    """Refuse a transfer to an agency without competence for the dossier's procedure."""
    allowed = competent_agencies(dossier.procedure, handling_agency(dossier), dossier.competence_commune)
    if target.id not in {a.id for a in allowed}:
        names = ", ".join(a.name for a in allowed)
        raise NoCompetenceForTransferError(
            f"{target.name} không có thẩm quyền giải quyết thủ tục {dossier.procedure.code} của hồ sơ này "
            f"(cơ quan có thẩm quyền: {names}).",
            f"{target.name} has no competence for procedure {dossier.procedure.code} of this dossier "
            f"(competent: {names}).", details={"competent": [a.code for a in allowed]})


class NoCompetenceForTransferError(ValidationError):
    code = "no_competence"
