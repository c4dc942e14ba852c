"""Motcua lint rules on small hand-written models (each rule: passing and failing case), and on the real models."""
from __future__ import annotations

import pytest

from app.designer.lint import lint_model
from tests.integration.designer.variants import ROOT

FIVE = [("t1", "intake", "0.5", "receiver"), ("t2", "appraisal", "3", "specialist"), ("t3", "approval", "1", "leader"),
        ("t4", "stamping", "0.25", "clerk"), ("t5", "return", "0.25", "receiver")]


def props(**values: str) -> str:
    items = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in values.items())
    return ("<bpmn:extensionElements><spiffworkflow:properties>"
            f"{items}</spiffworkflow:properties></bpmn:extensionElements>")


def model(tasks=FIVE, legal_days: str | None = "5", lanes: dict[str, str | None] | None = None,
          unlaned: tuple[str, ...] = (), flows: list[tuple[str, str]] | None = None) -> str:
    """A linear one-stop procedure: start → tasks in order → end, one lane per role."""
    roles = lanes if lanes is not None else {role: role for *_, role in tasks}
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{name}" name="{name}">{props(role=role) if role else ""}'
        + "".join(f"<bpmn:flowNodeRef>{tid}</bpmn:flowNodeRef>" for tid, _k, _d, r in tasks
                  if r == name and tid not in unlaned) + "</bpmn:lane>" for name, role in roles.items())
    task_xml = "".join(f'<bpmn:userTask id="{tid}" name="{tid}">{props(step_kind=kind, duration_days=days)}'
                       "</bpmn:userTask>" for tid, kind, days, _r in tasks)
    ids = ["start", *(t[0] for t in tasks), "end"]
    pairs = flows if flows is not None else list(zip(ids, ids[1:], strict=False))
    flow_xml = "".join(f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
                       for n, (a, b) in enumerate(pairs))
    process_props = props(procedure_code="1.014199", **({"legal_days": legal_days} if legal_days else {}))
    return ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">'
            f'<bpmn:process id="p" isExecutable="true">{process_props}<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>'
            f'<bpmn:startEvent id="start"/>{task_xml}<bpmn:endEvent id="end"/>{flow_xml}'
            "</bpmn:process></bpmn:definitions>")


def rules(xml: str) -> list[tuple[str, str | None]]:
    return [(f.rule, f.element_id) for f in lint_model(xml)]


class TestRealModels:
    @pytest.mark.parametrize("path", sorted((ROOT / "bpmn").glob("*.bpmn")), ids=lambda p: p.stem)
    def test_every_shipped_model_passes_all_rules(self, path):
        assert lint_model(path.read_bytes()) == []


class TestLaneRole:
    def test_tasks_in_lanes_with_known_roles_pass(self):
        assert rules(model()) == []

    def test_task_outside_every_lane_is_reported_on_the_task(self):
        assert rules(model(unlaned=("t3",))) == [("lane-role", "t3")]

    def test_lane_without_role_is_reported_on_its_tasks(self):
        lanes = {"receiver": "receiver", "specialist": None, "leader": "leader", "clerk": "clerk"}
        assert rules(model(lanes=lanes)) == [("lane-role", "t2")]

    def test_unknown_role_is_reported(self):
        lanes = {"receiver": "receiver", "specialist": "inspector", "leader": "leader", "clerk": "clerk"}
        findings = lint_model(model(lanes=lanes))
        assert [(f.rule, f.element_id) for f in findings] == [("lane-role", "t2")]
        assert "inspector" in findings[0].message_en


class TestStepKinds:
    def test_missing_step_kind_is_reported_on_the_process(self):
        tasks = [t for t in FIVE if t[1] != "stamping"]
        tasks[2] = ("t3", "approval", "1.25", "leader")
        findings = lint_model(model(tasks))
        assert [(f.rule, f.element_id) for f in findings] == [("step-kinds", "p")]
        assert "stamping" in findings[0].message_en

    def test_steps_out_of_order_are_reported_on_the_early_step(self):
        tasks = [FIVE[0], FIVE[2], FIVE[1], FIVE[3], FIVE[4]]
        assert rules(model(tasks)) == [("step-kinds", "t3")]

    def test_unknown_step_kind_is_reported(self):
        tasks = [*FIVE[:4], ("t5", "handover", "0.25", "receiver"), ("t6", "return", "0", "receiver")]
        assert rules(model(tasks)) == [("step-kinds", "t5")]

    def test_loop_back_flows_do_not_count_twice(self):
        ids = ["start", "t1", "t2", "t3", "t4", "t5", "end"]
        flows = [*zip(ids, ids[1:], strict=False), ("t3", "t2")]
        assert rules(model(flows=flows)) == []


class TestDurations:
    def test_durations_summing_to_legal_days_pass(self):
        assert rules(model(legal_days="5")) == []

    def test_durations_not_summing_to_legal_days_are_reported(self):
        findings = lint_model(model(legal_days="7"))
        assert [(f.rule, f.element_id) for f in findings] == [("durations", "p")]
        assert "sum to 5" in findings[0].message_en and "7" in findings[0].message_en

    def test_missing_legal_days_is_reported(self):
        assert rules(model(legal_days=None)) == [("durations", "p")]

    def test_only_the_longest_parallel_branch_counts(self):
        tasks = [*FIVE[:2], ("t2b", "appraisal", "2", "specialist"), *FIVE[2:]]
        flows = [("start", "t1"), ("t1", "fork"), ("fork", "t2"), ("fork", "t2b"), ("t2", "join"), ("t2b", "join"),
                 ("join", "t3"), ("t3", "t4"), ("t4", "t5"), ("t5", "end")]
        xml = model(tasks, flows=flows).replace(
            '<bpmn:endEvent id="end"/>',
            '<bpmn:endEvent id="end"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>')
        assert rules(xml) == []
