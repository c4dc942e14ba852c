"""Generate realistic demo dossiers by replaying their history through the real services at past instants."""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import rstr
from faker import Faker
from sqlalchemy import func, select

from app.auth.models import Agency, RoleAssignment, User
from app.catalog.models import Procedure
from app.catalog.services import list_procedures
from app.core.db import simulated_time
from app.core.errors import AppError
from app.dossiers import lifecycle
from app.dossiers.intake import receive_dossier
from app.dossiers.models import Dossier
from app.dossiers.schemas import ApplicantInput, IntakeInput
from app.dossiers.task_forms import fields, load_form
from app.extensions import db
from app.inbox.services import claim_task
from app.workflow import services as workflow

logger = logging.getLogger(__name__)

# Final situation of a demo dossier and how likely it is.
SCENARIOS = [("returned", 40), ("processing", 25), ("supplement", 10), ("refused", 7), ("stopped", 5),
             ("late", 8), ("result_ready", 5)]


@dataclass
class DemoContext:
    fake: Faker
    rng: random.Random
    now: datetime


def _sample(component: dict[str, Any], rng: random.Random, fake: Faker) -> Any:
    kind, key = component["type"], component["key"]
    pattern = (component.get("validate") or {}).get("pattern")
    if pattern:
        return rstr.Rstr(rng).xeger(pattern)
    if kind in ("select", "radio") and component.get("values"):
        return component["values"][0]["value"]
    if kind == "checkbox":
        return True
    if kind == "number":
        return rng.randint(1, 5)
    if kind == "datetime":
        return fake.date_between(start_date="-30y", end_date="-1y").isoformat()
    if "name" in key:
        return fake.name()
    if "address" in key or "place" in key:
        return fake.address().replace("\n", ", ")
    return fake.sentence(nb_words=6).rstrip(".")


def sample_form_data(form_key: str | None, ctx: DemoContext, decision: str | None = None) -> dict[str, Any]:
    """Plausible data for a task form; `decision` overrides the decision field."""
    if not form_key:
        return {}
    components = fields(load_form(form_key))
    data = {c["key"]: _sample(c, ctx.rng, ctx.fake) for c in components}
    for c in components:  # a date that must follow another one (work end, valid until) comes after it
        other = (c.get("properties") or {}).get("not_before")
        if other and data.get(other):
            start = datetime.fromisoformat(data[other])
            data[c["key"]] = (start + timedelta(days=ctx.rng.randint(30, 720))).date().isoformat()
    if "decision" in data and decision:
        data["decision"] = decision
    return data


def find_official(role: str | None, agency_id: int | None) -> User | None:
    """The first (lowest id, so deterministic) official holding `role` at exactly `agency_id`."""
    query = (select(User).join(RoleAssignment).where(RoleAssignment.role == role,
                                                     RoleAssignment.agency_id == agency_id)
             .order_by(User.id).limit(1))
    return db.session.scalar(query)


DEMO_COMMUNES = ("14797", "15880", "16195")


def _receiving_agency(procedure: Procedure, rng: random.Random) -> Agency:
    """Commune procedures are received at a demo commune or, since 1 Jul 2025, at the provincial center whatever
    the applicant's commune; the others at the provincial center."""
    if procedure.level == "commune" and rng.random() < 0.7:
        code = rng.choice(DEMO_COMMUNES[:2])
        return db.session.scalar(select(Agency).where(Agency.code == code))
    return db.session.scalar(select(Agency).where(Agency.level == "center").limit(1))


def _advance(dossier: Dossier, at: datetime, decision_for: dict[str, str], ctx: DemoContext) -> bool:
    """Complete the dossier's next open task at `at`; False when nothing is open."""
    tasks = workflow.open_tasks(dossier.id)
    if not tasks:
        return False
    task = tasks[0]
    actor = find_official(task.role, task.agency_id)
    with simulated_time(at):
        if actor:
            claim_task(actor, task.id)
        data = sample_form_data(task.form_key, ctx, decision_for.get(task.step_kind or "", "approve"))
        comment = "Không đủ điều kiện theo quy định." if data.get("decision") == "refuse" else None
        lifecycle.complete_task(actor, task.id, data, comment=comment)
    return True


def create_demo_dossier(procedure: Procedure, scenario: str, received_at: datetime, ctx: DemoContext) -> Dossier:
    """Receive one dossier at `received_at` and play it forward to `scenario`."""
    agency = _receiving_agency(procedure, ctx.rng)
    receiver = find_official("receiver", agency.id)
    applicant = ApplicantInput(name=ctx.fake.name(), id_number=f"038{ctx.rng.randint(0, 10**9 - 1):09d}",
                               phone=f"09{ctx.rng.randint(10**7, 10**8 - 1)}",
                               address=ctx.fake.address().replace("\n", ", "))
    intake = IntakeInput(procedure_code=procedure.code, applicant=applicant,
                         received_documents=[d.id for d in procedure.documents],
                         channel=ctx.rng.choice(["counter", "counter", "online"]),
                         return_method=procedure.return_methods[0] if procedure.return_methods else "counter",
                         commune_code=ctx.rng.choice(DEMO_COMMUNES) if procedure.level == "commune" else None)
    intake.form_data = sample_form_data(_intake_form_key(procedure), ctx)
    with simulated_time(received_at):
        dossier = receive_dossier(receiver, agency, intake).dossier
    _play(dossier, scenario, received_at, ctx)
    return dossier


def _intake_form_key(procedure: Procedure) -> str | None:
    return workflow.intake_form_key(workflow.latest_version(procedure.process_key))


def _play(dossier: Dossier, scenario: str, start: datetime, ctx: DemoContext) -> None:
    step_gap = timedelta(hours=30) if scenario == "late" else timedelta(hours=3)
    at = start + timedelta(minutes=20)
    decisions = {"appraisal": {"refused": "refuse", "supplement": "supplement"}.get(scenario, "approve")}
    limit = {"processing": ctx.rng.randint(1, 3), "supplement": 2, "refused": 3,
             "stopped": ctx.rng.randint(0, 1)}.get(scenario, 12)
    for _ in range(limit):
        if at > ctx.now or not _advance(dossier, at, decisions, ctx):
            break
        if scenario == "result_ready" and dossier.result_ready_at:
            break
        if dossier.status.value == "waiting_supplement":
            break
        at += step_gap
    if scenario == "stopped" and dossier.is_open and dossier.result_ready_at is None:
        with simulated_time(min(at, ctx.now)):
            lifecycle.withdraw(None, dossier.code, reason="Người nộp đề nghị rút hồ sơ để bổ sung thông tin.")


def _office_hours(at: datetime, ctx: DemoContext) -> datetime:
    """Move a random instant into counter opening hours, as real receipts are."""
    from app.calendar.services import get_calendar

    start = get_calendar().start_of_work(at)
    return min(start + timedelta(minutes=ctx.rng.randint(0, 180)), ctx.now - timedelta(minutes=30))


def load_demo_dossiers(count: int = 200, seed: int = 2026) -> int:
    """Create `count` dossiers spread over every status; skipped when demo dossiers already exist."""
    if db.session.scalar(select(func.count()).select_from(Dossier)):
        return 0
    ctx = DemoContext(Faker("vi_VN"), random.Random(seed), datetime.now(UTC))
    ctx.fake.seed_instance(seed)
    procedures = list_procedures()  # the versions in force today
    names, weights = zip(*SCENARIOS, strict=True)
    created = 0
    for i in range(count):
        procedure = procedures[i % len(procedures)]
        scenario = ctx.rng.choices(names, weights)[0]
        received_at = _office_hours(ctx.now - timedelta(days=ctx.rng.uniform(0.2, 40)), ctx)
        try:
            with db.session.begin_nested():
                create_demo_dossier(procedure, scenario, received_at, ctx)
            created += 1
        except AppError as error:  # e.g. a supplement asked too late in a random history: skip that one
            logger.info("Demo dossier %s skipped: %s", i, error.message_en)
    return created
