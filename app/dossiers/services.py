"""Receiving dossiers and reading them back; each public function runs inside the caller's unit of work."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from unidecode import unidecode

from app.audit.services import record_event
from app.auth.models import Agency, User
from app.calendar import services as calendar
from app.catalog.models import Procedure
from app.catalog.services import get_procedure, handling_agency_for, resolve_agency_key
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.permissions import ensure_role
from app.core.timefmt import to_local
from app.dossiers import codes
from app.dossiers.models import Channel, ClockEntry, Dossier, DossierStatus
from app.dossiers.rules import ruleset_for
from app.dossiers.schemas import IntakeInput
from app.dossiers.task_forms import check_data
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.models import HumanTask

logger = logging.getLogger(__name__)


class IncompleteDossierError(ValidationError):
    """Mandatory documents are missing: the applicant gets a guidance slip listing all of them at once."""

    code = "dossier_incomplete"


@dataclass
class Receipt:
    dossier: Dossier
    pin: str


def missing_documents(procedure: Procedure, received_ids: list[int]) -> list[str]:
    """Names of the mandatory documents not ticked as received (listed once, completely)."""
    received = set(received_ids)
    return [d.name_vi for d in procedure.documents if d.is_mandatory and d.id not in received]


def _checklist(procedure: Procedure, intake: IntakeInput) -> list[dict[str, Any]]:
    received = set(intake.received_documents)
    return [{"id": d.id, "name": d.name_vi, "copies": d.copies, "original": d.is_original,
             "mandatory": d.is_mandatory, "received": d.id in received, "note": intake.document_notes.get(d.id)}
            for d in procedure.documents]


def _search_text(dossier: Dossier) -> str:
    parts = [dossier.code, dossier.applicant_name, dossier.applicant_id_number or "", dossier.applicant_phone or ""]
    return unidecode(" ".join(parts)).lower()


def receive_dossier(actor: User | None, agency: Agency, intake: IntakeInput) -> Receipt:
    """Check completeness, create the dossier with its code and appointment, and start its process."""
    if actor is not None:
        ensure_role(actor, ["receiver"], agency)
    procedure = get_procedure(intake.procedure_code)
    intake.applicant.validate()
    check_data(intake.form_data)  # raw process data: no helper-shadowing keys, NaN or huge numbers
    missing = missing_documents(procedure, intake.received_documents)
    if missing:
        raise IncompleteDossierError("Hồ sơ chưa đầy đủ. Cần bổ sung: " + "; ".join(missing),
                                     "The dossier is incomplete. Missing: " + "; ".join(missing),
                                     details={"missing": missing})
    now = utcnow()
    dossier, pin = _new_dossier(procedure, agency, intake, now)
    version = workflow.latest_version(procedure.process_key)
    dossier.process_version_id = version.id
    db.session.add(dossier)
    db.session.flush()
    process_data = _process_data(dossier, intake)
    instance, result = workflow.start_instance(dossier.id, version, process_data, now)
    record_event(dossier, "received", actor=actor, role="receiver", agency_id=agency.id, at=now,
                 to_step=procedure.name_vi,
                 data={"channel": dossier.channel.value, "due_at": dossier.due_at.isoformat(), "input": process_data},
                 model_hash=version.content_hash,
                 state_fingerprint=workflow.fingerprint(result.state))
    db.session.add(ClockEntry(dossier_id=dossier.id, kind="start", at=dossier.clock_started_at,
                              due_at=dossier.legal_due_at, actor_name=getattr(actor, "full_name", None)))
    from app.dossiers.lifecycle import after_engine_step  # lifecycle builds on this module

    open_tasks = after_engine_step(dossier, instance, result, actor=actor)
    if dossier.channel is Channel.COUNTER:
        _complete_intake_at_counter(actor, open_tasks, intake)
    logger.info("Dossier %s received by %s", dossier.code, getattr(actor, "username", "online"))
    return Receipt(dossier, pin)


def _complete_intake_at_counter(actor: User | None, open_tasks: list[HumanTask], intake: IntakeInput) -> None:
    """At the counter the receiver has just checked the dossier: the intake step is done on the spot."""
    from app.dossiers.lifecycle import complete_task

    for task in open_tasks:
        if task.step_kind == "intake":
            complete_task(actor, task.id, dict(intake.form_data), comment=None, check_form=False)


def _new_dossier(procedure: Procedure, agency: Agency, intake: IntakeInput, now: datetime) -> tuple[Dossier, str]:
    cal = calendar.get_calendar(agency.id)
    policy = procedure.deadline_policy.value
    started = cal.start_of_work(now, cutoff=_cutoff(procedure))
    legal_due = cal.due(now, procedure.legal_days, policy=policy, cutoff=_cutoff(procedure))
    local_day = to_local(now).date()
    code = codes.new_dossier_code(agency.id, agency.edoc_code or agency.code, local_day)
    pin = codes.new_pin()
    a = intake.applicant
    dossier = Dossier(
        code=code, procedure=procedure, ruleset=ruleset_for(local_day).code, receiving_agency_id=agency.id,
        current_agency_id=agency.id, channel=Channel(intake.channel), status=DossierStatus.RECEIVED,
        applicant_kind=a.kind, applicant_name=a.name.strip(), applicant_id_number=a.id_number,
        applicant_phone=a.phone, applicant_email=a.email, applicant_address=a.address,
        representative_name=a.representative, return_method=intake.return_method,
        documents=_checklist(procedure, intake), form_data=dict(intake.form_data),
        pin_hash=codes.pin_digest(code, pin), received_at=now, clock_started_at=started,
        legal_due_at=legal_due, due_at=legal_due, legal_days=procedure.legal_days)
    dossier.search_text = _search_text(dossier)
    return dossier, pin


def _cutoff(procedure: Procedure) -> time | None:
    """The procedure's daily cut-off ('15:00'): later receipts count from the next working day."""
    if not procedure.cutoff:
        return None
    hours, minutes = procedure.cutoff.split(":")
    return time(int(hours), int(minutes))


def _process_data(dossier: Dossier, intake: IntakeInput) -> dict[str, Any]:
    return {**intake.form_data, "dossier_code": dossier.code, "procedure_code": dossier.procedure.code,
            "applicant_name": dossier.applicant_name, "channel": dossier.channel.value,
            "return_method": dossier.return_method}


def placement_for(dossier: Dossier, view: Any) -> workflow.Placement:
    """Agency and step deadline for a new task: receivers at the receiving agency, others by competence."""
    receiving = dossier.receiving_agency
    default = receiving if view.role in ("receiver", "returner") else handling_agency_for(dossier.procedure, receiving)
    agency = resolve_agency_key(dossier.procedure, view.agency, default)
    due = dossier.legal_due_at  # a step without its own budget is due with the dossier
    if view.duration_days:
        due = calendar.get_calendar(agency.id).due(utcnow(), view.duration_days,
                                                   policy=dossier.procedure.deadline_policy.value)
    return workflow.Placement(agency.id, due)


# --- queries --------------------------------------------------------------------------------

def get_dossier(code: str) -> Dossier:
    dossier = find_dossier(code)
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier


def find_dossier(code: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.code == code.strip()))


def involved_agency_ids(dossier: Dossier) -> set[int]:
    """Agencies that received the dossier or hold one of its tasks."""
    ids = {dossier.receiving_agency_id}
    ids.update(a for a in db.session.scalars(select(HumanTask.agency_id).where(HumanTask.dossier_id == dossier.id))
               if a is not None)
    return ids


def can_view(actor: User, dossier: Dossier) -> bool:
    """Officials see dossiers of their agencies; auditors and admins within their scope."""
    agencies = [db.session.get(Agency, agency_id) for agency_id in involved_agency_ids(dossier)]
    for assignment in actor.roles:
        if assignment.agency is None and assignment.role in ("admin", "auditor"):
            return True
        if assignment.agency is not None and any(assignment.agency.covers(a) for a in agencies if a):
            return True
    return False


def get_dossier_for(actor: User, code: str) -> Dossier:
    """Return the dossier if `actor` may see it; others get the 404 of an unknown code (no existence oracle)."""
    dossier = find_dossier(code)
    if dossier is None or not can_view(actor, dossier):
        raise NotFoundError(f"Không tìm thấy hồ sơ {code}.", f"Dossier {code} not found.")
    return dossier
