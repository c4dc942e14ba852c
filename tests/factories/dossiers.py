"""Dossiers for tests, made through the real services: a dossier received at the counter, moved step by step by the
official the task belongs to (claim, then complete with valid form data).

`Desk` acts as the tests' organisation (tests.factories.organisation); `form_data` fills a form from its schema.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import rstr

from app.auth.services import get_agency_by_code
from app.catalog.services import get_procedure
from app.core.db import utcnow
from app.dossiers import lifecycle
from app.dossiers.intake import receive_dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.dossiers.task_forms import fields, load_form
from app.extensions import db
from app.inbox.services import claim_task
from app.workflow import services as workflow
from tests.factories.catalog import WORK_PERMIT
from tests.factories.organisation import CENTER, official

APPLICANT = ApplicantInput(name="Nguyễn Văn An", id_number="038090001234", phone="0912345678")


def _value(component: dict[str, Any], rng: random.Random) -> Any:
    kind, key = component["type"], component["key"]
    validate = component.get("validate") or {}
    if validate.get("pattern"):
        return rstr.Rstr(rng).xeger(validate["pattern"])
    if validate.get("validationType") == "email":
        return "nguoinop@example.vn"
    if kind in ("select", "radio") and component.get("values"):
        return component["values"][0]["value"]
    if kind == "checkbox":
        return True
    if kind == "number":
        return max(2, validate.get("min") or 0)
    if kind == "datetime":  # in the past (max_date: today) and recent (a child under six)
        return (date.today() - timedelta(days=730)).isoformat()
    if "name" in key:
        return "Trần Thị Bình"
    if "address" in key or "place" in key:
        return "12 Lê Lợi, phường Hạc Thành, Thanh Hóa"
    return "Đủ điều kiện theo quy định"


def form_data(form_key: str | None, decision: str | None = "approve", seed: int = 1) -> dict[str, Any]:
    """Valid, deterministic data for a task form (forms/<key>.json); `decision` sets the decision field."""
    if not form_key:
        return {}
    components = fields(load_form(form_key))
    rng = random.Random(seed)
    data = {c["key"]: _value(c, rng) for c in components}
    for c in components:  # a date that must follow another one (work end, valid until) comes a year after it
        other = (c.get("properties") or {}).get("not_before")
        if other and data.get(other):
            data[c["key"]] = (date.fromisoformat(data[other]) + timedelta(days=365)).isoformat()
    if "decision" in data and decision:
        data["decision"] = decision
    return data


class Desk:
    """Acts as the officials of the tests' organisation through the real services, committing each action."""

    def intake_data(self, procedure_code: str) -> dict:
        """Valid data for the procedure's intake form (what the receiver types at the counter)."""
        version = workflow.latest_version(get_procedure(procedure_code).process_key)
        return form_data(workflow.intake_form_key(version))

    def receive(self, procedure_code: str = WORK_PERMIT, agency_code: str = CENTER, *, channel: str = "counter",
                documents: list[int] | None = None, form_data: dict | None = None):
        """A dossier received at `agency_code`'s counter by its receiver; returns the receipt (dossier, pin)."""
        procedure = get_procedure(procedure_code)
        agency = get_agency_by_code(agency_code)
        intake = IntakeInput(procedure_code=procedure_code, applicant=APPLICANT,
                             received_documents=[d.id for d in procedure.documents] if documents is None else documents,
                             channel=channel,
                             form_data=self.intake_data(procedure_code) if form_data is None else form_data)
        receipt = receive_dossier(official("receiver", agency.id), agency, intake)
        db.session.commit()
        return receipt

    def fire_timers(self) -> int:
        """Jump past pending BPMN timers (as the scheduler would) and fire them."""
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
        """The task's official claims and completes it with valid form data (`data` overrides fields)."""
        task = self.task(dossier, step_kind)
        actor = official(task.role, task.agency_id)
        assert actor is not None, f"no {task.role} at agency {task.agency_id}"
        claim_task(actor, task.id)
        lifecycle.complete_task(actor, task.id, {**form_data(task.form_key, decision), **data}, comment=comment)
        db.session.commit()
        return task

    def reach(self, dossier, step_kind: str, decisions: dict[str, str] | None = None):
        """Complete steps until an open task of `step_kind` exists; return it."""
        decisions = decisions or {}
        for _ in range(10):
            tasks = [t for t in self.open_tasks(dossier) if t.step_kind == step_kind]
            if tasks:
                return tasks[0]
            current = self.task(dossier)
            self.complete(dossier, current.step_kind, decisions.get(current.step_kind, "approve"))
        raise AssertionError(f"never reached {step_kind}")

    def at_step(self, step_kind: str, procedure_code: str = WORK_PERMIT, **receive):
        """A dossier received and moved to its first open `step_kind` task; returns (dossier, task)."""
        dossier = self.receive(procedure_code, **receive).dossier
        return dossier, self.reach(dossier, step_kind)

    def run_to_end(self, dossier, limit: int = 20):
        kinds = []
        for _ in range(limit):
            if not self.open_tasks(dossier) and not self.fire_timers():
                break
            kinds.append(self.complete(dossier).step_kind)
        return kinds
