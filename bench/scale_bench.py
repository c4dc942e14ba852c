"""Inbox, task-completion and statistics latency with a large dossier table (inbox target: p99 ≤ 50 ms with 1M
dossiers; statistics: dashboard, figures and the quarterly report under 500 ms).

Usage: python bench/scale_bench.py [--dossiers 1000000] [--open-share 0.05] [--database-url URL]
Needs PostgreSQL (default: a fresh database `motcua_bench` on 127.0.0.1, dropped and recreated).
Steps: migrate, load the demo organisation and models, receive one real dossier per procedure through the services
(the templates), bulk-clone them to N dossiers (most closed, `--open-share` waiting at appraisal), ANALYZE, then
time the inbox queries and real task completions through the services. A `SELECT 1` round trip and a primary-key
lookup are measured in the same run as baselines. Results go to stdout and bench/results/scale-<date>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BATCH = 5000


def fresh_database(url: str) -> str:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(samples), 2), "p99_ms": round(percentile(samples, 0.99), 2),
            "n": repeat}


def make_templates(app):
    """One real dossier per procedure, received at the counter and waiting at its first back-office step."""
    from app.catalog.models import Procedure
    from app.catalog.services import ProcedureNotInForceError, get_procedure
    from app.core.db import unit_of_work
    from app.extensions import db
    from tests.integration.dossiers.conftest import Desk

    desk = Desk()
    templates = []
    with app.app_context():
        for code in db.session.scalars(select(Procedure.code).distinct().order_by(Procedure.code)):
            procedure = get_procedure(code)
            agency = "14797" if procedure.level == "commune" else "H38.TTPVHCC"
            try:
                with unit_of_work():
                    dossier = desk.receive(procedure.code, agency).dossier
            except ProcedureNotInForceError:  # no version in force today (e.g. 1.000105 before Decree 219)
                continue
            templates.append(dossier.id)
    return templates


def row_of(table, row_id, conn):
    return dict(conn.execute(select(table).where(table.c.id == row_id)).mappings().one())


def clone(app, template_ids: list[int], count: int, open_share: float, rng: random.Random) -> None:
    """Bulk-insert `count` dossiers copied from the templates (open ones with engine state and an open task)."""
    from app.audit import partitions
    from app.calendar.services import get_calendar
    from app.core.timefmt import to_local
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.reports import semantics
    from app.workflow.models import HumanTask, ProcessInstance

    dossiers, instances, tasks = Dossier.__table__, ProcessInstance.__table__, HumanTask.__table__
    with app.app_context(), db.engine.begin() as conn:
        bases = []
        for dossier_id in template_ids:
            base = row_of(dossiers, dossier_id, conn)
            inst = dict(conn.execute(select(instances).where(instances.c.dossier_id == dossier_id)).mappings().one())
            task = dict(conn.execute(select(tasks).where(tasks.c.dossier_id == dossier_id,
                                                        tasks.c.status == "open")).mappings().first())
            bases.append((base, inst, task))
        next_id = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM dossiers")).scalar()
        next_task = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM human_tasks")).scalar()
        now = datetime.now(UTC)
        partitions.ensure_years(conn, [now.year - 1, now.year])  # the clones span the last 365 days (PostgreSQL)
        calendar = get_calendar()
        started = time.perf_counter()
        for offset in range(0, count, BATCH):
            rows_d, rows_i, rows_t = [], [], []
            for i in range(offset, min(count, offset + BATCH)):
                base, inst, task = bases[i % len(bases)]
                is_open = rng.random() < open_share
                received = now - timedelta(days=rng.uniform(0, 365))
                d = {**base, "id": next_id + i, "code": f"BENCH-{i:07d}", "received_at": received,
                     "clock_started_at": received, "search_text": f"bench-{i:07d} {base['search_text']}"}
                d["legal_due_at"] = d["due_at"] = received + timedelta(days=14)
                if not is_open:
                    done = received + timedelta(days=rng.uniform(1, 18))
                    d.update(status="returned", outcome="approved", finished_at=done, returned_at=done,
                             result_ready_at=done, current_step=None, current_step_kind=None)
                # the statistics classification, by the one rule (app.reports.semantics)
                d["stat_agency_id"], d["stat_finished_at"], d["stat_timing"] = semantics.classify(
                    SimpleNamespace(**d), calendar)
                d["timing"] = d["stat_timing"]
                rows_d.append(d)
                t = {**task, "id": next_task + i, "dossier_id": d["id"], "dossier_year": to_local(received).year,
                     "due_at": received + timedelta(hours=rng.uniform(-48, 96))}
                if is_open:
                    rows_i.append({**inst, "id": None, "dossier_id": d["id"]})
                else:
                    t.update(status="completed", completed_at=received + timedelta(days=1))
                rows_t.append(t)
            conn.execute(insert(dossiers), rows_d)
            for row in rows_i:
                row.pop("id")
            if rows_i:
                conn.execute(insert(instances), rows_i)
            conn.execute(insert(tasks), rows_t)
            if offset % (BATCH * 20) == 0:
                print(f"  cloned {offset + len(rows_d):>8} dossiers ({time.perf_counter() - started:.0f}s)", flush=True)
        for name in ("dossiers", "human_tasks"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def measure_statistics(repeat: int) -> dict:
    """The statistics over a year for the province's supervisor: API figures, dashboard, quarterly report."""
    from datetime import date

    from app.auth.services import find_user_by_username
    from app.reports import dashboard, periodic, services

    supervisor = find_user_by_username("giamsat.tinh")
    today = datetime.now(UTC).date()
    year = services.StatsFilter(start=date(today.year - 1, today.month, 1), end=today)
    quarter = periodic.Period("quarter", today.year, (today.month - 1) // 3 + 1)
    return {"stats_year": timed(lambda: services.dossier_stats(supervisor, year), repeat),
            "dashboard_year": timed(lambda: dashboard.build(supervisor, year), repeat),
            "report_quarter_xlsx": timed(lambda: periodic.to_xlsx(periodic.build(supervisor, quarter, None), "X"),
                                         repeat)}


def measure(app, repeat: int, completions: int, rng: random.Random) -> dict:
    from app.auth.services import find_user_by_username
    from app.core.db import unit_of_work
    from app.demo.dossiers import DemoContext, sample_form_data
    from app.dossiers import lifecycle
    from app.extensions import db
    from app.inbox.services import InboxFilter, claim_task, inbox_counts, list_inbox
    from app.workflow.models import HumanTask

    results = {}
    with app.app_context():
        specialist = find_user_by_username("chuyenvien.snv")
        results["baseline_select_1"] = timed(lambda: db.session.execute(text("SELECT 1")).scalar(), repeat)
        results["baseline_pk_lookup"] = timed(
            lambda: db.session.execute(text("SELECT id FROM dossiers WHERE id = :i"),
                                       {"i": rng.randint(1, 1000)}).scalar(), repeat)
        results["inbox_queue_first_page"] = timed(lambda: list_inbox(specialist, InboxFilter(scope="queue")), repeat)
        results["inbox_search"] = timed(
            lambda: list_inbox(specialist, InboxFilter(scope="queue", search=f"bench-{rng.randint(0, 9999):04d}")),
            repeat)
        results["inbox_counts"] = timed(lambda: inbox_counts(specialist), repeat)
        results.update(measure_statistics(max(5, repeat // 20)))
        agency_id = specialist.roles[0].agency_id
        task_ids = list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.agency_id == agency_id, HumanTask.role == "specialist", HumanTask.status == "open")
            .limit(completions)))
        ctx = DemoContext(__import__("faker").Faker("vi_VN"), rng, datetime.now(UTC))
        samples = []
        for task_id in task_ids:
            task = db.session.get(HumanTask, task_id)
            data = sample_form_data(task.form_key, ctx, "approve")
            start = time.perf_counter()
            with unit_of_work():
                claim_task(specialist, task_id)
                lifecycle.complete_task(specialist, task_id, data)
            samples.append((time.perf_counter() - start) * 1000)
        results["claim_and_complete_task"] = {"p50_ms": round(statistics.median(samples), 2),
                                              "p99_ms": round(percentile(samples, 0.99), 2), "n": len(samples)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--completions", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get(
        "MOTCUA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_bench"))
    args = parser.parse_args()
    rng = random.Random(7)
    url = fresh_database(args.database_url)
    os.environ["MOTCUA_DATABASE_URL"] = url
    from flask_migrate import upgrade

    from app import MIGRATIONS_DIR, create_app
    from app.core.db import unit_of_work
    from app.demo.services import load_demo_agencies, load_demo_catalog, load_demo_users

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        with unit_of_work():
            load_demo_agencies(), load_demo_users(), load_demo_catalog()
    templates = make_templates(app)
    started = time.perf_counter()
    clone(app, templates, args.dossiers, args.open_share, rng)
    generation_s = round(time.perf_counter() - started, 1)
    results = measure(app, args.repeat, args.completions, rng)
    report = {"dossiers": args.dossiers, "open_share": args.open_share, "generation_s": generation_s,
              "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "results": results,
              "ratios_vs_pk_lookup": {k: round(v["p99_ms"] / max(results["baseline_pk_lookup"]["p99_ms"], 0.001), 1)
                                      for k, v in results.items() if not k.startswith("baseline")}}
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results" / f"scale-{datetime.now(UTC):%Y%m%d}-{args.dossiers}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
