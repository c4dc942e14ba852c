"""A real gunicorn (2 sync workers, 127.0.0.1, a free port) serving the worktree's code on the tests' database,
with crash points armable from a file (app/core/crashpoints.py): a worker can be SIGKILLed at a chosen line."""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.functional.api.conftest import token_for
from tests.functional.ui_world import DEMO_PASSWORD
from tests.integration.dossiers.conftest import Desk, clock, desk, local, official, world  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
START_SECONDS = 90  # cold start of two workers on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, crash_file: Path, env: dict[str, str]):
        self.port, self.crash_file, self.env = port, crash_file, env
        self.base = f"http://127.0.0.1:{port}"

    def arm(self, point: str, nth: int = 1) -> None:
        """The nth pass through crash_point(point), in whichever process gets there, SIGKILLs that process."""
        self.crash_file.write_text(f"{point} {nth}")

    @property
    def armed(self) -> bool:
        return self.crash_file.exists()

    def wait_ready(self, seconds: float = START_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready on {self.base} after {seconds}s")

    def api(self, method: str, path: str, username: str, body: dict | None = None) -> tuple[int, dict]:
        """One API call as `username` (bearer token); raises OSError/HTTPException if the worker dies under it."""
        request = urllib.request.Request(self.base + "/api/v1" + path, method=method,
                                         data=json.dumps(body or {}).encode() if method == "POST" else None,
                                         headers={"Authorization": f"Bearer {token(username)}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def browser(self, username: str) -> Browser:
        return Browser(self).login(username)


_tokens: dict[str, str] = {}


def token(username: str) -> str:
    """A personal API token issued through the tokens service (cached per test by the `tokens` fixture)."""
    if username not in _tokens:
        _tokens[username] = token_for(username)
    return _tokens[username]


class Browser:
    """A signed-in session over HTTP (cookies and the CSRF token), as the designer's pages are used."""

    def __init__(self, server: Server):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.server.base + path, timeout=60) as response:
            page = response.read().decode()
        found = re.search(r'name="csrf-token" content="([^"]+)"', page) or \
            re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        self.csrf = found.group(1) if found else self.csrf
        return page

    def post(self, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **(data or {})}).encode()
        try:
            with self.opener.open(self.server.base + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def login(self, username: str) -> Browser:
        self.get("/login")
        assert self.post("/login", {"username": username, "password": DEMO_PASSWORD}) == 200
        self.get("/")
        return self


@pytest.fixture
def tokens():
    _tokens.clear()
    yield token
    _tokens.clear()


def server_env(database_url: str, tmp: Path) -> dict[str, str]:
    return {**os.environ, "MOTCUA_DATABASE_URL": database_url, "MOTCUA_SECRET_KEY": "test-secret",
            "MOTCUA_ANCHOR_FILE": str(tmp / "anchors.jsonl"), "MOTCUA_TEST_CRASH_FILE": str(tmp / "crash-point"),
            "MOTCUA_LOG_LEVEL": "WARNING", "MOTCUA_SANDBOX_WORKERS": "1", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def gunicorn(app, database_url, tmp_path_factory):
    """`gunicorn wsgi:app` with 2 sync workers on the session's migrated test database (tests load the world)."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port, env = free_port(), server_env(database_url, tmp)
    log = (tmp / "gunicorn.log").open("w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    server = Server(port, tmp / "crash-point", env)
    try:
        server.wait_ready()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
