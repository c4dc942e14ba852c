"""Browser: a designer edits work_permit in bpmn-js, is stopped by server validation, deploys, diffs and migrates."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.workflow.models import ProcessVersion

pytestmark = pytest.mark.browser

ADD_TASK = """() => {
  const m = window.motcuaModeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const lane = registry.get('Lane_work_permit_specialist'), appraisal = registry.get('appraisal');
  const task = modeling.createShape({ type: 'bpmn:UserTask' },
    { x: appraisal.x - 90, y: appraisal.y + appraisal.height / 2 }, registry.get('Participant_work_permit'));
  modeling.updateProperties(task, { id: 'check_documents', name: 'Kiểm tra thành phần hồ sơ' });
  const flow = registry.get('Flow_intake__appraisal');
  modeling.reconnectEnd(flow, task, { x: task.x + 10, y: task.y + task.height / 2 });
  modeling.connect(task, appraisal, { type: 'bpmn:SequenceFlow' });
  return lane.businessObject.flowNodeRef.map((node) => node.id);
}"""

BREAK_CONDITION = """() => {
  const m = window.motcuaModeler;
  const flow = m.get('elementRegistry').get('Flow_gw_appraisal__return_result');
  const body = 'decision == = "refuse"';
  const conditionExpression = m.get('moddle').create('bpmn:FormalExpression', { body });
  m.get('modeling').updateProperties(flow, { conditionExpression });
}"""


def select_element(page, element_id: str) -> None:
    page.evaluate("(id) => { const m = window.motcuaModeler; "
                  "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
    header = page.locator("[data-group-id='group-motcua'] .bio-properties-panel-group-header")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def set_text(page, name: str, value: str) -> None:
    field = page.locator(f"#bio-properties-panel-motcua-{name}")
    field.fill(value)
    field.press("Tab")


def test_designer_adds_a_step_deploys_it_and_migrates_running_dossiers(sessions, desk):
    dossiers = [desk.receive("1.014199").dossier.code for _ in range(2)]
    v1 = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "work_permit"))
    db.session.remove()
    designer = sessions("designer")
    page = designer.page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto("/designer/")
    assert page.locator("section[aria-labelledby='m-work_permit'] tr[data-version='1'] .running").inner_text() == "2"
    page.goto("/designer/models/work_permit/edit")
    page.wait_for_selector("body[data-designer-ready='true']")

    lane_nodes = page.evaluate(ADD_TASK)
    assert "check_documents" in lane_nodes
    select_element(page, "check_documents")
    set_text(page, "form_key", "work_permit/appraisal")
    page.locator("#bio-properties-panel-motcua-step_kind").select_option("appraisal")
    set_text(page, "duration_days", "0.5")
    select_element(page, "appraisal")
    set_text(page, "duration_days", "6.5")  # 7-day appraisal minus the new 0.5-day check

    page.evaluate(BREAK_CONDITION)
    page.get_by_role("button", name="Lưu bản nháp").click()
    issue = page.locator("#designer-issues li[data-element-id='Flow_gw_appraisal__return_result']")
    issue.wait_for()
    assert "condition" in issue.inner_text()
    assert page.locator(".designer-issue[data-element-id='Flow_gw_appraisal__return_result']").count() == 1

    page.evaluate("() => window.motcuaModeler.get('commandStack').undo()")
    page.get_by_label("Ghi chú thay đổi").fill("Thêm bước kiểm tra thành phần hồ sơ")
    page.get_by_role("button", name="Triển khai").click()
    page.wait_for_selector("#designer-status:has-text('Đã triển khai v2')")
    assert page.locator("#designer-issues li.text-danger").count() == 0

    v2 = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "work_permit",
                                                        ProcessVersion.number == 2))
    assert v2.status == "published" and 'name="duration_days" value="0.5"' in v2.xml
    v1_id, v2_id = v1.id, v2.id
    db.session.remove()

    page.goto(f"/designer/diff?old={v1_id}&new={v2_id}")
    page.wait_for_selector("body[data-diff]")
    diff = json.loads(page.locator("body").get_attribute("data-diff"))
    assert "check_documents" in diff["added"]
    assert page.locator("#diff-new .diff-added[data-element-id='check_documents']").count() == 1
    assert page.locator("#engine-plan dd.added").inner_text() == "check_documents"
    assert re.search(r"2 chuyển được, 0 không", page.locator("#dry-run-summary").inner_text())

    page.get_by_role("link", name=re.compile("Chuyển hồ sơ sang v2")).click()
    page.get_by_role("button", name="Chuyển 2 hồ sơ").click()
    page.wait_for_selector("#batch-progress[data-status='done']")
    page.reload()
    assert page.locator("#batch-items tr[data-status='migrated']").count() == 2

    official = sessions("chuyenvien.snv").page
    for code in dossiers:
        official.goto(f"/dossiers/{code}")
        assert "phiên bản 2" in official.locator("#diagram-title").inner_text()


def test_importing_a_camunda_file_names_what_is_unsupported(sessions, tmp_path):
    path = tmp_path / "camunda.bpmn"
    path.write_text(CAMUNDA_MODEL, encoding="utf-8")
    page = sessions("designer").page
    page.goto("/designer/import")
    page.set_input_files("#bpmn-file", str(path))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    assert page.locator("#import-report li.unsupported").all_inner_texts() == ["bpmn:complexGateway"]


CAMUNDA_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn"
  exporter="Camunda Modeler" exporterVersion="5.0.0">
  <bpmn:process id="camunda_demo" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review" camunda:assignee="demo">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:complexGateway id="cg">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:complexGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="cg"/>
    <bpmn:sequenceFlow id="f3" sourceRef="cg" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_editor_speaks_vietnamese_keeps_the_start_event_clear_and_tracks_the_version(sessions):
    page = sessions("designer").page
    page.goto("/designer/models/work_permit/edit")
    page.wait_for_selector("body[data-designer-ready='true']")
    assert page.locator("#designer-version").inner_text().startswith("v1 · Đã triển khai")
    palette = page.locator("#designer-canvas .djs-palette").bounding_box()
    start = page.locator("#designer-canvas .djs-element.djs-shape[data-element-id='start']").bounding_box()
    assert start["x"] >= palette["x"] + palette["width"]  # the palette does not cover the start event
    assert page.locator(".djs-palette .entry[aria-label='Tạo công việc']").count() == 1
    assert page.locator(".djs-palette .entry[aria-label='Công cụ kéo sơ đồ']").count() == 1
    page.evaluate("""() => {
      const m = window.motcuaModeler, registry = m.get('elementRegistry');
      m.get('modeling').createShape({ type: 'bpmn:Task' }, { x: 400, y: 40 }, registry.get('Participant_work_permit'));
    }""")
    messages = page.evaluate("""() => window.motcuaModeler.get('linting').lint()
      .then((issues) => Object.values(issues).flat().map((issue) => issue.message))""")
    assert "Phần tử chưa có nhãn/tên" in messages and not any("missing" in m for m in messages)

    page.evaluate("() => window.motcuaModeler.get('commandStack').undo()")
    page.evaluate("""() => { const m = window.motcuaModeler;
      m.get('modeling').updateLabel(m.get('elementRegistry').get('appraisal'), 'Thẩm định hồ sơ (sửa)'); }""")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_selector("#designer-version[data-number='2']")
    assert page.locator("#designer-version").inner_text() == "v2 · Bản nháp"
    page.get_by_label("Ghi chú thay đổi").fill("Sửa tên bước thẩm định")
    page.get_by_role("button", name="Triển khai").click()
    page.wait_for_selector("#designer-status:has-text('Đã triển khai v2')")
    assert page.locator("#designer-version").inner_text() == "v2 · Đã triển khai"
