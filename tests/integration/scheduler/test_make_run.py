"""`make run` as a new user meets it: the Procfile under honcho serves the web, runs the scheduler and delivers the
demo's notifications to the local sink it starts (issue 18: they used to stay 'đang chờ gửi' forever)."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (a local URL we built)
            return response.status, response.read()
    except OSError:
        return 0, b""


def wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    return None


@pytest.fixture
def run_env(tmp_path):
    """The environment `make run` gives the Procfile, on a fresh SQLite database and free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "FLASK_"))}
    env.update(PATH=f"{BIN}:{env.get('PATH', '')}", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
               MOTCUA_DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite'}", MOTCUA_SECRET_KEY="run-test",
               MOTCUA_WEB_PORT=str(free_port()), MOTCUA_SINK_HTTP_PORT=str(free_port()),
               MOTCUA_SINK_SMTP_PORT=str(free_port()), MOTCUA_SCHEDULER_INTERVAL="1")
    for args in (["db", "upgrade"], ["demo", "load", "--dossiers", "3"]):
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=240)
    return env


def test_make_run_serves_the_web_and_delivers_a_demo_receipt_sms_to_the_local_sink(run_env, tmp_path):
    log = tmp_path / "honcho.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen([str(BIN / "honcho"), "-f", "Procfile", "start"], cwd=ROOT, env=run_env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        web = f"http://127.0.0.1:{run_env['MOTCUA_WEB_PORT']}"
        sink = f"http://127.0.0.1:{run_env['MOTCUA_SINK_HTTP_PORT']}/messages"
        assert wait_for(lambda: get(f"{web}/login")[0] == 200, 90), log.read_text()

        def receipt_sms():
            status, body = get(sink)
            messages = json.loads(body) if status == 200 else []
            return [m for m in messages if m["channel"] == "sms" and "tiếp nhận lúc" in m["text"]]

        assert wait_for(receipt_sms, 90), log.read_text()
        honcho.send_signal(signal.SIGINT)  # one Ctrl-C stops every process
        honcho.wait(timeout=30)
        assert get(f"{web}/login")[0] == 0 and get(sink)[0] == 0
        output = log.read_text()
        for name in ("web.1", "scheduler.1", "notify-sink.1"):  # one log, each line prefixed with its process
            assert re.search(rf"^\S+ {re.escape(name)} +\| ", output, re.MULTILINE), output
        assert "spiff.task" not in output  # no per-task engine chatter on the console
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
