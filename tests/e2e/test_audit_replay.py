"""In a real browser: the auditor drags the replay slider over a dossier's history and the diagram follows."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser


@pytest.fixture
def dossier(desk):
    """A work permit received at the counter, appraised and approved: 4 events, waiting for stamping."""
    dossier = desk.receive(WORK_PERMIT).dossier
    desk.complete(dossier, "appraisal", opinion="Hồ sơ hợp lệ")
    desk.complete(dossier, "approval")
    db.session.refresh(dossier)
    return dossier


def token_on(page, element_id: str):
    return page.locator(f'#replay-canvas g.djs-element.replay-active[data-element-id="{element_id}"]')


def test_the_replay_slider_moves_tokens_panels_and_diffs_through_the_history(sessions, dossier):
    page = sessions("auditor").page
    page.goto(f"/audit/dossiers/{dossier.code}")
    expect(page.locator("#replay-canvas[data-rendered]")).to_have_count(1)
    slider = page.locator("#replay-slider")
    expect(slider).to_have_attribute("max", str(dossier.event_seq))

    # Latest event: the approval is done, the token waits at stamping.
    expect(page.locator('.replay-frame[data-index="4"]')).to_be_visible()
    expect(token_on(page, "stamping")).to_have_count(1)
    expect(page.locator('.replay-token[data-token="stamping"]')).to_be_visible()

    # Back to the receipt: only the intake step was open.
    slider.fill("1")
    expect(page.locator('.replay-frame[data-index="1"]')).to_be_visible()
    expect(page.locator('.replay-frame[data-index="4"]')).to_be_hidden()
    expect(token_on(page, "intake")).to_have_count(1)
    expect(token_on(page, "stamping")).to_have_count(0)
    expect(page.locator("#replay-position")).to_have_text("Sự kiện 1 / 4")

    # Step forward with the button: the appraisal opinion appears in the data diff with who and how long.
    page.locator("#replay-next").click()
    page.locator("#replay-next").click()
    frame = page.locator('.replay-frame[data-index="3"]')
    expect(frame).to_be_visible()
    expect(token_on(page, "approval")).to_have_count(1)
    expect(frame.locator("tr.diff-added", has_text="opinion")).to_contain_text("Hồ sơ hợp lệ")
    expect(frame).to_contain_text("Chạy lại khớp")
    expect(frame.locator(".step-timing")).to_contain_text("giờ làm việc")

    # Keyboard navigation works too.
    page.locator("body").press("ArrowLeft")
    expect(page.locator('.replay-frame[data-index="2"]')).to_be_visible()
    expect(token_on(page, "appraisal")).to_have_count(1)

    # A long model stays readable: the diagram pans and zooms (bpmn-js' NavigatedViewer).
    viewport = page.locator("#replay-canvas g.viewport")
    before = viewport.get_attribute("transform")
    page.locator("#replay-canvas").hover()
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    expect(viewport).not_to_have_attribute("transform", before or "")


def test_the_verify_button_reports_an_intact_chain(sessions, dossier):
    page = sessions("auditor").page
    page.goto(f"/audit/dossiers/{dossier.code}")
    page.locator("#verify-chain").click()
    expect(page.locator(".alert-success")).to_contain_text("toàn vẹn")
    page.locator("#reexecute").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã xác minh")
