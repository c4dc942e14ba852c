"""Model code runs in sandbox workers in the app: an over-budget step is a 422 and changes nothing (issue 13.3)."""
from __future__ import annotations

import json
import time

import pytest

from app.core.db import utcnow
from app.core.errors import ValidationError
from app.workflow import services as workflow
from app.workflow.models import ProcessInstance

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="budget_check" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Xem xét"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="attack" name="Tính phí"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>fee = pow(7, 1 &lt;&lt; 63999, (1 &lt;&lt; 63999) - 1)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="attack" />
    <bpmn:sequenceFlow id="f3" sourceRef="attack" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


class TestSandboxInTheApp:
    def test_app_runs_model_code_in_worker_processes_by_default(self, app):
        assert app.config["SANDBOX"] == "process"
        assert workflow.get_engine().sandbox.mode == "process"

    def test_step_over_budget_is_a_bilingual_422_and_the_state_is_unchanged(self, app):
        version, _ = workflow.deploy_model("designer", MODEL, "budget_check.bpmn")
        start = workflow.get_engine().start(version.content_hash, "budget_check", {"amount": 1})
        instance = ProcessInstance(dossier_id=1, process_version_id=version.id,
                                   state_json=json.dumps(start.state), serializer_version="")
        instance.model_hash = version.content_hash
        before = instance.state_json
        started = time.monotonic()
        with pytest.raises(ValidationError) as info:
            workflow.complete_task(instance, start.ready_tasks[0].id, {}, utcnow())
        assert time.monotonic() - started < 5
        assert info.value.status == 422
        assert "time budget" in info.value.message_en and "kịch bản" in info.value.message_vi
        assert instance.state_json == before
        again = workflow.get_engine().start(version.content_hash, "budget_check", {"amount": 2})
        assert again.ready_tasks[0].bpmn_id == "review"
