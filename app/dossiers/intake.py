"""Receiving a dossier (counter or online): completeness, validated intake form, code, appointment, process start."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from unidecode import unidecode

from app.auth.models import Agency, User
from app.catalog.models import Procedure
from app.catalog.services import competent_agency, get_procedure
from app.core.db import flush, utcnow
from app.core.errors import ValidationError
from app.core.timefmt import to_local
from app.dossiers import codes
from app.dossiers.actions import ensure_can_receive
from app.dossiers.deadlines import clock_start, legal_due
from app.dossiers.lifecycle import complete_checked
from app.dossiers.models import Channel, Dossier, DossierStatus
from app.dossiers.pipeline import Step, perform
from app.dossiers.rules import form_set_for, ruleset_for
from app.dossiers.schemas import IntakeInput
from app.dossiers.task_forms import check_data, validate_submission
from app.extensions import db
from app.history.services import HistoryEvent
from app.workflow import services as workflow
from app.workflow.models import ProcessVersion

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


def receive_dossier(actor: User | None, agency: Agency, intake: IntakeInput) -> Receipt:
    """Check completeness and the intake form, create the dossier with its code and appointment, start its
    process; at the counter the intake step is completed on the spot."""
    ensure_can_receive(actor, agency)
    now = utcnow()
    # the version in force at receipt, with the checklist of its documents (one statement)
    procedure = get_procedure(intake.procedure_code, on=to_local(now).date(), with_documents=True)
    handling = competent_agency(procedure, agency, intake.commune_code)
    intake.applicant.validate()
    check_data(intake.form_data)  # raw process data: no helper-shadowing keys, NaN or huge numbers
    missing = missing_documents(procedure, intake.received_documents)
    if missing:
        raise IncompleteDossierError("Hồ sơ chưa đầy đủ. Cần bổ sung: " + "; ".join(missing),
                                     "The dossier is incomplete. Missing: " + "; ".join(missing),
                                     details={"missing": missing})
    version = workflow.latest_version(procedure.process_key)
    form_key = workflow.intake_form_key(version)
    form_data = validate_submission(form_key, intake.form_data)
    dossier, pin = _new_dossier(procedure, agency, intake, form_data, now)
    dossier.handling_agency_id, dossier.handling_agency = handling.id, handling
    dossier.competence_commune = handling.code if handling.level.value == "commune" else intake.commune_code
    dossier.process_version_id = version.id
    db.session.add(dossier)
    db.session.flush()
    receipt = _receipt_step(actor, dossier, version, form_data, now)
    at_counter = dossier.channel is Channel.COUNTER
    receipt.flush = not at_counter  # at the counter the intake step follows: one flush writes both
    outcome = perform(receipt)
    if at_counter:
        intake_tasks = [task for task in outcome.open_tasks if task.step_kind == "intake"]
        for task in intake_tasks:
            complete_checked(actor, dossier, task, form_data, None, tasks=outcome.open_tasks,
                             instance=outcome.instance)
        if not intake_tasks:
            flush()
    logger.info("Dossier %s received by %s", dossier.code, getattr(actor, "username", "online"))
    return Receipt(dossier, pin)


def _receipt_step(actor: User | None, dossier: Dossier, version: ProcessVersion, form_data: dict[str, Any],
                  now: datetime) -> Step:
    process_data = {**form_data, "dossier_code": dossier.code, "procedure_code": dossier.procedure.code,
                    "applicant_name": dossier.applicant_name, "channel": dossier.channel.value,
                    "return_method": dossier.return_method}
    return Step("receive", dossier, actor, at=now, engine_input=process_data, version=version, tasks=[],
                event=HistoryEvent("", role="receiver", agency_id=dossier.receiving_agency_id,
                                   to_step=dossier.procedure.name_vi,
                                   data={"channel": dossier.channel.value, "due_at": dossier.due_at.isoformat()}))


def _checklist(procedure: Procedure, intake: IntakeInput) -> list[dict[str, Any]]:
    received = set(intake.received_documents)
    return [{"id": d.id, "name": d.name_vi, "copies": d.copies, "original": d.is_original,
             "mandatory": d.is_mandatory, "received": d.id in received, "note": intake.document_notes.get(d.id)}
            for d in procedure.documents]


def _search_text(dossier: Dossier) -> str:
    parts = [dossier.code, dossier.applicant_name, dossier.applicant_id_number or "", dossier.applicant_phone or ""]
    return unidecode(" ".join(parts)).lower()


def _new_dossier(procedure: Procedure, agency: Agency, intake: IntakeInput, form_data: dict[str, Any],
                 now: datetime) -> tuple[Dossier, str]:
    day = to_local(now).date()
    ruleset = ruleset_for(day)
    due = legal_due(procedure, agency.id, now, ruleset=ruleset)
    code = codes.new_dossier_code(agency.id, agency.edoc_code or agency.code, day)
    pin = codes.new_pin()
    a = intake.applicant
    dossier = Dossier(
        code=code, procedure=procedure, ruleset=ruleset.code, form_set=form_set_for(day).code,
        logbook_number=codes.next_logbook_number(agency.id, day.year),
        receiving_agency_id=agency.id, receiving_agency=agency, current_agency_id=agency.id,
        channel=Channel(intake.channel), status=DossierStatus.RECEIVED,
        applicant_kind=a.kind, applicant_name=a.name.strip(), applicant_id_number=a.id_number,
        applicant_phone=a.phone, applicant_email=a.email, applicant_address=a.address,
        representative_name=a.representative, return_method=intake.return_method,
        submitter_id_number=intake.submitter_id_number,
        documents=_checklist(procedure, intake), form_data=form_data,
        pin_hash=codes.pin_digest(code, pin), received_at=now, clock_started_at=clock_start(procedure, agency.id, now),
        legal_due_at=due, due_at=due, legal_days=procedure.legal_days)
    dossier.search_text = _search_text(dossier)
    return dossier, pin
