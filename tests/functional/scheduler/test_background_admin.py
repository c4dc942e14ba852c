"""A failed webhook is retried with exponential backoff against the real local sink, and the admin page shows it
with retry and cancel buttons, next to the schedulers, job runs and due timers."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.db import unit_of_work, utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.services import deliver_pending
from tests.functional.ui_world import WORK_PERMIT

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def failing_sink(app, monkeypatch):
    """tools/notify_sink.py answering the first two webhook calls with 503."""
    http, smtp = free_port(), free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "tools" / "notify_sink.py"), "--http-port", str(http),
                                "--smtp-port", str(smtp), "--fail-first", "2"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/messages", timeout=1).close()  # noqa: S310 (local sink)
            break
        except OSError:
            time.sleep(0.1)
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_URL", f"{base}/sms")
    yield base
    process.terminate()
    process.wait(10)


def received(base: str) -> list[dict]:
    with urllib.request.urlopen(f"{base}/messages", timeout=3) as response:  # noqa: S310
        return json.loads(response.read())


def sms_row() -> Notification:
    db.session.expire_all()
    return db.session.scalar(select(Notification).where(Notification.channel == "sms"))


def deliver(at) -> dict:
    with unit_of_work():
        return deliver_pending(at)


def test_failed_webhook_is_retried_with_backoff_and_shown_on_the_admin_page(failing_sink, desk, officials,
                                                                            at_office):
    desk.receive(WORK_PERMIT)
    start = utcnow()
    assert deliver(start) == {"pending": 1}  # 503: kept for a retry in 2 minutes
    row = sms_row()
    assert (row.attempts, row.next_attempt_at, "503" in row.last_error) == (1, start + timedelta(minutes=2), True)
    admin = officials.login("admin")
    page = admin.get("/admin/background?state=pending")
    assert page.status_code == 200 and row.recipient in page.text and "503" in page.text
    assert f"/admin/background/outbox/{row.id}/retry" in page.text

    assert deliver(start + timedelta(minutes=1)) == {}  # not before its time
    assert deliver(start + timedelta(minutes=2)) == {"pending": 1}  # second 503: the wait doubles
    assert sms_row().next_attempt_at == start + timedelta(minutes=2 + 4)
    assert deliver(start + timedelta(minutes=6)) == {"sent": 1}
    assert [m["to"] for m in received(failing_sink)] == [row.recipient]
    assert "sent" in admin.get("/admin/background?state=sent").text


def test_admin_retries_and_cancels_an_unsent_message(desk, officials, at_office):
    desk.receive(WORK_PERMIT)
    row = sms_row()
    row.status, row.attempts, row.last_error = "failed", 5, "gateway down"
    db.session.commit()
    admin = officials.login("admin")
    assert admin.post(f"/admin/background/outbox/{row.id}/retry", data={"state": "failed"}).status_code == 302
    assert (sms_row().status, sms_row().attempts) == ("pending", 0)
    assert admin.post(f"/admin/background/outbox/{row.id}/cancel").status_code == 302
    assert sms_row().status == "cancelled"
    assert deliver(utcnow() + timedelta(days=1)) == {}  # a cancelled message is never sent


def test_admin_page_lists_schedulers_jobs_and_due_timers(app, desk, officials, at_office):
    from app.scheduler.models import SchedulerNode
    from app.scheduler.runner import JobRun, record_job_run

    db.session.add(SchedulerNode(id="host:1:aaaaaa", role="active", started_at=utcnow(), heartbeat_at=utcnow()))
    db.session.add(SchedulerNode(id="host:2:bbbbbb", role="standby", started_at=utcnow(), heartbeat_at=utcnow()))
    db.session.commit()
    record_job_run(app, JobRun("timers", "host:1:aaaaaa", utcnow(), 12, "ok", 3, utcnow() + timedelta(minutes=1)))
    page = officials.login("admin").get("/admin/background").text
    assert "host:1:aaaaaa" in page and "host:2:bbbbbb" in page and "đang chạy" in page and "dự phòng" in page
    assert "<code>timers</code>" in page


def test_agency_admins_and_officials_cannot_see_the_outbox(officials, desk, at_office):
    assert officials.login("lanhdao.snv").get("/admin/background").status_code == 403


def test_each_job_keeps_its_history_of_runs_with_failures_counted(app, officials, at_office, monkeypatch):
    from app.scheduler import status
    from app.scheduler.runner import JobRun, record_job_run

    monkeypatch.setattr(status, "JOB_HISTORY", 3)
    for minute, outcome in enumerate(["ok", "ok", "error", "ok", "error"]):
        result = "RuntimeError('sink down')" if outcome == "error" else {"sent": minute}
        record_job_run(app, JobRun("notifications", "host:1:aaaaaa", utcnow() + timedelta(minutes=minute), 5 + minute,
                                   outcome, result, None))
    admin = officials.login("admin")
    page = admin.get("/admin/background/jobs/notifications")
    assert page.status_code == 200
    assert page.text.count('data-status="error"') == 2 and page.text.count('data-status="ok"') == 1  # the last 3
    assert "sink down" in page.text
    index = admin.get("/admin/background").text
    assert 'href="/admin/background/jobs/notifications"' in index and 'title="lỗi trong 24 giờ qua">2<' in index
    assert admin.get("/admin/background/jobs/no-such-job").status_code == 404
