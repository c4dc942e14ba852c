"""Browser tests: Playwright drives Debian's chromium against a live server on 127.0.0.1 (same app and database)."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.functional.ui_world import DEMO_PASSWORD, Desk
from tests.world import load_world

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app from a thread for the whole session; each test empties the tables as usual."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole session; each test gets fresh contexts (separate cookies)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def world_loaded(app):
    from app.extensions import limiter

    limiter.reset()
    load_world()


@pytest.fixture
def desk(world_loaded):
    return Desk()


class Session:
    """A signed-in official (or an anonymous citizen) in their own browser context."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 768},
                                           locale="vi-VN")
        self.context.set_default_timeout(8000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def login(self, username: str) -> Session:
        self.page.goto("/login")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url("**/")
        return self


@pytest.fixture
def sessions(browser, live_server, world_loaded):
    opened: list[Session] = []

    def open_session(username: str | None = None) -> Session:
        session = Session(browser, live_server)
        opened.append(session)
        return session.login(username) if username else session

    yield open_session
    for session in opened:
        assert not session.errors, f"JavaScript errors: {session.errors}"
        session.context.close()
