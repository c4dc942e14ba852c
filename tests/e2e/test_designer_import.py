"""Browser: a Camunda 8 file with an unconvertible FEEL condition imports with its report beside the diagram."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "foreign"


def test_import_report_sits_beside_the_diagram_and_highlights_elements(sessions):
    page = sessions("designer").page
    page.goto("/designer/import")
    page.set_input_files("#bpmn-file", str(FOREIGN / "camunda8_feel_range_function.bpmn"))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_selector("#import-diagram[data-rendered='1']")
    blockers = page.locator("#conversion-report li.finding-blocker")
    assert blockers.count() == 2
    assert "= age in [18..65]" in blockers.first.locator("code.original").inner_text()
    assert blockers.first.locator(".message").inner_text().startswith("Không chuyển được điều kiện FEEL")
    assert page.locator("#import-diagram [data-element-id='Flow_yes'].late").count() == 1  # marked on load
    blockers.first.click()
    page.wait_for_selector("#import-diagram[data-focused='Flow_yes']")
    assert page.locator("#import-diagram [data-element-id='Flow_yes'].current").count() == 1
    box_diagram = page.locator("#import-diagram").bounding_box()
    box_report = page.locator("#conversion-report").bounding_box()
    assert box_report["x"] >= box_diagram["x"] + box_diagram["width"] - 1  # beside, not below


def test_converted_juel_file_becomes_a_draft_with_the_original_kept(sessions):
    page = sessions("designer").page
    page.goto("/designer/import")
    page.set_input_files("#bpmn-file", str(FOREIGN / "camunda7_juel_boolean.bpmn"))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    converted = page.locator("#conversion-report li.finding-converted")
    assert converted.locator("code.original").all_inner_texts() == ["${approved}", "${!approved}"]
    assert converted.locator("code.converted").all_inner_texts() == ["approved", "not approved"]
    assert "bản nháp v1 của c7_leave" in page.locator("#import-report .alert-success").inner_text()


def test_a_diagram_without_layout_is_laid_out_automatically(sessions):
    page = sessions("designer").page
    page.goto("/designer/import")
    page.set_input_files("#bpmn-file", str(FOREIGN / "visio_descriptive_no_layout.bpmn"))
    page.get_by_label("Đánh dấu quy trình mô tả là thực thi được").check()
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_selector("#import-diagram[data-rendered='1']")
    assert page.locator("#import-diagram").get_attribute("data-auto-layout") == "1"
    for element_id in ("v1", "v2", "v3"):
        assert page.locator(f"#import-diagram .djs-shape[data-element-id='{element_id}']").count() == 1


def test_the_editor_lays_out_an_imported_draft_without_layout(sessions):
    page = sessions("designer").page
    page.goto("/designer/import")
    page.set_input_files("#bpmn-file", str(FOREIGN / "camunda7_lanes_no_layout.bpmn"))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.get_by_role("link", name="Mở trình soạn thảo").click()
    page.wait_for_selector("body[data-designer-ready='true']")
    for element_id in ("StartEvent_1", "Task_receive", "Task_certify", "End_1"):
        assert page.locator(f"#designer-canvas .djs-shape[data-element-id='{element_id}']").count() == 1
    # The pool and its lanes are laid out too, each step inside the lane of whoever does it.
    placed = page.evaluate(PLACEMENT)
    assert set(placed["lanes"]) == {"Lane_counter", "Lane_officer"} and placed["pool"]
    assert placed["inside"] == {"StartEvent_1": "Lane_counter", "Task_receive": "Lane_counter",
                                "End_1": "Lane_counter", "Task_certify": "Lane_officer"}
    assert not placed["overlaps"], placed["overlaps"]


PLACEMENT = """() => {
  const registry = window.motcuaModeler.get('elementRegistry');
  const lanes = registry.filter((e) => e.type === 'bpmn:Lane');
  const nodes = registry.filter((e) => e.type !== 'label' && !e.waypoints && e.type !== 'bpmn:Lane'
    && e.type !== 'bpmn:Participant' && e.parent);
  const within = (n, l) => n.x >= l.x && n.x + n.width <= l.x + l.width
    && n.y >= l.y && n.y + n.height <= l.y + l.height;
  const inside = {};
  nodes.forEach((n) => { const l = lanes.find((lane) => within(n, lane)); inside[n.id] = l ? l.id : null; });
  const overlaps = [];
  nodes.forEach((a, i) => nodes.slice(i + 1).forEach((b) => {
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
      overlaps.push([a.id, b.id]);
    }
  }));
  return { lanes: lanes.map((l) => l.id), pool: registry.filter((e) => e.type === 'bpmn:Participant').length === 1,
           inside, overlaps };
}"""
