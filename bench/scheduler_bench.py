"""Scheduler throughput: BPMN timers fired per second with 100,000 due timers, outbox messages sent per second.

Usage: python bench/scheduler_bench.py [--timers 100000] [--seconds 60] [--messages 2000] [--database-url URL]
Needs PostgreSQL (default: a fresh database `motcua_bench_sched` on 127.0.0.1, dropped and recreated).
Steps: migrate, load the demo organisation; receive one construction-permit dossier through the services and play
it to its site-visit timer (the template); bulk-clone it to N dossiers whose timer is due; then measure
  1. claims: due timers claimed per second over all N, each batch one committed transaction that claims
     (`FOR UPDATE SKIP LOCKED`) and removes the rows as firing does (--batch, the sweep's, and --claim-batch),
  2. firing: timers fired per second through the real pipeline (engine, history event, projections), bounded
     by --seconds, in the scheduler's own batches,
  3. outbox: messages worded (template in force, sandbox) and delivered per second to the local sink
     (tools/notify_sink.py: SMTP and webhook).
Results go to stdout and bench/results/scheduler-<date>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, select, text  # noqa: E402

from bench.scale_bench import fresh_database  # noqa: E402

BATCH = 5000


def make_template(app) -> int:
    """A construction permit at the commune, appraisals done, waiting only on its site-visit timer."""
    from app.core.db import unit_of_work
    from tests.integration.dossiers.conftest import Desk

    desk = Desk()
    with app.app_context():
        with unit_of_work():
            dossier = desk.receive("1.009994", "14797").dossier
        desk.complete(dossier, "appraisal")
        desk.complete(dossier, "appraisal")
        return dossier.id


def clone(app, template_id: int, count: int) -> None:
    """Bulk-insert `count` copies of the template: dossier, engine instance and a due timer each."""
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.workflow.models import DueTimer, ProcessInstance

    dossiers, instances, timers = Dossier.__table__, ProcessInstance.__table__, DueTimer.__table__
    with app.app_context(), db.engine.begin() as conn:
        base = dict(conn.execute(select(dossiers).where(dossiers.c.id == template_id)).mappings().one())
        inst = dict(conn.execute(select(instances).where(instances.c.dossier_id == template_id)).mappings().one())
        timer = dict(conn.execute(select(timers).where(timers.c.dossier_id == template_id)).mappings().one())
        inst.pop("id"), timer.pop("id")
        next_id = conn.execute(text("SELECT max(id) + 1 FROM dossiers")).scalar()
        due = datetime.now(UTC) - timedelta(days=1)
        for offset in range(0, count, BATCH):
            ids = range(next_id + offset, next_id + min(count, offset + BATCH))
            conn.execute(insert(dossiers), [{**base, "id": i, "code": f"BENCH-T{i:07d}",
                                             "search_text": f"bench-t{i:07d}"} for i in ids])
            conn.execute(insert(instances), [{**inst, "dossier_id": i} for i in ids])
            conn.execute(insert(timers), [{**timer, "dossier_id": i, "due_at": due} for i in ids])
        conn.execute(text("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT max(id) FROM dossiers))"))
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def measure_claims(app, batch: int) -> dict:
    """Claim every due timer batch by batch as the sweep does, each batch one committed transaction: the claim
    (`FOR UPDATE SKIP LOCKED` over the (due_at, id) index) and the removal of the claimed rows that firing does.
    The timers are put back afterwards for the firing measure. The cost of claiming, without the engine."""
    from app.core.db import unit_of_work, utcnow
    from app.extensions import db
    from app.workflow.models import DueTimer
    from app.workflow.projection import dossiers_with_due_timers

    timers = DueTimer.__table__
    with app.app_context():
        saved = [dict(row) for row in db.session.execute(select(timers)).mappings()]
        db.session.rollback()
        claimed, started = 0, time.perf_counter()
        while True:
            with unit_of_work():
                got = dossiers_with_due_timers(utcnow(), batch)
                if got:
                    db.session.execute(delete(DueTimer).where(DueTimer.dossier_id.in_(got)))
            claimed += len(got)
            if len(got) < batch:
                break
        seconds = time.perf_counter() - started
        with db.engine.begin() as conn:
            conn.execute(timers.delete())
            for offset in range(0, len(saved), BATCH):
                conn.execute(insert(timers), saved[offset:offset + BATCH])
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE due_timers"))
    return {"batch": batch, "claimed": claimed, "seconds": round(seconds, 2), "per_second": round(claimed / seconds)}


def measure_firing(app, seconds: float, batch: int) -> dict:
    """Fire due timers through the real pipeline, in the scheduler's batches, for at most `seconds`."""
    from app.core.db import unit_of_work, utcnow
    from app.dossiers.lifecycle import fire_due_timers

    fired, started = 0, time.perf_counter()
    with app.app_context():
        while time.perf_counter() - started < seconds:
            with unit_of_work():
                moved = fire_due_timers(utcnow(), batch)
            fired += moved
            if moved < batch:
                break
    elapsed = time.perf_counter() - started
    return {"batch": batch, "fired": fired, "seconds": round(elapsed, 2), "per_second": round(fired / elapsed, 1)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_outbox(app, messages: int, template_id: int) -> dict:
    """Queue `messages` (half e-mail, half SMS) and deliver them to the local sink's SMTP and webhook servers."""
    from app.core.db import unit_of_work
    from app.extensions import db
    from app.notify.messages import SAMPLE_CONTEXT
    from app.notify.models import Notification
    from app.notify.services import deliver_pending

    http, smtp = free_port(), free_port()
    sink = subprocess.Popen([sys.executable, str(ROOT / "tools" / "notify_sink.py"), "--http-port", str(http),
                             "--smtp-port", str(smtp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp, SMS_WEBHOOK_URL=f"http://127.0.0.1:{http}/sms")
        with app.app_context():
            with unit_of_work():
                db.session.execute(text("DELETE FROM notifications"))
                db.session.execute(insert(Notification), [
                    {"dossier_id": template_id, "event_kind": "received", "channel": "email" if i % 2 else "sms",
                     "recipient": f"bench{i}@example.vn" if i % 2 else f"09{i:08d}", "subject": "", "body": "",
                     "context": SAMPLE_CONTEXT, "status": "pending", "attempts": 0,  # worded when sent
                     "next_attempt_at": datetime.now(UTC), "created_at": datetime.now(UTC)} for i in range(messages)])
            counts, started = {}, time.perf_counter()
            while time.perf_counter() - started < 120:
                with unit_of_work():
                    batch = deliver_pending()
                for key, value in batch.items():
                    counts[key] = counts.get(key, 0) + value
                if not batch:
                    break
            elapsed = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait(10)
    return {"messages": messages, "results": counts, "seconds": round(elapsed, 2),
            "per_second": round(counts.get("sent", 0) / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--batch", type=int, default=200, help="the scheduler's firing batch (TIMER_BATCH)")
    parser.add_argument("--claim-batch", type=int, default=1000, help="a second claims measure, larger batches")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get(
        "MOTCUA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_bench_sched"))
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    os.environ["MOTCUA_DATABASE_URL"] = url
    from flask_migrate import upgrade

    from app import MIGRATIONS_DIR, create_app
    from app.core.db import unit_of_work
    from app.demo.services import load_demo_agencies, load_demo_catalog, load_demo_users

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "SANDBOX": "inline"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        with unit_of_work():
            load_demo_agencies(), load_demo_users(), load_demo_catalog()
    template = make_template(app)
    started = time.perf_counter()
    clone(app, template, args.timers)
    report = {"timers": args.timers, "generation_s": round(time.perf_counter() - started, 1),
              "claims": measure_claims(app, args.batch), "claims_large_batches": measure_claims(app, args.claim_batch),
              "firing": measure_firing(app, args.seconds, args.batch),
              "outbox": measure_outbox(app, args.messages, template), "goal_fired_per_second": 10_000,
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load_average": [round(x, 1) for x in os.getloadavg()]},
              "at": datetime.now(UTC).isoformat(timespec="seconds")}
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results" / f"scheduler-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
