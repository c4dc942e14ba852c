"""`flask scheduler run` starts a job process (active or standby); `flask timers fire` runs one sweep now."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app.scheduler.jobs import sweep_timers
from app.scheduler.runner import SchedulerNodeLoop, job_specs

scheduler_cli = AppGroup("scheduler", help="Tiến trình chạy nền / background jobs.")
timers_cli = AppGroup("timers", help="Bộ hẹn giờ BPMN / BPMN timers.")


@scheduler_cli.command("run")
@click.option("--interval", default=60, show_default=True, help="seconds between timer and outbox sweeps")
@click.option("--heartbeat", default=2.0, show_default=True, help="seconds between leadership checks")
def run(interval: int, heartbeat: float) -> None:
    """Run a scheduler in the foreground; start two for a standby (only the leader runs the jobs)."""
    loop = SchedulerNodeLoop(current_app._get_current_object(), job_specs(interval), heartbeat)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"scheduler {loop.node}: timers and outbox every {interval}s, apology alerts at 07:35 and 13:35")
    loop.run(stop)


@timers_cli.command("fire")
def fire() -> None:
    """Fire every due BPMN timer once and print how many dossiers moved."""
    click.echo(sweep_timers(current_app._get_current_object()))
