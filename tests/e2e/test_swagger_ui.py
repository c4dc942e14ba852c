"""The Swagger UI page renders every operation in Chromium under the strict CSP (no inline script, no CDN)."""
from __future__ import annotations

import pytest


@pytest.mark.browser
def test_swagger_ui_lists_the_operations_without_script_errors(browser, live_server):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in m.text
            and "404" not in m.text else None)
    page.goto(f"{live_server}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() == 24 and errors == []  # with GET /stats/scorecard
    page.close()
