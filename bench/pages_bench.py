"""Page render times on the demo data (issue: no page over 150 ms on a counter PC).

Usage: python bench/pages_bench.py [--repeat 20]
Builds a fresh SQLite database with `flask demo load` (200 dossiers), then renders the main pages through the
Flask app (no network) as the demo officials, citizen and auditor, and prints p50/p99 per page. Baseline in the
same run: the /healthz probe.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_bench import percentile  # noqa: E402

PASSWORD = "motcua-demo"  # noqa: S105 - the published demo credential


def login(client, username: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"login {username} failed"


def timed(client, path: str, repeat: int) -> dict[str, float]:
    for _ in range(2):  # warm-up: template compilation and process caches are a one-off per worker
        client.get(path)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, f"{path} -> {response.status_code}"
    return {"p50_ms": round(statistics.median(samples), 1), "p99_ms": round(percentile(samples, 0.99), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    db_path = Path(tempfile.mkdtemp()) / "pages.sqlite"
    os.environ["MOTCUA_DATABASE_URL"] = f"sqlite:///{db_path}"
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import MIGRATIONS_DIR, create_app
    from app.core.db import unit_of_work
    from app.demo.services import load_demo
    from app.dossiers.models import Dossier, DossierStatus
    from app.extensions import db
    from app.workflow.models import HumanTask

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["MOTCUA_DATABASE_URL"], "LOG_LEVEL": "WARNING",
                      "LOOKUP_RATE_LIMIT": "100000/minute"})  # measure rendering, not the limiter
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        with unit_of_work():
            load_demo()
        from app.auth.services import get_agency_by_code

        snv = get_agency_by_code("H38.SNV").id
        task = db.session.scalar(select(HumanTask).where(HumanTask.status == "open", HumanTask.role == "specialist",
                                                         HumanTask.agency_id == snv).order_by(HumanTask.id))
        dossier_code = db.session.get(Dossier, task.dossier_id).code
        returned = db.session.scalar(select(Dossier.code).where(Dossier.status == DossierStatus.RETURNED))
    results = {}
    anonymous = app.test_client()
    results["healthz (baseline)"] = timed(anonymous, "/healthz", args.repeat)
    results["login page"] = timed(anonymous, "/login", args.repeat)
    results["citizen lookup form"] = timed(anonymous, "/tra-cuu", args.repeat)
    pages = {
        "tiepnhan": ["/inbox/", "/counter/intake", "/counter/intake/1.014199"],
        "chuyenvien.snv": ["/inbox/?tab=queue", "/inbox/?tab=mine", f"/tasks/{task.id}", f"/dossiers/{dossier_code}"],
        "lanhdao.snv": ["/inbox/?tab=team"],
        "auditor": [f"/audit/dossiers/{returned}"],
        "designer": ["/designer/"],
    }
    for username, paths in pages.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            results[f"{username} {path}"] = timed(client, path, args.repeat)
    report = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "database": "SQLite (demo data: 200 dossiers)", "repeat": args.repeat, "pages": results,
              "slowest_p99_ms": max(v["p99_ms"] for k, v in results.items() if "baseline" not in k)}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"pages-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
