"""The dossier lifecycle in one run, from HTTP down to the engine floor, with CPU per dossier from /proc.

Usage: python bench/lifecycle_bench.py [--seconds 20] [--max-dossiers 1500] [--clients 1,8,32]
                                       [--workers 2] [--threads 1] [--configs sync:2,sync:4,gthread:2x4]
                                       [--baseline DIR]
A fresh PostgreSQL database (`motcua_lifecyclebench` on 127.0.0.1), the demo organisation and catalogue, a Redis
of the bench's own (the token cache's credentials stamp), then:
  http      gunicorn on 127.0.0.1 driving work permits through /api/v1 with 1, 8 and 32 keep-alive clients (counter
            intake, then per step the queue page and the completion), each phase bounded by --seconds and
            --max-dossiers; latency p50/p95/p99 per request kind; CPU of the gunicorn processes, of their
            PostgreSQL backends and of Redis, read from /proc before and after (stable on a shared machine, unlike
            the rate); the load generator's own CPU is reported apart.
  services  the same lifecycle through the services in this process (one unit of work per request), no HTTP.
  engine    the raw engine floor: start and the 5 tasks of the same model, state JSON-serialised at every step.
  configs   with --configs, the 8-client phase again for each gunicorn set-up (worker class, workers, threads).
  baseline  with --baseline DIR (another checkout, e.g. `git worktree add /tmp/base main`), each HTTP phase again
            served by that code right after ours, on the same database and Redis: the CPU ratio ours / baseline
            is the figure to trust on a shared machine.
Every dossier driven is checked afterwards (returned, one completion per step). Ratios (http : services :
engine CPU per dossier) and everything else go to bench/results/lifecycle-<date>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
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

from bench.http_bench import STEP_USERS, Client, free_port, one_dossier, prepare, wait_ready  # noqa: E402
from bench.scale_bench import fresh_database, percentile  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
STEPS = ("specialist", "leader", "clerk", "returner")


# --- CPU from /proc ------------------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_of(pids: list[int], reaped: bool = False) -> dict[int, float]:
    """CPU seconds per live pid (with `reaped`, also of its children that exited and were waited for)."""
    found = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            found[pid] = sum(int(f) for f in fields[11:15 if reaped else 13]) / TICK
    return found


def descendants(root: int) -> list[int]:
    """The process and every live descendant."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sorted(tree)


class CpuMeter:
    """CPU of a process tree, of the PostgreSQL backends serving one database, and of extra processes."""

    def __init__(self, url: str, root: int | None, extra: list[int]):
        from sqlalchemy import create_engine

        self.admin = create_engine(url, pool_size=1)
        self.root, self.extra = root, extra

    def backends(self) -> list[int]:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))
                        .scalars())  # not autovacuum: a worker alive at the end would count its whole life

    def snapshot(self) -> dict[str, dict[int, float]]:
        server = cpu_of(descendants(self.root), reaped=True) if self.root else {}
        return {"server": server, "database": cpu_of(self.backends()), "redis": cpu_of(self.extra),
                "client": {0: time.process_time()}}

    @staticmethod
    def delta(before: dict, after: dict) -> dict[str, float]:
        return {part: round(sum(value - before[part].get(pid, 0.0) for pid, value in after[part].items()), 3)
                for part in after}


# --- phases --------------------------------------------------------------------------------------------------

def run_http(port: int, clients: int, seconds: float, max_dossiers: int, tokens, forms, documents, start_n: int):
    """Drive lifecycles with `clients` threads until `seconds` passed or `max_dossiers` were started."""
    latencies: dict[str, list[float]] = defaultdict(list)
    done, errors, lock, counter = [0], [], threading.Lock(), [start_n]
    deadline = time.perf_counter() + seconds

    def loop() -> None:
        client = Client(port, latencies)
        while time.perf_counter() < deadline:
            with lock:
                if counter[0] - start_n >= max_dossiers:
                    return
                counter[0] += 1
                n = counter[0]
            try:
                one_dossier(client, tokens, forms, documents, n)
                with lock:
                    done[0] += 1
            except Exception as error:  # noqa: BLE001 - counted and reported, the phase goes on
                errors.append(str(error)[:300])
                client = Client(port, latencies)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], time.perf_counter() - started, latencies, errors, counter[0]


def latency_summary(latencies: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {kind: {"p50_ms": round(statistics.median(v), 1), "p95_ms": round(percentile(v, 0.95), 1),
                   "p99_ms": round(percentile(v, 0.99), 1), "n": len(v)} for kind, v in sorted(latencies.items())
            if v}


def serve(url: str, redis_url: str, worker_class: str, workers: int, threads: int,
          code: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the app of the checkout `code` (this one, or the --baseline for the A/B)."""
    port = free_port()
    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_LOG_LEVEL": "WARNING", "MOTCUA_REDIS_URL": redis_url,
           "MOTCUA_RATELIMIT_STORAGE_URI": redis_url, "PYTHONPATH": str(code)}
    command = [str(Path(sys.executable).parent / "gunicorn"), "-k", worker_class, "-w", str(workers),
               "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=code, env=env)
    wait_ready(port)
    return server, port


def baseline_phase(args, url: str, redis, clients: int, data, n: int) -> tuple[dict, int]:
    """The same phase served by the --baseline checkout (its own gunicorn, same database and Redis)."""
    server, port = serve(url, redis.url, args.worker_class, args.workers, args.threads, code=args.baseline)
    try:
        return http_phase(CpuMeter(url, server.pid, [redis.pid]), port, clients, args, data, n)
    finally:
        server.terminate()
        server.wait(timeout=30)


def http_phase(meter: CpuMeter, port: int, clients: int, args, data, start_n: int) -> tuple[dict, int]:
    tokens, forms, documents = data
    run_http(port, clients, min(3.0, args.seconds), max(clients, 4), tokens, forms, documents, start_n)  # warm-up
    start_n += max(clients, 4)
    before = meter.snapshot()
    done, wall, latencies, errors, start_n = run_http(port, clients, args.seconds, args.max_dossiers, tokens, forms,
                                                      documents, start_n)
    cpu = CpuMeter.delta(before, meter.snapshot())
    side = cpu["server"] + cpu["database"] + cpu["redis"]
    requests = sum(len(v) for v in latencies.values())
    return {"clients": clients, "dossiers": done, "seconds": round(wall, 1),
            "dossiers_per_s": round(done / wall, 2), "requests_per_s": round(requests / wall, 1),
            "cpu_s": cpu, "cpu_ms_per_dossier": {
                "server_and_database": round(side * 1000 / max(done, 1), 1),
                "server": round(cpu["server"] * 1000 / max(done, 1), 1),
                "database": round(cpu["database"] * 1000 / max(done, 1), 1),
                "redis": round(cpu["redis"] * 1000 / max(done, 1), 2),
                "load_generator": round(cpu["client"] * 1000 / max(done, 1), 1)},
            "latency": latency_summary(latencies), "errors": len(errors), "first_errors": errors[:3]}, start_n


def services_phase(url: str, count: int, data) -> dict:
    """The same lifecycle through the services, one unit of work per request, in this process."""
    from app import create_app
    from app.auth.services import find_user_by_username, get_agency_by_code
    from app.core.db import unit_of_work
    from app.dossiers import lifecycle
    from app.dossiers.intake import receive_dossier
    from app.dossiers.schemas import ApplicantInput, IntakeInput
    from app.inbox.services import InboxFilter, claim_task, list_inbox

    _tokens, forms, documents = data
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    meter = CpuMeter(url, None, [])

    def one(n: int) -> None:
        with app.app_context(), unit_of_work():
            receiver = find_user_by_username(STEP_USERS["receiver"])
            intake = IntakeInput(procedure_code="1.014199", channel="counter", received_documents=documents,
                                 applicant=ApplicantInput(name=f"Services {n}", id_number=f"{n % 10**12:012d}",
                                                          phone="0912345678"),
                                 form_data=forms.get("work_permit/intake", {}))
            code = receive_dossier(receiver, get_agency_by_code("H38.TTPVHCC"), intake).dossier.code
        for role in STEPS:
            with app.app_context(), unit_of_work():
                actor = find_user_by_username(STEP_USERS[role])
                task, _dossier = next(row for row in list_inbox(actor, InboxFilter(search=code, limit=5)))
                task_id, form_key = task.id, task.form_key
            with app.app_context(), unit_of_work():
                claim_task(find_user_by_username(STEP_USERS[role]), task_id)
            with app.app_context(), unit_of_work():
                lifecycle.complete_task(find_user_by_username(STEP_USERS[role]), task_id, forms.get(form_key, {}))

    for n in range(3):
        one(9_000_000 + n)
    with app.app_context():  # the app's connection is open now: its backend is counted
        before, started = meter.snapshot(), time.perf_counter()
        for n in range(count):
            one(9_100_000 + n)
        cpu, wall = CpuMeter.delta(before, meter.snapshot()), time.perf_counter() - started
    return {"dossiers": count, "seconds": round(wall, 1), "dossiers_per_s": round(count / wall, 2),
            "cpu_ms_per_dossier": {"process": round(cpu["client"] * 1000 / count, 1),
                                   "database": round(cpu["database"] * 1000 / count, 1),
                                   "process_and_database": round((cpu["client"] + cpu["database"]) * 1000 / count,
                                                                 1)}}


def engine_phase(seconds: float, forms: dict) -> dict:
    """The engine floor: the app's work permit, start + 5 tasks, state JSON-serialised after every step."""
    from engine import Engine, ModelRegistry, SandboxSettings

    registry = ModelRegistry()
    model_hash = registry.load((ROOT / "bpmn" / "work_permit.bpmn").read_bytes(), "work_permit.bpmn").hash
    engine = Engine(registry, sandbox=SandboxSettings(mode="inline"))

    def lifecycle() -> None:
        result = engine.start(model_hash, "work_permit", dict(forms.get("work_permit/intake", {})))
        text = json.dumps(result.state)
        while not result.is_completed:
            task = result.ready_tasks[0]
            result = engine.complete_task(json.loads(text), task.id, forms.get(task.form_key, {}))
            text = json.dumps(result.state)

    for _ in range(5):
        lifecycle()
    count, cpu, start = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        lifecycle()
        count += 1
    return {"lifecycles": count, "cpu_ms_per_lifecycle": round((time.process_time() - cpu) * 1000 / count, 2)}


def healthz_rps(port: int, clients: int, seconds: float) -> float:
    latencies: dict[str, list[float]] = defaultdict(list)
    deadline, threads = time.perf_counter() + seconds, []

    def loop() -> None:
        client = Client(port, latencies)
        while time.perf_counter() < deadline:
            client.call("health", "GET", "/healthz")

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(len(latencies["health"]) / seconds, 1)


def check_dossiers(url: str) -> dict:
    """Every dossier driven to its end: returned, with one completion per step."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        by_status = dict(conn.execute(text("SELECT status, count(*) FROM dossiers GROUP BY status")).all())
        wrong = conn.execute(text(
            "SELECT count(*) FROM dossiers d WHERE d.status = 'returned' AND (SELECT count(*) FROM human_tasks t "
            "WHERE t.dossier_id = d.id AND t.status = 'completed') <> 5")).scalar()
    engine.dispose()
    return {"by_status": by_status, "returned_without_five_completions": wrong}


# --- main ----------------------------------------------------------------------------------------------------

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    return {"platform": platform.platform(), "cpu": model, "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "load_average_at_start": os.getloadavg()}


def main() -> None:
    from tests.redis_process import redis_server

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="per HTTP phase")
    parser.add_argument("--max-dossiers", type=int, default=1500, help="per HTTP phase")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--configs", default="", help="e.g. sync:2,sync:4,gthread:2x4 (8 clients each)")
    parser.add_argument("--services-dossiers", type=int, default=40)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of the app (e.g. `git worktree add /tmp/base main`): each HTTP phase "
                             "is run on it too, right after ours on the same database, and the ratios reported")
    parser.add_argument("--database-url", default=os.environ.get(
        "MOTCUA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_lifecyclebench"))
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    tokens_by_user, forms, documents = prepare(url)
    data = ({role: tokens_by_user[user] for role, user in STEP_USERS.items()}, forms, documents)
    report = {"machine": machine(), "gunicorn": {"worker_class": args.worker_class, "workers": args.workers,
                                                 "threads": args.threads}, "http": [], "configs": []}
    n = 0
    with redis_server() as redis:
        redis_pid = redis.pid
        server, port = serve(url, redis.url, args.worker_class, args.workers, args.threads)
        try:
            report["healthz_rps_8_clients"] = healthz_rps(port, 8, min(5.0, args.seconds))
            meter = CpuMeter(url, server.pid, [redis_pid])
            for clients in (int(c) for c in args.clients.split(",")):
                phase, n = http_phase(meter, port, clients, args, data, n)
                report["http"].append(phase)
                print(json.dumps(phase), flush=True)
                if args.baseline:
                    base, n = baseline_phase(args, url, redis, clients, data, n)
                    report.setdefault("baseline", {"code": str(args.baseline), "http": []})["http"].append(base)
                    print(json.dumps({"baseline": base}), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if args.baseline:
            report["baseline"]["ratios_cpu_per_dossier"] = [  # ours / baseline, one per phase (clients)
                [ours["clients"], round(ours["cpu_ms_per_dossier"]["server_and_database"]
                                        / base["cpu_ms_per_dossier"]["server_and_database"], 2)]
                for ours, base in zip(report["http"], report["baseline"]["http"], strict=True)]
        for config in filter(None, args.configs.split(",")):
            worker_class, shape = config.split(":")
            workers, _, threads = shape.partition("x")
            server, port = serve(url, redis.url, worker_class, int(workers), int(threads or 1))
            try:
                phase, n = http_phase(CpuMeter(url, server.pid, [redis_pid]), port, 8, args, data, n)
            finally:
                server.terminate()
                server.wait(timeout=30)
            phase["config"] = config
            report["configs"].append(phase)
            print(json.dumps(phase), flush=True)
    report["services"] = services_phase(url, args.services_dossiers, data)
    report["engine"] = engine_phase(5.0, forms)
    report["check"] = check_dossiers(url)
    http8 = next((p for p in report["http"] if p["clients"] == 8), report["http"][0])
    floor = report["engine"]["cpu_ms_per_lifecycle"]
    report["ratios_cpu_per_dossier"] = {
        "http_8_clients_vs_services": round(http8["cpu_ms_per_dossier"]["server_and_database"]
                                            / report["services"]["cpu_ms_per_dossier"]["process_and_database"], 2),
        "services_vs_engine": round(report["services"]["cpu_ms_per_dossier"]["process_and_database"] / floor, 2),
        "http_8_clients_vs_engine": round(http8["cpu_ms_per_dossier"]["server_and_database"] / floor, 2)}
    print(json.dumps({k: report[k] for k in ("services", "engine", "check", "ratios_cpu_per_dossier")}, indent=2))
    out = ROOT / "bench" / "results" / f"lifecycle-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
