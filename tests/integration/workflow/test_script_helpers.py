"""BPMN scripts can use the app's working-day calendar, injected into the engine's sandbox by the app."""
from __future__ import annotations

from app.calendar.script_helpers import working_days_after, working_hours_from
from app.workflow import services as workflow

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="deadline_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute" name="Tính hạn"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>site_visit_due = working_days_after(received, 2)
hours_used = working_hours_from(received, site_visit_due)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="visit" name="Kiểm tra thực địa">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="visit" />
    <bpmn:sequenceFlow id="f3" sourceRef="visit" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


class TestCalendarHelpersInScripts:
    def test_helpers_follow_the_official_calendar(self):
        # Friday 13/02/2026 before Tết: two working days later skips the whole Tết week (16–20/02).
        assert working_days_after("2026-02-13T10:00", 2) == "2026-02-24T10:00+07:00"
        assert working_hours_from("2026-02-13T10:00", "2026-02-24T10:00") == 16

    def test_a_script_task_computes_a_deadline_with_the_calendar(self, app):
        model = workflow.parse_model(MODEL, "deadline_check.bpmn")
        result = workflow.get_engine().start(model.hash, "deadline_check", {"received": "2026-02-13T10:00"})
        data = result.ready_tasks[0].data
        assert data["site_visit_due"] == "2026-02-24T10:00+07:00" and data["hours_used"] == 16
