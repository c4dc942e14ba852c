"""The process heatmap in Chromium: bpmn-js draws the version's diagram, a coloured overlay on each measured step."""
from __future__ import annotations

import pytest


@pytest.mark.browser
def test_leader_opens_the_dashboard_then_the_heatmap(sessions, desk):
    dossier = desk.receive("1.014199").dossier
    desk.complete(dossier, "appraisal")
    session = sessions("lanhdao.snv")
    page = session.page
    page.goto("/thong-ke/")
    page.wait_for_selector('.stats-chart[data-chart="agency"][data-ready="1"] svg', timeout=20000)
    page.goto(f"/thong-ke/quy-trinh?version={dossier.process_version_id}")
    page.wait_for_selector('#heatmap[data-rendered="1"]', timeout=20000)
    overlay = page.locator('.heat-overlay[data-step="appraisal"]')
    assert overlay.count() == 1 and overlay.inner_text().startswith("p50 ")
    assert overlay.get_attribute("data-colour") == "green"  # done within minutes of a 7-day budget
    fill = page.evaluate("""() => document.querySelector('[data-element-id="appraisal"] .djs-visual > rect')
                            .style.fill""")
    assert fill == "rgb(209, 231, 221)"
    assert page.locator('#heatmap-steps tr[data-step="appraisal"]').count() == 1
