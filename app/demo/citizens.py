"""Demo dossiers of the demo citizens (the people of tools/sandboxes/citizens.json), filed online, so that signing
in through the sandbox identity provider shows dossiers at every stage a citizen acts on."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.catalog.services import get_procedure
from app.core.db import simulated_time
from app.demo.dossiers import DemoContext, _advance, _intake_form_key, _receiving_agency, sample_form_data
from app.dossiers.intake import receive_dossier
from app.dossiers.models import Dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.workflow import services as workflow

# (personal ID, name, phone, e-mail, address): the same people as the sandbox identity provider and registry
DEMO_CITIZENS = (
    ("038090001234", "Nguyễn Văn An", "0912345678", "an.nguyen@example.vn",
     "Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"),
    ("038185002345", "Trần Thị Bình", "0987654321", "binh.tran@example.vn", "Thôn Đông, xã Đông Sơn, tỉnh Thanh Hóa"),
)
# (procedure, steps completed after the online submission, decision at appraisal, return method)
STAGES = (("1.014199", 0, "approve", "online"), ("1.014199", 2, "supplement", "counter"),
          ("1.014199", 4, "approve", "post"))


def load_citizen_dossiers(ctx: DemoContext) -> int:
    """File each demo citizen's dossiers online: one waiting for the receiver, one waiting for a supplement, one
    with its result ready for return by post."""
    created = 0
    for index, person in enumerate(DEMO_CITIZENS):
        for offset, stage in enumerate(STAGES):
            received = ctx.now - timedelta(days=6 - offset - index, hours=2)
            _file(person, stage, received, ctx)
            created += 1
    return created


def _file(person: tuple[str, ...], stage: tuple, received_at: datetime, ctx: DemoContext) -> Dossier:
    id_number, name, phone, email, address = person
    code, steps, decision, return_method = stage
    procedure = get_procedure(code)
    applicant = ApplicantInput(name=name, id_number=id_number, phone=phone, email=email, address=address)
    data = {**sample_form_data(_intake_form_key(procedure), ctx), "applicant_name": name,
            "applicant_id_number": id_number, "applicant_phone": phone, "applicant_address": address}
    intake = IntakeInput(procedure_code=code, applicant=applicant, channel="online", return_method=return_method,
                         received_documents=[d.id for d in procedure.documents], form_data=data,
                         submitter_id_number=id_number)
    with simulated_time(received_at):
        dossier = receive_dossier(None, _receiving_agency(procedure, ctx.rng), intake).dossier
    at = received_at
    for _ in range(steps):
        at += timedelta(hours=2)
        if not _advance(dossier, min(at, ctx.now), {"appraisal": decision}, ctx) or not workflow.open_tasks(
                dossier.id) or dossier.status.value == "waiting_supplement":
            break
    return dossier
