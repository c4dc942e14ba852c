"""Profile the API lifecycle in-process: where the CPU of one dossier goes, and how many SQL statements each request
issues.

Usage: python bench/profile_lifecycle.py [--dossiers 15] [--database-url URL] [--html] [--cpu | --plain] [--claim]
A fresh PostgreSQL database (default `motcua_profile`), the demo organisation and catalogue, a Redis of its own (the
token cache's credentials stamp, as in production), then N work permits through /api/v1 with the Flask test client
(counter intake, then per step: the queue page and the completion, as bench/lifecycle_bench.py; --claim claims the
task too), the first dossier as a warm-up outside the profile. pyinstrument's report goes to
bench/results/profile-<date>.txt (and .html with --html); --cpu: cProfile on CPU time instead (and a .pstats file);
--plain: no profiler, CPU per dossier of this process and of its PostgreSQL backend. Statements per request kind
are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_bench import STEP_USERS, prepare  # noqa: E402
from bench.scale_bench import fresh_database  # noqa: E402


class Api:
    """The lifecycle's requests through the Flask test client, counting SQL statements per request kind."""

    def __init__(self, app, tokens: dict[str, str]):
        from sqlalchemy import event

        from app.extensions import db

        self.client, self.tokens = app.test_client(), tokens
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.last_sql: dict[str, list[str]] = {}
        self._current: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args) -> None:
        self._current.append(" ".join(statement.split())[:160])

    def call(self, kind: str, method: str, path: str, role: str, body: dict | None = None) -> dict:
        self._current = []
        response = self.client.open(path, method=method, json=body,
                                    headers={"Authorization": f"Bearer {self.tokens[role]}"})
        self.statements[kind].append(len(self._current))
        self.last_sql[kind] = self._current
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.get_data(as_text=True)[:300]}")
        return response.get_json()


CLAIM = False  # --claim: also claim each task before completing it (the bench's lifecycle does not)


def lifecycle(api: Api, forms: dict[str, dict], documents: list[int], n: int) -> None:
    receipt = api.call("intake", "POST", "/api/v1/dossiers", "receiver", {
        "procedure_code": "1.014199", "channel": "counter", "agency": "H38.TTPVHCC",
        "applicant": {"name": f"Profile Applicant {n}", "id_number": f"{n:012d}", "phone": "0912345678"},
        "received_documents": documents, "form_data": forms.get("work_permit/intake", {})})
    for role in ("specialist", "leader", "clerk", "returner"):
        page = api.call("queue", "GET", f"/api/v1/tasks?scope=queue&limit=5&q={receipt['code']}", role)
        task = next(t for t in page["items"] if t["dossier_code"] == receipt["code"])
        if CLAIM:
            api.call("claim", "POST", f"/api/v1/tasks/{task['id']}/claim", role)
        api.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete", role,
                 {"data": forms.get(task["form_key"], {}), "comment": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=15)
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--claim", action="store_true", help="claim each task before completing it")
    parser.add_argument("--plain", action="store_true",
                        help="no profiler: CPU per dossier of this process and of its PostgreSQL backend")
    parser.add_argument("--cpu", action="store_true",
                        help="cProfile on CPU time instead (stable on a loaded machine): top functions by own time")
    parser.add_argument("--database-url", default=os.environ.get(
        "MOTCUA_PROFILE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_profile"))
    args = parser.parse_args()
    global CLAIM
    CLAIM = args.claim
    from tests.redis_process import redis_server

    with redis_server() as redis:  # the token cache needs the shared credentials stamp, as in production
        profile(args, redis.url)


def profile(args: argparse.Namespace, redis_url: str) -> None:
    from pyinstrument import Profiler

    from app import create_app

    url = fresh_database(args.database_url)
    tokens_by_user, forms, documents = prepare(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "REDIS_URL": redis_url})
    api = Api(app, {role: tokens_by_user[user] for role, user in STEP_USERS.items()})
    lifecycle(api, forms, documents, 0)  # warm-up: parsed models, compiled SQL, first token touch
    api.statements.clear()
    if args.cpu:
        return cpu_profile(api, forms, documents, args.dossiers)
    if args.plain:
        return plain(api, url, forms, documents, args.dossiers)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for n in range(1, args.dossiers + 1):
        lifecycle(api, forms, documents, n)
    profiler.stop()
    session = profiler.last_session
    statements = {kind: {"max": max(v), "mean": round(sum(v) / len(v), 2), "n": len(v)}
                  for kind, v in api.statements.items()}
    summary = {"dossiers": args.dossiers, "cpu_ms_per_dossier": round(session.cpu_time * 1000 / args.dossiers, 2),
               "wall_ms_per_dossier": round(session.duration * 1000 / args.dossiers, 2), "statements": statements}
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M}"
    out = ROOT / "bench" / "results" / f"profile-{stamp}.txt"
    sql = "\n".join(f"{kind}:\n" + "\n".join(f"  {line}" for line in lines) for kind, lines in api.last_sql.items())
    out.write_text(json.dumps(summary, indent=2) + "\n\nSQL of the last lifecycle:\n" + sql + "\n\n"
                   + profiler.output_text(unicode=True, show_all=False))
    if args.html:
        out.with_suffix(".html").write_text(profiler.output_html())
    print(json.dumps(summary, indent=2))
    print(f"profile: {out}")


def plain(api: Api, url: str, forms: dict, documents: list[int], dossiers: int) -> None:
    """The lifecycle without a profiler: this process's CPU (Flask test client included) and its database's."""
    from bench.lifecycle_bench import CpuMeter

    meter = CpuMeter(url, None, [])
    before = meter.snapshot()
    for n in range(1, dossiers + 1):
        lifecycle(api, forms, documents, n)
    cpu = CpuMeter.delta(before, meter.snapshot())
    figures = {"dossiers": dossiers, "load_average": os.getloadavg(),
               "cpu_ms_per_dossier": {"process": round(cpu["client"] * 1000 / dossiers, 1),
                                      "database": round(cpu["database"] * 1000 / dossiers, 1)},
               "statements": {kind: round(sum(v) / len(v), 2) for kind, v in api.statements.items()}}
    print(json.dumps(figures))


def cpu_profile(api: Api, forms: dict, documents: list[int], dossiers: int) -> None:
    """Attribute CPU time (time.process_time) to functions: what the lifecycle costs with the waits left out."""
    import cProfile
    import io
    import pstats
    import time

    profiler = cProfile.Profile(time.process_time)
    started = time.process_time()
    profiler.enable()
    for n in range(1, dossiers + 1):
        lifecycle(api, forms, documents, n)
    profiler.disable()
    total = time.process_time() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(45)
    stats.sort_stats("cumulative").print_stats(70)
    path = ROOT / "bench" / "results" / f"profile-cpu-{datetime.now(UTC):%Y%m%d-%H%M}.txt"
    profiler.dump_stats(str(path.with_suffix(".pstats")))  # for pstats queries of any function (not committed)
    path.write_text(f"CPU per dossier (profiled): {total * 1000 / dossiers:.1f} ms\n\n" + out.getvalue())
    print(f"CPU per dossier (profiled): {total * 1000 / dossiers:.1f} ms; profile: {path}")


if __name__ == "__main__":
    main()
