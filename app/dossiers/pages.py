"""Read models for the officials' dossier and task pages (one query per list, no N+1)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.auth.models import Agency, User
from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.dossiers.case_panel import CasePanel, build_case_panel, prefill
from app.dossiers.lifecycle import SUPPLEMENT_MESSAGE
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow.models import HumanTask, ProcessVersion


@dataclass
class StepRow:
    task: HumanTask
    official: str | None
    agency: str | None
    timing: str | None  # early / on_time / late (finished) or the urgency of an open step


@dataclass
class DossierPage:
    dossier: Dossier
    steps: list[StepRow]
    events: list[DossierEvent]
    version: ProcessVersion
    markers: dict[str, list[str]] = field(default_factory=dict)
    panel: CasePanel | None = None

    @property
    def open_tasks(self) -> list[HumanTask]:
        return [row.task for row in self.steps if row.task.is_open]


def _names(ids: set[int | None], model: Any, attr: str) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: getattr(row, attr) for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _step_rows(dossier: Dossier) -> list[StepRow]:
    tasks = list(db.session.scalars(select(HumanTask).where(
        HumanTask.dossier_id == dossier.id, HumanTask.status != "cancelled").order_by(HumanTask.created_at,
                                                                                    HumanTask.id)))
    users = _names({t.completed_by_id or t.assignee_id for t in tasks}, User, "full_name")
    agencies = _names({t.agency_id for t in tasks}, Agency, "name")
    now, cal = utcnow(), get_calendar(dossier.receiving_agency_id)
    rows = []
    for t in tasks:
        timing = t.timing
        if timing is None and t.is_open and t.due_at:
            timing = "late" if cal.is_overdue(now, t.due_at) else None
        rows.append(StepRow(t, users.get(t.completed_by_id or t.assignee_id), agencies.get(t.agency_id), timing))
    return rows


def diagram_markers(steps: list[StepRow]) -> dict[str, list[str]]:
    """BPMN element ids to highlight: done steps, the current step(s) and late ones."""
    done = [r.task.bpmn_id for r in steps if r.task.status == "completed"]
    current = [r.task.bpmn_id for r in steps if r.task.is_open]
    late = [r.task.bpmn_id for r in steps if r.timing == "late"]
    return {"done": sorted(set(done) - set(current)), "current": sorted(set(current)), "late": sorted(set(late))}


def dossier_page(dossier: Dossier, *, include_internal: bool = True, masked: bool = False) -> DossierPage:
    """Everything the dossier and task pages show (the case panel included), with a fixed number of queries."""
    steps = _step_rows(dossier)
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.seq.desc())
    if not include_internal:
        query = query.where(DossierEvent.is_internal.is_(False))
    events = list(db.session.scalars(query))
    version = db.session.get(ProcessVersion, dossier.process_version_id)
    panel = build_case_panel(dossier, [r.task for r in steps], events, masked=masked)
    markers = diagram_markers(steps)
    if dossier.status == DossierStatus.WAITING_SUPPLEMENT:  # no open step: the wait itself is what is current
        markers["waiting_message"] = SUPPLEMENT_MESSAGE  # the message the model waits for
    return DossierPage(dossier, steps, events, version, markers, panel)


def task_defaults(page: DossierPage, task: HumanTask, actor: User) -> dict[str, Any]:
    """What a step's form can be prefilled with from the declaration and the earlier steps."""
    inputs = [dict(page.dossier.form_data or {})] + [
        dict((e.data or {}).get("input") or {}) for e in sorted(page.events, key=lambda e: e.seq)
        if e.kind == "task_completed"]
    context = {"actor_name": actor.full_name, "applicant_name": page.dossier.applicant_name,
               "return_method": page.dossier.return_method}
    return prefill(task.form_key, inputs, context)


def citizen_step(dossier: Dossier) -> str | None:
    """The step kind the citizen is told about (None once finished)."""
    if dossier.status is DossierStatus.RESULT_READY:
        return "return"
    return dossier.current_step_kind if dossier.is_open else None


def missing_items(dossier: Dossier) -> str | None:
    """What the latest supplement request asked for (shown to the applicant while waiting)."""
    if dossier.status is not DossierStatus.WAITING_SUPPLEMENT:
        return None
    event = db.session.scalar(select(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.kind == "supplement_requested")
        .order_by(DossierEvent.seq.desc()).limit(1))
    if event is None:
        return None
    return (event.data or {}).get("items") or event.comment


def intake_form_key(procedure: Any) -> str | None:
    """The form of the model's intake step (procedure-specific data entered at the counter)."""
    from app.workflow import services as workflow

    version = workflow.latest_version(procedure.process_key)
    for info in workflow.model_for(version).user_tasks(procedure.process_key):
        if info.step_kind == "intake":
            return info.form_key
    return None
