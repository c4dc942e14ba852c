"""The process diagram on the dossier and task pages (issue 14.10): bpmn-js NavigatedViewer (zoom and pan), fitted
to its frame, the current step marked, the supplement wait marked while the dossier waits, lane labels apart."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot
from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser

COMMENDATION = "1.000775"
VIEWBOX = "() => { const m = document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix; " \
    "return [m.e, m.f, m.a]; }"  # translation and scale of the canvas


def _open(page, url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("#diagram[data-rendered]")
    return page.locator("#diagram")


def _boxes(page, selector):
    return page.evaluate("""s => [...document.querySelectorAll(s)].map(e => {
        const r = e.getBoundingClientRect(); return {id: e.closest('[data-element-id]').dataset.elementId,
        x: r.x, y: r.y, w: r.width, h: r.height}; })""", selector)


def test_the_diagram_fits_zooms_and_pans(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    current = desk.task(dossier, "appraisal").bpmn_id
    page = sessions("chuyenvien.snv").page
    diagram = _open(page, f"/dossiers/{dossier.code}")
    expect(diagram.locator(f'.djs-element.current[data-element-id="{current}"]')).to_have_count(1)
    frame = diagram.bounding_box()
    assert frame["height"] >= 360 and frame["width"] >= 700
    pool = _boxes(page, "#diagram .djs-element[data-element-id^='Participant'] > .djs-visual")[0]
    assert pool["w"] >= 0.85 * frame["width"] or pool["h"] >= 0.85 * frame["height"]  # fitted, not a thumbnail
    assert frame["x"] - 1 <= pool["x"] and pool["x"] + pool["w"] <= frame["x"] + frame["width"] + 1

    before = page.evaluate(VIEWBOX)
    page.get_by_role("button", name="Phóng to").click()
    zoomed = page.evaluate(VIEWBOX)
    assert zoomed[2] > before[2]  # a larger scale: zoomed in
    diagram.scroll_into_view_if_needed()
    frame = diagram.bounding_box()
    page.mouse.move(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)
    page.mouse.down()
    page.mouse.move(frame["x"] + frame["width"] / 2 - 200, frame["y"] + frame["height"] / 2, steps=5)
    page.mouse.up()
    panned = page.evaluate(VIEWBOX)
    assert panned[0] < zoomed[0] - 100  # dragged to the left: the view moved
    page.get_by_role("button", name="Vừa khung").click()
    assert abs(page.evaluate(VIEWBOX)[2] - before[2]) < 0.01


def test_the_task_page_shows_the_diagram_with_its_step(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    task = desk.task(dossier, "appraisal")
    page = sessions("chuyenvien.snv").page
    page.goto("/inbox/?tab=queue")
    page.locator("tr", has_text=dossier.code).get_by_role("button", name="Nhận xử lý").click()
    page.wait_for_url(f"**/tasks/{task.id}")
    diagram = _open(page, page.url)
    expect(diagram.locator(f'.djs-element.current[data-element-id="{task.bpmn_id}"]')).to_have_count(1)


def test_the_supplement_wait_is_marked_while_the_dossier_waits(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu có chứng thực")
    page = sessions("tiepnhan").page
    diagram = _open(page, f"/dossiers/{dossier.code}")
    expect(diagram.locator('.djs-element.waiting[data-element-id="supplement_received"]')).to_have_count(1)
    expect(diagram.locator(".djs-element.current")).to_have_count(0)
    expect(page.locator(".legend")).to_contain_text("chờ bổ sung")
    shot(page, "diagram_waiting_supplement")


@pytest.mark.parametrize("procedure", [WORK_PERMIT, COMMENDATION])
def test_lane_labels_stay_inside_their_lanes(sessions, desk, procedure):
    dossier = desk.receive(procedure).dossier
    page = sessions("admin").page
    _open(page, f"/dossiers/{dossier.code}")
    band = 30 * page.evaluate(VIEWBOX)[2]  # the label band of a lane, 30 model units, on screen
    lanes = {b["id"]: b for b in _boxes(page, "#diagram .djs-element[data-element-id^='Lane'] > .djs-visual > rect")}
    labels = _boxes(page, "#diagram .djs-element[data-element-id^='Lane'] > .djs-visual > text")
    assert len(labels) == len(lanes) >= 4
    for label in labels:
        lane = lanes[label["id"]]
        assert lane["y"] - 3 <= label["y"] and label["y"] + label["h"] <= lane["y"] + lane["h"] + 3, label["id"]
        assert lane["x"] - 1 <= label["x"] and label["x"] + label["w"] <= lane["x"] + band + 1, \
            f"{label['id']} spills out of its band: {label} {lane} {band}"
    shot(page, f"diagram_lanes_{procedure}")
