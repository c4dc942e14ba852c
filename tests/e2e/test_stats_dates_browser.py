"""The statistics filters in Chromium: the dates are typed and shown as dd/mm/yyyy (not the browser's mm/dd)."""
from __future__ import annotations

import pytest


@pytest.mark.browser
def test_leader_types_the_period_as_dd_mm_yyyy(sessions):
    page = sessions("lanhdao.snv").page
    page.goto("/thong-ke/xep-hang")
    assert page.locator("#from").get_attribute("placeholder") == "dd/mm/yyyy"
    page.fill("#from", "01/03/2026")
    page.fill("#to", "31/03/2026")
    page.click('#scorecard-filter button[type="submit"]')
    page.wait_for_url("**/thong-ke/xep-hang?*")
    assert "from=01%2F03%2F2026" in page.url and "to=31%2F03%2F2026" in page.url
    assert page.locator("#from").input_value() == "01/03/2026"
    page.fill("#from", "31/02/2026")
    page.click('#scorecard-filter button[type="submit"]')
    page.wait_for_selector('.invalid-feedback[data-error="from"]')
    assert page.locator('.invalid-feedback[data-error="from"]').inner_text() == \
        "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."
    assert page.locator("#from").input_value() == "31/02/2026"
