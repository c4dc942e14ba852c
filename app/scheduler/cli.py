"""`flask scheduler run` starts the job process; `flask timers fire` runs one sweep now."""
from __future__ import annotations

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import AppGroup

from app.scheduler.jobs import (
    alert_due_tomorrow,
    anchor_yesterday,
    deliver_notifications,
    prune_pin_guards,
    purge_idempotency_keys,
    sweep_timers,
)

scheduler_cli = AppGroup("scheduler", help="Tiến trình chạy nền / background jobs.")
timers_cli = AppGroup("timers", help="Bộ hẹn giờ BPMN / BPMN timers.")


@scheduler_cli.command("run")
@click.option("--interval", default=60, show_default=True, help="seconds between timer sweeps")
def run(interval: int) -> None:
    """Run the scheduler in the foreground (one process per deployment)."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="Asia/Ho_Chi_Minh")
    scheduler.add_job(sweep_timers, "interval", seconds=interval, args=[app], id="timers", coalesce=True,
                      max_instances=1)
    scheduler.add_job(alert_due_tomorrow, "cron", hour="7,13", minute=35, args=[app], id="apology-alerts",
                      coalesce=True)
    scheduler.add_job(purge_idempotency_keys, "cron", hour=2, minute=15, args=[app], id="idempotency-purge",
                      coalesce=True)
    scheduler.add_job(prune_pin_guards, "cron", hour=2, minute=25, args=[app], id="pin-guard-prune", coalesce=True)
    scheduler.add_job(deliver_notifications, "interval", seconds=interval, args=[app], id="notifications",
                      coalesce=True, max_instances=1)
    scheduler.add_job(anchor_yesterday, "cron", hour=0, minute=20, args=[app], id="audit-anchor", coalesce=True)
    click.echo(f"scheduler started: timers every {interval}s, apology alerts at 07:35 and 13:35")
    scheduler.start()


@timers_cli.command("fire")
def fire() -> None:
    """Fire every due BPMN timer once and print how many dossiers moved."""
    click.echo(sweep_timers(current_app._get_current_object()))
