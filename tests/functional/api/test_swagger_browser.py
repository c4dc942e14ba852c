"""The Swagger UI page renders every operation in Chromium under the strict CSP (no inline script, no CDN)."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.browser
def test_swagger_ui_lists_the_operations_without_script_errors(live_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in m.text
                and "404" not in m.text else None)
        page.goto(f"{live_url}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        assert page.locator(".opblock").count() == 20 and errors == []
        browser.close()
