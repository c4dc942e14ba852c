"""Full 5-step dossiers per second over HTTP (target ≥ 100/s on 2 cores with PostgreSQL).

Usage: python bench/http_bench.py [--seconds 30] [--clients 8] [--workers 3] [--database-url URL]
Serves the app with gunicorn on 127.0.0.1 against a fresh PostgreSQL database (demo organisation, models and
catalogue, no dossiers), then drives work permits through the REST API only: POST /api/v1/dossiers at the counter,
then for each of the 4 back-office steps the right official finds the task in the queue (GET /api/v1/tasks?q=CODE)
and completes it (POST /api/v1/tasks/{id}/complete). Baseline in the same run: GET /healthz requests/s with the
same clients. Prints dossiers/s, requests/s, per-request p50/p99 and the ratio to the baseline; writes
bench/results/http-<date>.json. The load generator shares the 2 cores with the server: figures are conservative.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_bench import fresh_database, percentile  # noqa: E402

STEP_USERS = {"specialist": "chuyenvien.snv", "leader": "lanhdao.snv", "clerk": "vanthu.snv",
              "returner": "tiepnhan", "receiver": "tiepnhan"}


def prepare(url: str) -> tuple[dict[str, str], dict[str, dict], list[int]]:
    """Migrate, load the organisation; return API tokens, form data per form key, work-permit document ids."""
    import random

    from faker import Faker
    from flask_migrate import upgrade

    from app import MIGRATIONS_DIR, create_app
    from app.auth.services import find_user_by_username
    from app.catalog.services import get_procedure
    from app.core.db import unit_of_work
    from app.demo.dossiers import DemoContext, sample_form_data
    from app.demo.services import load_demo_agencies, load_demo_catalog, load_demo_users
    from app.tokens.services import create_token
    from app.workflow import services as workflow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        with unit_of_work():
            load_demo_agencies(), load_demo_users(), load_demo_catalog()
        with unit_of_work():
            tokens = {name: create_token(None, find_user_by_username(name), "bench")[1]
                      for name in set(STEP_USERS.values())}
        ctx = DemoContext(Faker("vi_VN"), random.Random(3), datetime.now(UTC))
        model = workflow.model_for(workflow.latest_version("work_permit"))
        forms = {t.form_key: sample_form_data(t.form_key, ctx, "approve") for t in model.user_tasks("work_permit")
                 if t.form_key}
        documents = [d.id for d in get_procedure("1.014199").documents]
    return tokens, forms, documents


class Client:
    """One keep-alive HTTP connection; records latency per request kind."""

    def __init__(self, port: int, latencies: dict[str, list[float]]):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.latencies = latencies

    def call(self, kind: str, method: str, path: str, token: str | None = None, body: dict | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        start = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        self.latencies[kind].append((time.perf_counter() - start) * 1000)
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None


def one_dossier(client: Client, tokens: dict[str, str], forms: dict[str, dict], documents: list[int], n: int) -> None:
    receipt = client.call("create", "POST", "/api/v1/dossiers", tokens["receiver"], {
        "procedure_code": "1.014199", "channel": "counter", "agency": "H38.TTPVHCC",
        "applicant": {"name": f"Bench Applicant {n}", "id_number": f"{n % 10**12:012d}", "phone": "0912345678"},
        "received_documents": documents, "form_data": forms.get("work_permit/intake", {})})
    code = receipt["code"]
    for role in ("specialist", "leader", "clerk", "returner"):
        token = tokens[role]
        page = client.call("queue", "GET", f"/api/v1/tasks?scope=queue&limit=5&q={code}", token)
        task = next(t for t in page["items"] if t["dossier_code"] == code)
        client.call("complete", "POST", f"/api/v1/tasks/{task['id']}/complete", token,
                    {"data": forms.get(task["form_key"], {}), "comment": None})


def run_clients(port: int, seconds: float, clients: int, work) -> tuple[int, dict[str, list[float]], list[str]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    done, errors, lock = [0], [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        client = Client(port, latencies)
        n = index
        while time.perf_counter() < deadline:
            try:
                work(client, n)
                with lock:
                    done[0] += 1
            except Exception as error:  # noqa: BLE001 - reported, the benchmark goes on
                errors.append(str(error))
                client = Client(port, latencies)
            n += clients

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], latencies, errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int) -> None:
    for _ in range(100):
        try:
            Client(port, defaultdict(list)).call("health", "GET", "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def summary(latencies: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {kind: {"p50_ms": round(statistics.median(v), 1), "p99_ms": round(percentile(v, 0.99), 1), "n": len(v)}
            for kind, v in latencies.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--database-url", default=os.environ.get(
        "MOTCUA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_httpbench"))
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    tokens_by_user, forms, documents = prepare(url)
    tokens = {role: tokens_by_user[user] for role, user in STEP_USERS.items()}
    port = free_port()
    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
                               "--threads", str(args.threads), "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        wait_ready(port)
        base_done, base_lat, _ = run_clients(port, min(10, args.seconds), args.clients,
                                             lambda c, n: c.call("health", "GET", "/healthz"))
        baseline_rps = base_done / min(10, args.seconds)
        done, latencies, errors = run_clients(port, args.seconds, args.clients,
                                              lambda c, n: one_dossier(c, tokens, forms, documents, n))
    finally:
        server.terminate()
        server.wait(timeout=20)
    requests = sum(len(v) for v in latencies.values())
    report = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "gunicorn_workers": args.workers, "gunicorn_threads": args.threads, "clients": args.clients},
        "dossiers_per_s": round(done / args.seconds, 2), "requests_per_s": round(requests / args.seconds, 1),
        "baseline_healthz_rps": round(baseline_rps, 1),
        "ratio_requests_vs_baseline": round(requests / args.seconds / max(baseline_rps, 0.001), 3),
        "latency": summary(latencies), "baseline_latency": summary(base_lat),
        "errors": len(errors), "first_errors": errors[:3],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"http-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
