"""The statistics dashboard in Chromium: ECharts draws a chart above each table, the filter lands in the URL."""
from __future__ import annotations

import pytest


@pytest.mark.browser
def test_leader_opens_the_dashboard_and_filters_by_procedure(sessions, desk):
    desk.receive("1.014199")
    session = sessions("lanhdao.snv")
    page = session.page
    page.goto("/thong-ke/")
    page.wait_for_selector('.stats-chart[data-chart="agency"][data-ready="1"] svg', timeout=20000)
    assert page.locator("#stats-cards [data-measure=total]").inner_text() == "1"
    assert page.locator("#stats-agency tbody tr").count() >= 1
    page.get_by_label("Thủ tục").select_option("1.014199")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url("**procedure=1.014199**")
    assert page.locator("#stats-procedure tbody tr").count() == 1
    assert "1.014199" in page.locator("#stats-procedure tbody tr").inner_text()
