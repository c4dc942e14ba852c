"""Engine lifecycle on the work permit procedure: start, complete, views, state, fingerprints."""
from __future__ import annotations

import copy
import json
import threading

import pytest

from engine import Engine, EngineError, ModelRegistry, ScriptError, TaskNotReadyError

STEPS = ["intake", "appraisal", "approval", "stamping", "return_result"]


def run_work_permit(engine: Engine, flow, model_hash: str, eligible: bool = True):
    """Drive the work permit through all its steps, returning every StepResult."""
    results = [engine.start(model_hash, "work_permit", {"applicant": "Nguyễn Văn A"})]
    while not results[-1].is_completed:
        bpmn_id = flow.ready(results[-1])[0]
        results.append(flow.complete(results[-1], bpmn_id, {"eligible": eligible, f"{bpmn_id}_note": "ok"}))
    return results


class TestStartInstance:
    def test_start_reports_first_task_ready_with_its_role(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        version = load("work_permit.bpmn")
        result = engine.start(version.hash, "work_permit", {"applicant": "A"})
        assert flow.kinds(result) == ["task_ready"]
        [task] = result.ready_tasks
        assert (task.bpmn_id, task.role, task.step_kind) == ("intake", "receiver", "intake")
        assert task.form_key == "work_permit/intake"
        assert task.data == {"applicant": "A"}
        assert result.state["model_hash"] == version.hash
        assert result.state["process_id"] == "work_permit"
        assert result.state["serializer_version"] == 1
        assert not result.is_completed
        assert_roundtrip(result.state)

    def test_start_uses_main_process_when_process_id_is_none(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        result = engine.start(load("work_permit.bpmn").hash, None, {})
        assert flow.ready(result) == ["intake"]
        assert_roundtrip(result.state)

    def test_start_fails_when_data_is_not_storable(self, engine: Engine, load) -> None:
        with pytest.raises(EngineError, match="cannot be stored"):
            engine.start(load("work_permit.bpmn").hash, "work_permit", {"f": object()})


class TestCompleteTask:
    def test_work_permit_runs_through_all_five_steps(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        results = run_work_permit(engine, flow, load("work_permit.bpmn").hash)
        assert [r.events[0].bpmn_id for r in results[1:]] == STEPS
        assert flow.kinds(results[-1]) == ["task_completed", "instance_completed"]
        assert results[-1].ready_tasks == []
        completed = results[1].events[0]
        assert completed.data == {"data": {"eligible": True, "intake_note": "ok"}, "actor": "tester"}
        for result in results:
            assert_roundtrip(result.state)

    def test_refusal_skips_approval_and_stamping(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        results = run_work_permit(engine, flow, load("work_permit.bpmn").hash, eligible=False)
        assert [r.events[0].bpmn_id for r in results[1:]] == ["intake", "appraisal", "return_result"]
        assert_roundtrip(results[-1].state)

    def test_state_of_work_permit_stays_under_4kb(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        results = run_work_permit(engine, flow, load("work_permit.bpmn").hash)
        sizes = [len(json.dumps(r.state, ensure_ascii=False).encode()) for r in results]
        assert max(sizes) < 4096, sizes
        assert_roundtrip(results[-1].state)

    def test_a_step_sent_back_is_reported_reopened_and_a_first_one_is_not(
            self, engine: Engine, load, flow, assert_roundtrip) -> None:
        start = engine.start(load("send_back.bpmn").hash, "send_back", {})
        approval = flow.complete(start, "appraisal")
        back = flow.complete(approval, "approval", {"decision": "reject"})
        assert [(t.bpmn_id, t.reopened) for t in start.ready_tasks + approval.ready_tasks + back.ready_tasks] == [
            ("appraisal", False), ("approval", False), ("appraisal", True)]
        again = flow.complete(back, "appraisal")
        assert [(t.bpmn_id, t.reopened) for t in again.ready_tasks] == [("approval", True)]
        assert flow.complete(again, "approval", {"decision": "ok"}).is_completed
        assert_roundtrip(again.state)

    def test_complete_fails_when_task_is_not_ready(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        after = flow.complete(start, "intake")
        with pytest.raises(TaskNotReadyError) as info:
            engine.complete_task(after.state, start.ready_tasks[0].id, {})
        assert info.value.element_id == "intake"
        assert_roundtrip(after.state)

    @pytest.mark.parametrize("task_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
    def test_complete_fails_when_task_does_not_exist(
        self, engine: Engine, load, task_id: str, assert_roundtrip,
    ) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        with pytest.raises(TaskNotReadyError):
            engine.complete_task(start.state, task_id, {})
        assert_roundtrip(start.state)

    def test_complete_never_mutates_the_state_it_was_given(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {"nested": {"a": [1]}})
        frozen = copy.deepcopy(start.state)
        after = flow.complete(start, "intake", {"nested": {"a": [1, 2]}})
        assert start.state == frozen
        assert after.state != frozen
        assert_roundtrip(after.state)

    def test_complete_by_bpmn_id_picks_the_ready_task_of_that_element(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        result = engine.complete_task_by_bpmn_id(start.state, "intake", {"x": 1})
        assert flow.ready(result) == ["appraisal"]
        with pytest.raises(TaskNotReadyError):
            engine.complete_task_by_bpmn_id(result.state, "intake", {})
        assert_roundtrip(result.state)

    def test_ready_tasks_matches_step_result(self, engine: Engine, load, assert_roundtrip) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {"a": 1})
        assert engine.ready_tasks(start.state) == start.ready_tasks
        assert_roundtrip(start.state)


class TestCancel:
    def test_cancel_ends_the_instance_without_ready_tasks(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        result = engine.cancel(start.state)
        assert flow.kinds(result) == ["instance_cancelled"]
        assert result.ready_tasks == [] and result.is_completed
        with pytest.raises(TaskNotReadyError):
            engine.complete_task(result.state, start.ready_tasks[0].id, {})
        assert_roundtrip(result.state)


class TestFingerprint:
    def test_fingerprint_is_identical_when_inputs_are_replayed(
        self, registry: ModelRegistry, clock, load, flow,
    ) -> None:
        version = load("work_permit.bpmn")
        first = run_work_permit(Engine(registry, clock=clock), flow, version.hash)
        replay_engine = Engine(registry, clock=clock)
        replay = [replay_engine.start(version.hash, "work_permit", {"applicant": "Nguyễn Văn A"})]
        for original in first[1:]:
            event = original.events[0]
            replay.append(replay_engine.complete_task_by_bpmn_id(replay[-1].state, event.bpmn_id, event.data["data"]))
        assert [r.state["wf"]["t"][0][0] for r in replay] != [r.state["wf"]["t"][0][0] for r in first]
        assert [replay_engine.state_fingerprint(r.state) for r in replay] == [
            replay_engine.state_fingerprint(r.state) for r in first
        ]

    def test_fingerprint_differs_when_data_differs(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        start = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        one = flow.complete(start, "intake", {"eligible": True})
        two = flow.complete(start, "intake", {"eligible": False})
        assert engine.state_fingerprint(one.state) != engine.state_fingerprint(two.state)
        assert_roundtrip(two.state)


class TestScriptIncident:
    def test_script_error_raises_with_element_line_and_keeps_old_state(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        start = engine.start(load("scripts.bpmn").hash, "scripts", {"amount": 5, "legal_days": 3, "applicant": "B"})
        frozen = copy.deepcopy(start.state)
        task = start.ready_tasks[0]
        with pytest.raises(ScriptError) as info:
            engine.complete_task(start.state, task.id, {"explode": True, "actor_name": "lan"})
        error = info.value
        assert (error.element_id, error.element_name, error.line) == ("boom", "Broken script", 2)
        assert "undefined_name" in error.message
        assert error.incident.kind == "incident"
        assert error.incident.data["line"] == 2
        assert start.state == frozen
        assert_roundtrip(start.state)

    def test_scripts_use_helpers_clock_and_pre_post_scripts(
        self, engine: Engine, load, flow, clock, assert_roundtrip,
    ) -> None:
        start = engine.start(load("scripts.bpmn").hash, "scripts", {"amount": 5, "legal_days": 3, "applicant": "B"})
        [task] = start.ready_tasks
        assert task.data["total"] == 51
        assert task.data["deadline"] == clock.start.replace(day=4)
        assert task.data["reviewed_by"] is None
        assert task.instructions == "Dossier of B: fee 51 VND"
        done = flow.complete(start, "review", {"explode": False, "actor_name": "lan"})
        assert done.is_completed
        assert_roundtrip(done.state)


class TestThreads:
    def test_engine_runs_in_worker_threads(self, engine: Engine, load, flow) -> None:
        version = load("scripts.bpmn")
        outcomes: list[object] = []

        def work() -> None:
            result = engine.start(version.hash, "scripts", {"amount": 1, "legal_days": 1, "applicant": "T"})
            outcomes.append(result.ready_tasks[0].data["total"])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == [11, 11, 11, 11]


def test_registry_loaded_from_bytes_matches_file(registry: ModelRegistry, read_bpmn) -> None:
    assert registry.load(read_bpmn("work_permit.bpmn")).main_process_id == "work_permit"
