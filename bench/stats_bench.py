"""Statistics at scale: dashboard, scorecard, periodic report export, process heatmap and the inbox, timed through
the Flask app (no network) on N dossiers of synthetic history (issue 16: at 1M, statistics under 500 ms, the inbox
under 50 ms).

Usage: python bench/stats_bench.py [--dossiers 100000] [--repeat 20] [--database-url URL] [--reuse] [--skip TEXT]
Needs PostgreSQL (default: a fresh database `motcua_bench_stats` on 127.0.0.1, dropped and recreated). Steps:
migrate, load the demo organisation and models, `demo generate` N dossiers (timed: load, summary rebuild, early
warning fit), ANALYZE, then p50 / p95 / p99 of each page over `--repeat` requests after two warm-up requests.
`--reuse` keeps an already generated database (`flask demo generate` into it). Either way the loaded tables are
vacuumed first, as autovacuum would in time. Results go to stdout and bench/results/stats-<date>-<N>.json.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bench.pages_bench import login  # noqa: E402
from bench.scale_bench import fresh_database  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_bench_stats"


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(client, path: str, repeat: int) -> dict[str, float]:
    for _ in range(2):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, f"{path} -> {response.status_code}"
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "p99_ms": round(percentile(samples, 0.99), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="time an already generated database")
    parser.add_argument("--skip", action="append", default=[], metavar="TEXT",
                        help="leave out the pages whose name contains TEXT (e.g. heatmap); repeatable")
    args = parser.parse_args()
    if not args.reuse:
        fresh_database(args.database_url)
    os.environ["MOTCUA_DATABASE_URL"] = args.database_url
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import MIGRATIONS_DIR, create_app
    from app.core.db import unit_of_work
    from app.demo.generate import generate, settle
    from app.demo.services import load_demo
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.workflow.models import ProcessVersion

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "LOG_LEVEL": "WARNING"})
    generation = None
    with app.app_context():
        if not args.reuse:
            upgrade(directory=str(MIGRATIONS_DIR))
            with unit_of_work():
                load_demo(0)
            with unit_of_work():
                generation = generate(args.dossiers)
            generation["vacuum_seconds"] = settle(db.engine)
        else:
            settle(db.engine)  # a no-op when nothing changed since
        dossiers = db.session.scalar(select(func.count(Dossier.id)))
        version = db.session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == "work_permit")
                                    .order_by(ProcessVersion.number.desc()).limit(1))
    year = datetime.now(UTC).year
    period = f"from={year}-01-01&to={datetime.now(UTC):%Y-%m-%d}"
    pages = {
        "giamsat.tinh": {"dashboard": f"/thong-ke/?{period}", "scorecard": f"/thong-ke/xep-hang?{period}",
                         "scorecard csv": f"/thong-ke/xep-hang.csv?{period}",
                         "report export (quarter, xlsx)": f"/thong-ke/bao-cao.xlsx?kind=quarter&n=1&year={year}",
                         "heatmap (work permit)": f"/thong-ke/quy-trinh?version={version}&{period}"},
        "lanhdao.snv": {"dashboard (department)": f"/thong-ke/?{period}"},
        "chuyenvien.snv": {"inbox queue": "/inbox/?tab=queue", "inbox mine": "/inbox/?tab=mine"},
    }
    results, load_start = {}, os.getloadavg()
    for username, paths in pages.items():
        client = app.test_client()
        login(client, username)
        for name, path in paths.items():
            if any(text in name for text in args.skip):
                continue
            results[f"{username} {name}"] = timed(client, path, args.repeat)
            print(name, results[f"{username} {name}"], flush=True)
    report = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "load_average_1min": {"start": round(load_start[0], 1), "end": round(os.getloadavg()[0], 1)},
              "database": "PostgreSQL", "dossiers": dossiers, "generation": generation or "reused",
              "repeat": args.repeat, "pages": results}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"stats-{datetime.now(UTC):%Y%m%d-%H%M}-{dossiers}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
