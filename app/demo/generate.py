"""`flask demo generate --dossiers N`: fast synthetic history for statistics, benchmarks and the early warning.

Not the lifecycle (app.demo.dossiers plays real flows, ~100 ms a dossier): rows are computed in Python and written
in bulk (COPY on PostgreSQL from a thread, executemany elsewhere), with the summary triggers off during the load and
the summary rebuilt once afterwards, set-based; a large load on PostgreSQL drops the loaded tables' secondary
indexes and constraints and builds them again after it (a row at a time, index and foreign-key upkeep was 90 % of
the COPY). Speed is by design: instants are integers of working time (Clock), an event's hash fills a template
(Hasher), the early-warning samples are gathered while writing, not read back.

What it writes is what the lifecycle would have left: per dossier its steps (human tasks with budgets,
working-time durations and timings), clock entries (start, supplement pause and restart), events chained by hashes
exactly as app.history does (so the auditor's chain check passes), supplements, ratings, apologies, refusals and
withdrawals, with the statistics classification (Dossier.stat_*) by app.reports.semantics.

Spread over 3 years of working hours before the given end, over every active procedure and the agencies their
models name. Each agency works at its own pace (a factor on the step budgets), so figures differ between agencies.
Dossiers received in the last weeks are partly still open (with one open task): no engine state is written for
them, so they are for reading (statistics, inbox lists, early warning), not for completing.
"""
from __future__ import annotations

import json
import queue
import random
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from hashlib import sha256
from typing import Any

from sqlalchemy import func, select, text

from app.audit import partitions
from app.auth.models import Agency
from app.calendar.rules import US_PER_HOUR
from app.calendar.services import get_calendar
from app.catalog.models import Procedure
from app.core.db import utcnow
from app.core.timefmt import to_local
from app.dossiers.models import Dossier
from app.dossiers.rules import form_set_for, get_ruleset, ruleset_for
from app.extensions import db
from app.history.chain import GENESIS, HASHED_FIELDS, canonical_json, event_payload
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
    """The rows of one table, a batch at a time."""

    def __init__(self, table: str, columns: tuple[str, ...]):
        self.table, self.columns = table, columns
        self.take()

    def take(self) -> list[tuple]:
        rows, self.rows = getattr(self, "rows", []), []
        self.add = self.rows.append
        return rows


class Loader:
    """Writes batches of rows: COPY on PostgreSQL, from a thread, so that PostgreSQL parses one batch while
    Python builds the next (the connection is the loader's alone until `close`); executemany on SQLite."""

    def __init__(self, conn):
        self.raw = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"
        self.queue: queue.Queue | None = None
        self.error: BaseException | None = None
        if self.postgres:
            self.queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._work, name="generate-copy", daemon=True)
            self.thread.start()

    def put(self, batch: list[tuple[str, tuple[str, ...], list[tuple]]]) -> None:
        if self.queue is None:
            self._write(batch)
            return
        self._check()
        self.queue.put(batch)

    def close(self) -> None:
        if self.queue is not None:
            self.queue.put(None)
            self.thread.join()
            self._check()

    def _check(self) -> None:
        if self.error is not None:
            raise RuntimeError("COPY failed") from self.error

    def _work(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(batch)
                except BaseException as error:  # noqa: BLE001 (re-raised in the generating thread)
                    self.error = error

    def _write(self, batch) -> None:
        for table, columns, rows in batch:
            if not rows:
                continue
            if self.postgres:
                with self.raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            else:
                marks = ", ".join("?" for _ in columns)
                self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                                     rows)


DAY_US = 86_400_000_000
_SECONDS = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))  # "HH:MM:SS" by second


class Clock:
    """Instants as working time: microseconds of working time since the calendar's origin, WorkCalendar's own
    count (`_elapsed` / `_instant`). A step's due and finishing instants are then additions, early / on time /
    late an integer comparison, and an instant becomes text (UTC, as stored) only when it is written: no
    datetime per value (a million dossiers hold some fifteen million instants).

    An instant counted this way is the earliest moment with that much working time behind it (inside a working
    period, or at its end), exactly WorkCalendar._instant(total); the order of the counts is the order of the
    instants."""

    def __init__(self, calendar, *, sqlite: bool = False):
        self.calendar, self.day_us, self.sqlite = calendar, calendar._day_us, sqlite
        self.spans = tuple((start, end - start) for start, end in calendar._spans)
        self._days: dict[int, tuple[int, int]] = {}  # working-day index -> (local ordinal, UTC offset in µs)
        self._dates: dict[int, str] = {}
        self.zone = "" if sqlite else "+00"
        self._seen: dict[int, tuple[str, str, str]] = {}
        self._months: dict[int, int] = {}

    def of(self, instant: datetime) -> int:
        return self.calendar._elapsed(self.calendar._local(instant))

    def day(self, total: int) -> int:
        """The local day (ordinal) of the instant."""
        return self._day((total - 1) // self.day_us)[0]

    def month(self, total: int) -> int:
        """The local calendar month (1-12) of the instant."""
        ordinal = self.day(total)
        found = self._months.get(ordinal)
        if found is None:
            found = self._months[ordinal] = date.fromordinal(ordinal).month
        return found

    def _day(self, index: int) -> tuple[int, int]:
        """(local ordinal, local midnight in UTC microseconds since year 1) of a working day."""
        found = self._days.get(index)
        if found is None:
            ordinal = self.calendar._nth_day(index)
            noon = datetime.combine(date.fromordinal(ordinal), dtime(12), tzinfo=self.calendar.tz)
            found = self._days[index] = (ordinal, ordinal * DAY_US - noon.utcoffset() // timedelta(microseconds=1))
        return found

    def utc(self, total: int) -> tuple[str, str, str]:
        """UTC date, time and column text of the instant: ('2026-11-30', '03:04:05.000006', stamp). Kept until
        `forget` (one dossier's instants repeat: a step starts when the previous one ends)."""
        found = self._seen.get(total)
        if found is not None:
            return found
        index, rest = divmod(total - 1, self.day_us)
        rest += 1
        base = self._day(index)[1]
        for start, length in self.spans:
            if rest <= length:
                base += start + rest
                break
            rest -= length
        days, us = divmod(base, DAY_US)
        day = self._dates.get(days)
        if day is None:
            day = self._dates[days] = date.fromordinal(days).isoformat()
        second, micro = divmod(us, 1_000_000)
        clock = f"{_SECONDS[second]}.{micro:06d}"
        found = self._seen[total] = (day, clock, f"{day} {clock}{self.zone}")
        return found

    def stamp(self, total: int | None) -> str | None:
        """The instant as the column takes it: timestamptz text on PostgreSQL, SQLAlchemy's UTC text on SQLite."""
        return None if total is None else self.utc(total)[2]

    def forget(self) -> None:
        self._seen.clear()

    def classify(self, finished: int, due: int) -> str:
        """WorkCalendar.classify on counts: late after the due instant, early on an earlier local day."""
        if finished > due:
            return "late"
        return "early" if self.day(finished) < self.day(due) else "on_time"


class Hasher:
    """app.history.chain.event_hash for the generator's events, some ten million of them: the canonical JSON is a
    template made once by chain.event_payload itself (the fields the generator varies replaced by markers, the
    others at the values it always writes), filled per event with the JSON of its values."""

    VARIED = ("seq", "kind", "at", "agency_id", "role", "from_step", "to_step", "prev_hash")

    def __init__(self):
        self._templates: dict[str, str] = {}
        self._json: dict[Any, str] = {None: "null"}

    def template(self, data: dict | None = None) -> str:
        key = json.dumps(data or {}, sort_keys=True)
        found = self._templates.get(key)
        if found is None:
            fields = {name: None for name in HASHED_FIELDS} | {"is_internal": False, "data": data or {}}
            fields |= {name: f"@@{name}@@" for name in self.VARIED}
            found = canonical_json(event_payload(fields)).replace("%", "%%")
            for name in self.VARIED:
                assert found.count(f'"@@{name}@@"') == 1, name
                found = found.replace(f'"@@{name}@@"', f"%({name})s")
            self._templates[key] = found
        return found

    def json(self, value: Any) -> str:
        found = self._json.get(value)
        if found is None:
            found = self._json[value] = json.dumps(value, ensure_ascii=False)
        return found

    def hash(self, template: str, seq: int, kind: str, at: str, agency_id: int | None, role: str | None,
             from_step: str | None, to_step: str | None, prev_hash: str) -> str:
        """`at`: the canonical UTC text (chain.canonical_at)."""
        j = self.json
        text = template % {"seq": seq, "kind": j(kind), "at": f'"{at}"', "agency_id": j(agency_id),
                           "role": j(role), "from_step": j(from_step), "to_step": j(to_step),
                           "prev_hash": f'"{prev_hash}"'}
        return sha256(text.encode()).hexdigest()


class Generator:
    def __init__(self, count: int, end: datetime, seed: int, *, sqlite: bool = False):
        self.count, self.end, self.rng = count, end, random.Random(seed)
        self.calendar = memoised(get_calendar())
        self.clock = Clock(self.calendar, sqlite=sqlite)
        self.hasher = Hasher()
        self.start = end - timedelta(days=3 * 365)
        self.first, self.last = self.clock.of(self.start), self.clock.of(end)
        self.plans = _plans()
        agencies = {a.id for plan in self.plans for a in plan.receiving} | {
            plan.procedure.handling_agency_id for plan in self.plans}
        # sorted: a set of ids iterates in an order that depends on their values (other tests advance the sequences)
        self.pace = {agency_id: self.rng.uniform(0.15, 0.75) for agency_id in sorted(agencies)}  # share of the budget
        self.weights = [self.rng.uniform(0.5, 3) for _ in self.plans]
        self._days: dict[int, tuple[str, str, str, str]] = {}
        # an event's data (none, or a rating) -> (its hash template, the column's JSON)
        self.data = {rating: (self.hasher.template(data), json.dumps(data or {})) for rating, data in
                     [(None, None)] + [(r, {"rating": r}) for r in ("very_satisfied", "satisfied", "unsatisfied")]}
        # the early warning's history (warning.fit's samples), gathered while writing instead of read back
        self.fit_from = self.clock.of(end - timedelta(days=warning.FIT_DAYS))
        self.history = warning.Samples(warning.Seasons.configured())

    def _received_day(self, total: int) -> tuple[str, str, str, str]:
        """(yymmdd, rule set, form set, its finished_on) of the local day of an instant."""
        ordinal = self.clock.day(total)
        found = self._days.get(ordinal)
        if found is None:
            day = date.fromordinal(ordinal)
            ruleset = ruleset_for(day).code
            found = self._days[ordinal] = (f"{day:%y%m%d}", ruleset, form_set_for(day).code,
                                           get_ruleset(ruleset).finished_on)
        return found

    def run(self, conn, batch: int = 20000) -> int:
        first = (conn.execute(select(func.max(Dossier.id))).scalar() or 0) + 1
        writers = {"dossiers": Writer("dossiers", DOSSIER_COLUMNS),  # parents first (foreign keys)
                   "human_tasks": Writer("human_tasks", TASK_COLUMNS),
                   "dossier_events": Writer("dossier_events", EVENT_COLUMNS),
                   "clock_entries": Writer("dossier_clock", CLOCK_COLUMNS)}
        loader = Loader(conn)
        try:
            for n in range(self.count):
                self.dossier(first + n, writers)
                if (n + 1) % batch == 0 or n + 1 == self.count:
                    loader.put([(w.table, w.columns, w.take()) for w in writers.values()])
        finally:
            loader.close()
        return self.count

    @staticmethod
    def code(agency: Agency, day: str, dossier_id: int) -> str:
        """Unique across runs (the row id), marked "-G" as generated: never a code the lifecycle would issue."""
        return f"{agency.edoc_code or agency.code}-{day}-{dossier_id:07d}-G"

    def dossier(self, dossier_id: int, w: dict[str, Writer]) -> None:
        rng, clock, hasher = self.rng, self.clock, self.hasher
        stamp, day_us = clock.stamp, clock.day_us
        clock.forget()
        plan = rng.choices(self.plans, self.weights)[0]
        p = plan.procedure
        receiving = rng.choice(plan.receiving)
        handling = receiving if plan.commune_level and receiving.level == "commune" else p.handling_agency
        received = self.first + 1 + int(rng.random() * (self.last - self.first))  # uniform over working time
        year = date.fromordinal(clock.day(received)).year  # the partition year (app.audit.partitions)
        legal_days = float(p.legal_days)
        legal_due = received + int(legal_days * day_us)
        channel = "online" if rng.random() < 0.45 else rng.choice(("counter", "counter", "counter", "post"))
        pace = self.pace.get(handling.id, 0.6)
        # the scenario
        roll = rng.random()
        stopped, refused = roll < 0.02, 0.02 <= roll < 0.06
        supplement = rng.random() < 0.12
        tasks, clock_rows = [], [("start", received, legal_due)]
        events = w["dossier_events"].add
        at = received
        seq, prev = 0, GENESIS

        def event(kind: str, when: int, agency_id: int | None, role: str | None, from_step=None, to_step=None,
                  rating: str | None = None) -> None:
            nonlocal seq, prev
            seq += 1
            day, time_of_day, text = clock.utc(when)
            template, data = self.data[rating]
            digest = hasher.hash(template, seq, kind, f"{day}T{time_of_day}Z", agency_id, role, from_step, to_step,
                                 prev)
            events((dossier_id, seq, kind, text, agency_id, role, from_step, to_step, False, data, prev, digest, year))
            prev = digest

        def task(index: int, step: Step, agency: Agency, begun: int, due: int, done: int | None) -> None:
            tasks.append((index, step, agency, begun, due, done))

        event("received", received, receiving.id, "receiver", None, plan.steps[0].name)
        open_task = None
        hours_per_day = self.calendar.hours_per_day
        for index, step in enumerate(plan.steps):
            agency = receiving if step.role in ("receiver", "returner") else handling
            hours = step.days * hours_per_day * (pace if agency is handling else 0.3) * rng.lognormvariate(0, 0.6)
            hours *= SEASONAL_PACE.get(clock.month(at), 1.0)
            work = int(max(hours, 0.05) * US_PER_HOUR)
            due, done = at + int(step.days * day_us), at + work
            if supplement and step.step_kind == "appraisal" and len(clock_rows) == 1:
                clock_rows.append(("pause", done, None))
                restart = done + int(rng.uniform(1, 20) * 5 / 7 * day_us) + day_us // 100  # 1–20 days waiting
                legal_due = restart + max(0, legal_due - done)
                clock_rows.append(("restart", restart, legal_due))
                event("supplement_requested", done, agency.id, step.role, step.name, step.name)
                task(index, step, agency, at, due, done)
                at = restart
                due, done = at + int(step.days * day_us), at + work // 2
            if done > self.last:  # still open at the end of history
                open_task = step
                task(index, step, agency, at, due, None)
                break
            task(index, step, agency, at, due, done)
            nxt = plan.steps[index + 1].name if index + 1 < len(plan.steps) else None
            event("task_completed", done, agency.id, step.role, step.name, nxt)
            at = done
            if (stopped or refused) and step.step_kind == "appraisal":
                break
        status, outcome = "processing", None
        result_ready = returned = decided = finished_at = None
        if open_task is not None:
            status = "waiting_supplement" if clock_rows[-1][0] == "pause" else "processing"
        elif stopped:
            status, outcome, finished_at = "stopped", "stopped", at
            event("withdrawn", at, receiving.id, "receiver")
        elif refused:
            status, outcome, decided, returned, finished_at = "refused", "refused", at, at, at
            event("refused", at, handling.id, "specialist")
        else:
            status, outcome, result_ready, returned, finished_at = "returned", "approved", at, at, at
        late = open_task is None and not stopped and at > legal_due
        apologies = 1 if (late or (open_task is not None and self.last > legal_due)) and rng.random() < 0.7 else 0
        compliant = None if not apologies else rng.random() < 0.8
        if apologies:
            event("apology", min(legal_due, at), handling.id, "leader")
        rating = None
        if status == "returned" and rng.random() < 0.3:
            rating = rng.choices(("very_satisfied", "satisfied", "unsatisfied"), (5, 4, 1))[0]
            event("rated", at, None, None, rating=rating)
        yymmdd, ruleset, form_set, finished_on = self._received_day(received)
        row = _Row(status=status, outcome=outcome, ruleset=ruleset, decided_at=decided, returned_at=returned,
                   result_ready_at=result_ready, handling_agency_id=handling.id, current_agency_id=handling.id,
                   receiving_agency_id=receiving.id, decision_due_at=None, legal_due_at=legal_due)
        owner, stat_finished = semantics.owner(row), semantics.finished_at(row)  # on counts: the same choices
        stat_timing = clock.classify(stat_finished, semantics.due_of(row)) if stat_finished is not None else None
        received_at = stamp(received)
        w["dossiers"].add((
            dossier_id, self.code(receiving, yymmdd, dossier_id), p.id, plan.version.id, ruleset, receiving.id,
            handling.id, handling.id, form_set, channel, status, open_task.name if open_task else None,
            open_task.step_kind if open_task else None, "person", f"Người nộp {dossier_id}",
            f"nguoi nop {dossier_id}", "online" if channel == "online" and rng.random() < 0.5 else "counter", "[]",
            "{}", "0" * 64, received_at, received_at, stamp(legal_due), stamp(legal_due), legal_days,
            apologies, 1 if supplement else 0, 0, compliant, stamp(decided), stamp(result_ready), stamp(returned),
            stamp(finished_at), outcome, stat_timing, owner, stamp(stat_finished), stat_timing, rating, 0, seq, prev,
            received_at, stamp(at)))
        add_task = w["human_tasks"].add
        fit = (stat_finished is not None and outcome != "stopped" and self.fit_from < stat_finished < self.last)
        version = plan.version.id
        for index, step, agency, begun, due, done in tasks:
            if done is None:
                add_task((dossier_id, f"g{index}", step.bpmn_id, step.name, step.step_kind, step.role, agency.id,
                          step.days, "open", stamp(begun), stamp(due), None, None, 1, None, year))
                continue
            add_task((dossier_id, f"g{index}", step.bpmn_id, step.name, step.step_kind, step.role, agency.id,
                      step.days, "completed", stamp(begun), stamp(due), stamp(done), clock.classify(done, due), 1,
                      (done - begun) / US_PER_HOUR, year))
            if fit:
                hours = max(0, stat_finished - begun) / US_PER_HOUR
                self.history.add(version, step.bpmn_id, agency.id, clock.month(begun), hours)
        add_clock = w["clock_entries"].add
        for kind, when, due_at in clock_rows:
            add_clock((dossier_id, kind, stamp(when), stamp(due_at)))


@dataclass
class _Row:
    """The columns app.reports.semantics reads, for a row not yet written (instants as Clock counts)."""

    status: str
    outcome: str | None
    ruleset: str
    decided_at: int | None
    returned_at: int | None
    result_ready_at: int | None
    handling_agency_id: int
    current_agency_id: int
    receiving_agency_id: int
    decision_due_at: int | None
    legal_due_at: int


LOADED = ("dossiers", "human_tasks", "dossier_events", "dossier_clock")
#: From this many dossiers, and when the load at least doubles the table, the loaded tables' secondary indexes and
#: constraints are dropped for the load and built again after it (measured at 20,000: COPY 6.7 s with them, 0.8 s
#: without, 1.2 s to build them again).
BULK_FROM = 10000


#: The first column of the indexes kept during a bulk load: rows arrive in dossier order, so such an index grows at
#: its right edge, cheaply, while Python builds the next batch (building it afterwards would add to the wait).
KEPT_LEADING = ("id", "dossier_id")


# The secondary indexes and constraints dropped (an index not led by KEPT_LEADING; a unique constraint no foreign key
# relies on; every foreign key) and their definitions.
_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c
WHERE c.conrelid::regclass::text = ANY(:tables) AND (c.contype = 'f' OR c.contype = 'u'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid)
  AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.conindid AND (SELECT a.attname FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) <> ALL(:kept)))
ORDER BY c.contype DESC, c.conname"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid::regclass::text = ANY(:tables) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
  AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) <> ALL(:kept)
ORDER BY 1"""


def _rebuildable(conn) -> tuple[list[str], list[str]]:
    """Statements dropping the loaded tables' secondary indexes, unique and foreign-key constraints (PostgreSQL),
    and the statements creating them again as they were. Kept: primary keys (other tables' keys point at them), a
    unique constraint some foreign key relies on, and the indexes led by KEPT_LEADING."""
    params = {"tables": list(LOADED), "kept": list(KEPT_LEADING)}
    constraints = conn.execute(text(_CONSTRAINTS), params).all()
    indexes = conn.execute(text(_INDEXES), params).all()
    drop = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, name, _d, _t in constraints]
    drop += [f"DROP INDEX {name}" for name, _definition in indexes]
    create = [definition for _name, definition in indexes]
    create += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition, _t in
               constraints]  # unique first, then foreign keys (ordered so above)
    return drop, create


def _summary_triggers(conn, enable: bool) -> None:
    """Switch the summary triggers (app.reports.summary.TRIGGERS and FLAG_TRIGGERS, by name) off for the load and on
    after it: the summary is rebuilt once, set-based, instead of a trigger per row. SQLite cannot disable a trigger:
    there they are dropped and created again."""
    if conn.dialect.name != "postgresql":
        (summary.install_triggers if enable else summary.drop_triggers)(conn)
        return
    for name, table, *_rest in (*summary.TRIGGERS, *summary.FLAG_TRIGGERS):
        conn.execute(text(f'ALTER TABLE {table} {"ENABLE" if enable else "DISABLE"} TRIGGER "{name}"'))


def settle(engine) -> float | None:
    """VACUUM (ANALYZE) the loaded tables after the load is committed (PostgreSQL; outside a transaction), as
    autovacuum would in time: hint bits and the visibility map set (index-only counts), statistics current. A table
    someone else holds (autovacuum already on it, an open transaction that changed it) is skipped, not waited for.
    Returns the seconds it took."""
    if engine.dialect.name != "postgresql":
        return None
    started = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE, SKIP_LOCKED) {', '.join(LOADED)}"))
    return round(time.monotonic() - started, 1)


def generate(count: int, *, end: datetime | None = None, seed: int = 16, bulk: bool | None = None
             ) -> dict[str, Any]:
    """Write `count` dossiers of synthetic history ending at `end` (default now), then rebuild the summary and
    refit the early warning, in the caller's transaction.

    `bulk` (PostgreSQL): drop the loaded tables' secondary indexes and constraints for the load and build them
    again after it; by default when `count` is at least BULK_FROM and at least the dossiers already there. The
    tables are locked meanwhile (ACCESS EXCLUSIVE): a tool for demo and benchmark databases."""
    timings: dict[str, float] = {}
    mark = time.monotonic()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[f"{name}_seconds"] = round(now - mark, 1)
        mark = now

    conn = db.session.connection()
    postgres = conn.dialect.name == "postgresql"
    generator = Generator(count, end or utcnow(), seed, sqlite=not postgres)
    # their years' partitions first (PostgreSQL): the rows go straight there, not through DEFAULT
    partitions.ensure_years(conn, list(range(to_local(generator.start).year, to_local(generator.end).year + 1)))
    if bulk is None:
        bulk = postgres and count >= max(BULK_FROM, conn.execute(select(func.count(Dossier.id))).scalar_one())
    bulk = bulk and postgres
    _summary_triggers(conn, enable=False)
    recreate: list[str] = []
    if bulk:
        drop, recreate = _rebuildable(conn)
        for statement in drop:
            conn.execute(text(statement))
    generator.run(conn)
    lap("load")
    if recreate:
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for statement in recreate:
            conn.execute(text(statement))
        lap("index")
    _summary_triggers(conn, enable=True)
    if postgres:
        for table in LOADED:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                              f"(SELECT COALESCE(max(id), 1) FROM {table}))"))
            conn.execute(text(f"ANALYZE {table}"))
        lap("analyze")
    summary.rebuild(conn)
    lap("summary")
    fitted = generator.history.store(generator.end)
    lap("warning")
    return {"dossiers": count, "bulk": bulk, **timings, "warning_rows": fitted}
