"""`flask demo generate --dossiers N`: fast synthetic history for statistics, benchmarks and the early warning.

Not the lifecycle (app.demo.dossiers plays real flows, ~100 ms a dossier): rows are computed in Python and written
in bulk (COPY on PostgreSQL, executemany elsewhere), with the summary triggers dropped during the load and the
summary rebuilt afterwards. What it writes is what the lifecycle would have left: per dossier its steps (human
tasks with budgets, working-time durations and timings), clock entries (start, supplement pause and restart),
events chained by hashes exactly as app.history does (so the auditor's chain check passes), supplements, ratings,
apologies, refusals and withdrawals, with the statistics classification (Dossier.stat_*) by app.reports.semantics.

Spread over 3 years of working hours before the given end, over every active procedure and the agencies their
models name. Each agency works at its own pace (a factor on the step budgets), so figures differ between agencies.
Dossiers received in the last weeks are partly still open (with one open task): no engine state is written for
them, so they are for reading (statistics, inbox lists, early warning), not for completing.
"""
from __future__ import annotations

import json
import random
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text

from app.audit import partitions
from app.auth.models import Agency
from app.calendar.rules import LOCAL_TZ
from app.calendar.services import get_calendar
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.timefmt import to_local
from app.dossiers.models import Dossier
from app.dossiers.rules import form_set_for, ruleset_for
from app.extensions import db
from app.history.chain import GENESIS, event_hash
from app.reports import semantics, summary, warning
from app.reports.calendar_memo import memoised
from app.workflow.models import ProcessVersion

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
COMMUNES = ("14797", "15880", "16195")
DOSSIER_COLUMNS = ("id", "code", "procedure_id", "process_version_id", "ruleset", "receiving_agency_id",
                   "handling_agency_id", "current_agency_id", "form_set", "channel", "status", "current_step",
                   "current_step_kind", "applicant_kind", "applicant_name", "search_text", "return_method",
                   "documents", "form_data", "pin_hash", "received_at", "clock_started_at", "legal_due_at", "due_at",
                   "legal_days", "apology_count", "supplement_count", "late_supplement_count", "apology_compliant",
                   "decided_at", "result_ready_at", "returned_at", "finished_at", "outcome", "timing",
                   "stat_agency_id", "stat_finished_at", "stat_timing", "rating", "comment_count", "event_seq",
                   "last_event_hash", "created_at", "updated_at")
TASK_COLUMNS = ("dossier_id", "engine_task_id", "bpmn_id", "name", "step_kind", "role", "agency_id", "duration_days",
                "status", "created_at", "due_at", "completed_at", "timing", "version", "working_hours", "dossier_year")
EVENT_COLUMNS = ("dossier_id", "seq", "kind", "at", "agency_id", "role", "from_step", "to_step", "is_internal",
                 "data", "prev_hash", "hash", "dossier_year")
CLOCK_COLUMNS = ("dossier_id", "kind", "at", "due_at")
# Seasonal pace (the early warning's seasons): a step started in December (year-end closing) takes 1.3 times as
# long, in January or February (the weeks around Tết) 1.5 times; the rest of the year as drawn.
SEASONAL_PACE = {12: 1.3, 1: 1.5, 2: 1.5}


@dataclass(frozen=True)
class Step:
    bpmn_id: str
    name: str
    role: str | None
    step_kind: str | None
    days: float


@dataclass
class Plan:
    procedure: Procedure
    version: ProcessVersion
    steps: list[Step]
    receiving: list[Agency]  # where it is received
    commune_level: bool


def model_steps(xml: str) -> list[Step]:
    """The user tasks of a model in document order with their role, kind and budget (extension properties)."""
    root = ET.fromstring(xml)  # noqa: S314 (our own published models)
    roles: dict[str, str] = {}
    for lane in root.iter(f"{BPMN}lane"):
        role = _property(lane, "role")
        for ref in lane.iter(f"{BPMN}flowNodeRef"):
            if role and ref.text:
                roles[ref.text.strip()] = role
    out = []
    for task in root.iter(f"{BPMN}userTask"):
        tid = task.get("id")
        out.append(Step(tid, task.get("name") or tid, _property(task, "role") or roles.get(tid),
                        _property(task, "step_kind"), float(_property(task, "duration_days") or 1)))
    return out


def _property(element, name: str) -> str | None:
    for prop in element.iter():
        if prop.tag.endswith("property") and prop.get("name") == name:
            return prop.get("value")
    return None


def _plans() -> list[Plan]:
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    center = next(a for a in agencies.values() if a.level == "center")
    latest: dict[str, ProcessVersion] = {}
    for version in db.session.scalars(select(ProcessVersion).where(ProcessVersion.status == "published")
                                      .order_by(ProcessVersion.number)):
        latest[version.process_key] = version
    plans, seen = [], set()
    for p in db.session.scalars(select(Procedure).where(Procedure.is_active.is_(True))
                                .order_by(Procedure.code, Procedure.version.desc())):
        if p.code in seen or p.process_key not in latest:
            continue
        seen.add(p.code)
        steps = model_steps(latest[p.process_key].xml)
        if not steps:
            continue
        commune = p.level == "commune"
        receiving = [agencies[c] for c in COMMUNES if c in agencies] + [center] if commune else [center]
        plans.append(Plan(p, latest[p.process_key], steps, receiving, commune))
    return plans


class Writer:
    """Rows to one table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, conn, table: str, columns: tuple[str, ...]):
        self.conn, self.table, self.columns, self.rows = conn, table, columns, []

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        if self.conn.dialect.name == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor().copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            raw = self.conn.connection.driver_connection
            raw.executemany(f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})",  # noqa: S608
                            [tuple(_sqlite(v) for v in row) for row in self.rows])
        self.rows = []


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):  # as SQLAlchemy's DateTime stores it on SQLite (app.core.db.UTCDateTime)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return float(value)
    return value


class Generator:
    def __init__(self, count: int, end: datetime, seed: int):
        self.count, self.end, self.rng = count, end, random.Random(seed)
        self.calendar = memoised(get_calendar())
        self.start = end - timedelta(days=3 * 365)
        self.plans = _plans()
        agencies = {a.id for plan in self.plans for a in plan.receiving} | {
            plan.procedure.handling_agency_id for plan in self.plans}
        # sorted: a set of ids iterates in an order that depends on their values (other tests advance the sequences)
        self.pace = {agency_id: self.rng.uniform(0.15, 0.75) for agency_id in sorted(agencies)}  # share of the budget
        self.weights = [self.rng.uniform(0.5, 3) for _ in self.plans]

    def instant(self) -> datetime:
        """A random instant in working hours of the 3 years (UTC)."""
        at = self.start + timedelta(seconds=self.rng.random() * (self.end - self.start).total_seconds())
        return self.calendar.due(at, Decimal("0.01"))

    def run(self, conn, batch: int = 20000) -> int:
        first = (conn.execute(select(func.max(Dossier.id))).scalar() or 0) + 1
        writers = {"dossiers": Writer(conn, "dossiers", DOSSIER_COLUMNS),
                   "human_tasks": Writer(conn, "human_tasks", TASK_COLUMNS),
                   "dossier_events": Writer(conn, "dossier_events", EVENT_COLUMNS),
                   "clock_entries": Writer(conn, "dossier_clock", CLOCK_COLUMNS)}
        for n in range(self.count):
            self.dossier(first + n, writers)
            if (n + 1) % batch == 0:
                for w in writers.values():  # parents first (foreign keys)
                    w.flush()
        for w in writers.values():
            w.flush()
        return self.count

    @staticmethod
    def code(agency: Agency, day, dossier_id: int) -> str:
        """Unique across runs (the row id), marked "-G" as generated: never a code the lifecycle would issue."""
        return f"{agency.edoc_code or agency.code}-{day:%y%m%d}-{dossier_id:07d}-G"

    def dossier(self, dossier_id: int, w: dict[str, Writer]) -> None:
        rng, cal = self.rng, self.calendar
        plan = rng.choices(self.plans, self.weights)[0]
        p = plan.procedure
        receiving = rng.choice(plan.receiving)
        handling = receiving if plan.commune_level and receiving.level == "commune" else p.handling_agency
        received = self.instant()
        legal_days = Decimal(p.legal_days)
        legal_due = cal.due(received, legal_days)
        channel = "online" if rng.random() < 0.45 else rng.choice(("counter", "counter", "counter", "post"))
        pace = self.pace.get(handling.id, 0.6)
        # the scenario
        roll = rng.random()
        stopped, refused = roll < 0.02, 0.02 <= roll < 0.06
        supplement = rng.random() < 0.12
        tasks, events, clock = [], [], [("start", received, legal_due)]
        at = received
        state = {"seq": 0, "prev": GENESIS}

        def event(kind: str, when: datetime, agency_id: int | None, role: str | None, from_step=None, to_step=None,
                  data=None) -> None:
            state["seq"] += 1
            fields = {"seq": state["seq"], "kind": kind, "at": when, "actor_id": None, "actor_name": None,
                      "role": role, "agency_id": agency_id, "from_step": from_step, "to_step": to_step,
                      "comment": None, "is_internal": False, "data": data or {}, "model_hash": None,
                      "state_fingerprint": None, "prev_hash": state["prev"]}
            digest = event_hash(fields)
            events.append((dossier_id, state["seq"], kind, when, agency_id, role, from_step, to_step, False,
                           json.dumps(data or {}), state["prev"], digest))
            state["prev"] = digest

        event("received", received, receiving.id, "receiver", None, plan.steps[0].name)
        open_task = None
        for index, step in enumerate(plan.steps):
            agency = receiving if step.role in ("receiver", "returner") else handling
            hours = step.days * cal.hours_per_day * (pace if agency is handling else 0.3) * rng.lognormvariate(0, 0.6)
            hours *= SEASONAL_PACE.get(at.astimezone(LOCAL_TZ).month, 1.0)
            due = cal.due(at, Decimal(str(step.days)))
            done = cal.due(at, Decimal(str(round(max(hours, 0.05) / cal.hours_per_day, 3))))
            if supplement and step.step_kind == "appraisal" and len(clock) == 1:
                clock.append(("pause", done, None))
                waited = timedelta(days=rng.uniform(1, 20))
                restart = cal.due(done + waited, Decimal("0.01"))
                remaining = cal.working_hours_between(done, legal_due)
                legal_due = cal.due(restart, Decimal(str(round(remaining / cal.hours_per_day, 3))))
                clock.append(("restart", restart, legal_due))
                event("supplement_requested", done, agency.id, step.role, step.name, step.name)
                tasks.append((dossier_id, f"g{index}", step.bpmn_id, step.name, step.step_kind, step.role, agency.id,
                              step.days, "completed", at, due, done, cal.classify(done, due), 1,
                              cal.working_hours_between(at, done)))
                at = restart
                due = cal.due(at, Decimal(str(step.days)))
                done = cal.due(at, Decimal(str(round(max(hours / 2, 0.05) / cal.hours_per_day, 3))))
            if done > self.end:  # still open at the end of history
                open_task = (dossier_id, f"g{index}", step.bpmn_id, step.name, step.step_kind, step.role, agency.id,
                             step.days, "open", at, due, None, None, 1, None)
                tasks.append(open_task)
                break
            tasks.append((dossier_id, f"g{index}", step.bpmn_id, step.name, step.step_kind, step.role, agency.id,
                          step.days, "completed", at, due, done, cal.classify(done, due), 1,
                          cal.working_hours_between(at, done)))
            nxt = plan.steps[index + 1].name if index + 1 < len(plan.steps) else None
            event("task_completed", done, agency.id, step.role, step.name, nxt)
            at = done
            if (stopped or refused) and step.step_kind == "appraisal":
                break
        finished = open_task is None
        status, outcome = "processing", None
        result_ready = returned = decided = finished_at = None
        if open_task is not None:
            status = "waiting_supplement" if clock[-1][0] == "pause" else "processing"
        elif stopped:
            status, outcome, finished_at = "stopped", "stopped", at
            event("withdrawn", at, receiving.id, "receiver")
        elif refused:
            status, outcome, decided, returned, finished_at = "refused", "refused", at, at, at
            event("refused", at, handling.id, "specialist")
        else:
            status, outcome, result_ready = "returned", "approved", at
            returned = at if finished else None
            finished_at = returned
        late = finished and not stopped and at > legal_due
        apologies = 1 if (late or (open_task is not None and self.end > legal_due)) and rng.random() < 0.7 else 0
        compliant = None if not apologies else rng.random() < 0.8
        if apologies:
            event("apology", min(legal_due, at), handling.id, "leader")
        rating = None
        if status == "returned" and rng.random() < 0.3:
            rating = rng.choices(("very_satisfied", "satisfied", "unsatisfied"), (5, 4, 1))[0]
            event("rated", at, None, None, data={"rating": rating})
        row = _Row(status=status, outcome=outcome, ruleset=ruleset_for(received.date()).code, decided_at=decided,
                   returned_at=returned, result_ready_at=result_ready, handling_agency_id=handling.id,
                   current_agency_id=handling.id, receiving_agency_id=receiving.id, decision_due_at=None,
                   legal_due_at=legal_due)
        owner, stat_finished, stat_timing = semantics.classify(row, self.calendar)
        timing = stat_timing
        day = received.astimezone(LOCAL_TZ).date()
        current = open_task[3] if open_task else None
        w["dossiers"].add((
            dossier_id, self.code(receiving, day, dossier_id), p.id, plan.version.id, row.ruleset, receiving.id,
            handling.id, handling.id, form_set_for(received.date()).code, channel, status, current,
            open_task[4] if open_task else None, "person", f"Người nộp {dossier_id}", f"nguoi nop {dossier_id}",
            "online" if channel == "online" and rng.random() < 0.5 else "counter", "[]", "{}", "0" * 64, received,
            received, legal_due, legal_due, legal_days, apologies, 1 if supplement else 0, 0, compliant, decided,
            result_ready, returned, finished_at, outcome, timing, owner, stat_finished, stat_timing, rating, 0,
            state["seq"], state["prev"], received, at))
        for t in tasks:
            w["human_tasks"].add((*t, day.year))  # the partition year (app.audit.partitions)
        for e in events:
            w["dossier_events"].add((*e, day.year))
        for kind, when, due_at in clock:
            w["clock_entries"].add((dossier_id, kind, when, due_at))


@dataclass
class _Row:
    """The columns app.reports.semantics reads, for a row not yet written."""

    status: str
    outcome: str | None
    ruleset: str
    decided_at: datetime | None
    returned_at: datetime | None
    result_ready_at: datetime | None
    handling_agency_id: int
    current_agency_id: int
    receiving_agency_id: int
    decision_due_at: datetime | None
    legal_due_at: datetime


def generate(count: int, *, end: datetime | None = None, seed: int = 16) -> dict[str, Any]:
    """Write `count` dossiers of synthetic history ending at `end` (default now), then rebuild the summary and
    refit the early warning."""
    started = time.monotonic()
    conn = db.session.connection()
    generator = Generator(count, end or utcnow(), seed)
    # their years' partitions first (PostgreSQL): the rows go straight there, not through DEFAULT
    partitions.ensure_years(conn, list(range(to_local(generator.start).year, to_local(generator.end).year + 1)))
    summary.drop_triggers(conn)
    try:
        generator.run(conn)
    finally:
        summary.install_triggers(conn)
    loaded = time.monotonic()
    summary.rebuild(conn)
    built = time.monotonic()
    fitted = warning.fit(generator.end)
    if conn.dialect.name == "postgresql":
        for table in ("dossiers", "human_tasks", "dossier_events", "dossier_clock"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                              f"(SELECT COALESCE(max(id), 1) FROM {table}))"))
        conn.execute(text("ANALYZE"))
    return {"dossiers": count, "load_seconds": round(loaded - started, 1),
            "summary_seconds": round(built - loaded, 1), "warning_rows": fitted,
            "warning_seconds": round(time.monotonic() - built, 1)}
