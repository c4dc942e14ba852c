"""Fixtures for dossier tests: the demo world and helpers that act as the right official."""
from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from faker import Faker

from app.auth.services import get_agency_by_code
from app.catalog.services import get_procedure
from app.demo.dossiers import DemoContext, find_official, sample_form_data
from app.dossiers import lifecycle
from app.dossiers.intake import receive_dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.extensions import db
from app.inbox.services import claim_task
from app.workflow import services as workflow
from tests.world import load_world

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """'2026-03-02 09:00' in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture
def world(app):
    load_world()


@pytest.fixture
def clock():
    """Travel to local instants: clock('2026-03-02 09:00')."""
    travellers = []

    def travel(text: str):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(local(text), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()


official = find_official  # the demo's lookup: first official holding a role at an agency


class Desk:
    """Acts as the officials of the demo organisation."""

    def __init__(self):
        self.ctx = DemoContext(Faker("vi_VN"), random.Random(1), datetime.now(VN))

    def intake_data(self, procedure_code: str) -> dict:
        """Valid data for the procedure's intake form (what the receiver types at the counter)."""
        version = workflow.latest_version(get_procedure(procedure_code).process_key)
        return sample_form_data(workflow.intake_form_key(version), self.ctx)

    def receive(self, procedure_code: str, agency_code: str = "H38.TTPVHCC", *, channel: str = "counter",
                documents: list[int] | None = None, form_data: dict | None = None):
        procedure = get_procedure(procedure_code)
        agency = get_agency_by_code(agency_code)
        intake = IntakeInput(procedure_code=procedure_code,
                             applicant=ApplicantInput(name="Nguyễn Văn An", id_number="038090001234",
                                                      phone="0912345678"),
                             received_documents=[d.id for d in procedure.documents] if documents is None else documents,
                             channel=channel,
                             form_data=self.intake_data(procedure_code) if form_data is None else form_data)
        receipt = receive_dossier(official("receiver", agency.id), agency, intake)
        db.session.commit()
        return receipt

    def fire_timers(self) -> int:
        """Jump past pending BPMN timers (as the scheduler would) and fire them."""
        from datetime import timedelta

        from app.core.db import utcnow

        fired = lifecycle.fire_due_timers(utcnow() + timedelta(days=30))
        db.session.commit()
        return fired

    def open_tasks(self, dossier):
        return workflow.open_tasks(dossier.id)

    def task(self, dossier, step_kind: str | None = None):
        tasks = [t for t in self.open_tasks(dossier) if step_kind is None or t.step_kind == step_kind]
        assert tasks, f"no open {step_kind} task; open: {[t.name for t in self.open_tasks(dossier)]}"
        return tasks[0]

    def complete(self, dossier, step_kind: str | None = None, decision: str = "approve", comment: str | None = None,
                 **data):
        task = self.task(dossier, step_kind)
        actor = official(task.role, task.agency_id)
        assert actor is not None, f"no {task.role} at agency {task.agency_id}"
        claim_task(actor, task.id)
        payload = {**sample_form_data(task.form_key, self.ctx, decision), **data}
        lifecycle.complete_task(actor, task.id, payload, comment=comment)
        db.session.commit()
        return task

    def run_to_end(self, dossier, limit: int = 20):
        kinds = []
        for _ in range(limit):
            if not self.open_tasks(dossier) and not self.fire_timers():
                break
            kinds.append(self.complete(dossier).step_kind)
        return kinds


@pytest.fixture
def desk(world):
    return Desk()
