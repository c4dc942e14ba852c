"""BPMN coverage: each construct on a small diagram from tests/bpmn, ending with a round-trip check."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Engine, EventNotAwaitedError


class TestGateways:
    @pytest.mark.parametrize("amount, branch", [(150, "big"), (100, "small")])
    def test_exclusive_gateway_follows_condition_or_default(
        self, engine: Engine, load, flow, assert_roundtrip, amount, branch,
    ) -> None:
        result = engine.start(load("exclusive.bpmn").hash, "exclusive", {"amount": amount})
        assert flow.ready(result) == [branch]
        done = flow.complete(result, branch)
        assert done.is_completed
        assert_roundtrip(done.state)

    def test_parallel_gateway_waits_for_both_branches(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("parallel.bpmn").hash, "parallel", {})
        assert flow.ready(result) == ["a", "b"]
        result = flow.complete(result, "b", {"police": "clean"})
        assert flow.ready(result) == ["a"]
        result = flow.complete(result, "a", {"tax": "paid"})
        assert flow.ready(result) == ["after"]
        assert result.ready_tasks[0].data == {"police": "clean", "tax": "paid"}
        assert_roundtrip(result.state)

    @pytest.mark.parametrize("data, branches", [
        ({"need_x": True, "need_y": True}, ["x", "y"]),
        ({"need_x": False, "need_y": True}, ["y"]),
        ({"need_x": False, "need_y": False}, ["z"]),
    ])
    def test_inclusive_gateway_activates_every_true_branch(
        self, engine: Engine, load, flow, assert_roundtrip, data, branches,
    ) -> None:
        result = engine.start(load("inclusive.bpmn").hash, "inclusive", data)
        assert flow.ready(result) == branches
        for branch in branches:
            assert not result.is_completed
            result = flow.complete(result, branch)
        assert result.is_completed
        assert_roundtrip(result.state)


class TestEventBasedGateway:
    def test_message_wins_the_race(self, engine: Engine, load, flow, clock, assert_roundtrip) -> None:
        result = engine.start(load("event_gateway.bpmn").hash, "event_gateway", {})
        assert result.awaiting_messages == ["docs_supplemented"]
        assert [t.due_at for t in result.timers] == [clock.start + timedelta(days=10)]
        result = engine.send_message(result.state, "docs_supplemented", {"files": 2})
        assert flow.kinds(result) == ["message_received", "task_ready"]
        assert flow.ready(result) == ["review"]
        assert result.ready_tasks[0].data == {"supplement": {"files": 2}}
        assert result.timers == [] and result.awaiting_messages == []
        assert_roundtrip(result.state)

    def test_timer_wins_the_race(self, engine: Engine, load, flow, clock, assert_roundtrip) -> None:
        result = engine.start(load("event_gateway.bpmn").hash, "event_gateway", {})
        early = engine.fire_timers(result.state, clock.start + timedelta(days=9))
        assert early.events == [] and early.ready_tasks == []
        result = engine.fire_timers(result.state, clock.start + timedelta(days=10))
        assert flow.kinds(result) == ["timer_fired", "task_ready"]
        assert flow.ready(result) == ["reject"]
        with pytest.raises(EventNotAwaitedError):
            engine.send_message(result.state, "docs_supplemented", {})
        assert_roundtrip(result.state)


class TestSubprocesses:
    def test_call_activities_run_same_file_and_included_file_processes(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        version = load("call_parent.bpmn", includes=("call_child.bpmn",))
        result = engine.start(version.hash, "call_parent", {"dossier": "D1"})
        assert flow.ready(result) == ["child_task"]
        assert result.ready_tasks[0].process_id == "child_same"
        assert_roundtrip(result.state)
        result = flow.complete(result, "child_task", {"checked": True})
        [task] = result.ready_tasks
        assert (task.bpmn_id, task.agency, task.process_id) == ("other_task", "dept_labour", "child_other")
        assert task.data == {"dossier": "D1", "checked": True}
        assert_roundtrip(result.state)
        result = flow.complete(result, "other_task", {"opinion": "agree"})
        assert result.is_completed
        assert_roundtrip(result.state)

    def test_embedded_subprocess_passes_data_back_to_parent(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("subprocess.bpmn").hash, "subprocess", {"a": 1})
        assert flow.ready(result) == ["inner"]
        assert_roundtrip(result.state)
        result = flow.complete(result, "inner", {"score": 9})
        assert flow.ready(result) == ["after"]
        assert result.ready_tasks[0].data == {"a": 1, "score": 9}
        assert_roundtrip(result.state)


class TestMultiInstance:
    def test_parallel_instances_collect_outputs_in_completion_order(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        data = {"reviewers": ["lan", "minh"], "copies": 2}
        result = engine.start(load("multi_instance.bpmn").hash, "multi_instance", data)
        views = result.ready_tasks
        assert [(v.bpmn_id, v.multi_instance_index, v.instructions) for v in views] == [
            ("opinion", 0, "Opinion of lan"), ("opinion", 1, "Opinion of minh"),
        ]
        assert_roundtrip(result.state)
        result = engine.complete_task(result.state, views[1].id, {"verdict": "no"})
        result = engine.complete_task(result.state, views[0].id, {"verdict": "yes"})
        assert result.ready_tasks[0].data["opinions"] == ["no", "yes"]  # Spiff appends as children finish
        assert_roundtrip(result.state)

    def test_sequential_instances_come_one_at_a_time(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("multi_instance.bpmn").hash, "multi_instance", {"reviewers": [], "copies": 2})
        assert [(v.bpmn_id, v.multi_instance_index) for v in result.ready_tasks] == [("sign", 0)]
        result = flow.complete(result, "sign")
        assert [(v.bpmn_id, v.multi_instance_index) for v in result.ready_tasks] == [("sign", 1)]
        assert_roundtrip(result.state)
        result = engine.complete_task_by_bpmn_id(result.state, "sign", {})
        assert result.is_completed
        assert_roundtrip(result.state)


class TestTimers:
    def start(self, engine: Engine, load):
        """Start with a fixed publication date for the timeDate timer."""
        return engine.start(load("timers.bpmn").hash, "timers", {"publish_on": "2027-03-10T00:00:00"})

    def test_boundary_timers_are_scheduled_on_the_engine_clock(
        self, engine: Engine, load, flow, clock, assert_roundtrip,
    ) -> None:
        result = self.start(engine, load)
        assert [(t.bpmn_id, t.due_at) for t in result.timers] == [
            ("remind_timer", clock.start + timedelta(days=1)), ("overdue_timer", clock.start + timedelta(days=3)),
        ]
        assert flow.kinds(result) == ["timer_scheduled", "timer_scheduled", "task_ready"]
        assert_roundtrip(result.state)

    def test_non_interrupting_timer_adds_a_task_and_keeps_the_activity(
        self, engine: Engine, load, flow, clock, assert_roundtrip,
    ) -> None:
        result = engine.fire_timers(self.start(engine, load).state, clock.start + timedelta(days=1))
        assert flow.kinds(result) == ["timer_fired", "task_ready"]
        assert flow.ready(result) == ["appraisal", "remind"]
        assert [t.bpmn_id for t in result.timers] == ["overdue_timer"]
        assert_roundtrip(result.state)

    def test_interrupting_timer_cancels_the_activity(self, engine: Engine, load, flow, clock, assert_roundtrip) -> None:
        result = engine.fire_timers(self.start(engine, load).state, clock.start + timedelta(days=3))
        assert "appraisal" not in flow.ready(result)
        assert "escalated" in flow.ready(result)
        assert result.timers == []
        assert_roundtrip(result.state)

    def test_timers_do_not_fire_before_they_are_due(self, engine: Engine, load, flow, clock, assert_roundtrip) -> None:
        start = self.start(engine, load)
        result = engine.fire_timers(start.state, clock.start + timedelta(hours=23, minutes=59))
        assert result.events == [] and flow.ready(result) == ["appraisal"]
        assert_roundtrip(result.state)

    def test_intermediate_timers_wait_for_duration_then_fixed_date(
        self, engine: Engine, load, flow, clock, assert_roundtrip,
    ) -> None:
        clock.advance(hours=5)
        result = flow.complete(self.start(engine, load), "appraisal")
        assert [(t.bpmn_id, t.due_at) for t in result.timers] == [("cooling", clock.now + timedelta(hours=2))]
        result = engine.fire_timers(result.state, clock.now + timedelta(hours=2))
        expected = [("publish_at", "2027-03-10T00:00:00+00:00")]
        assert [(t.bpmn_id, t.due_at.isoformat()) for t in result.timers] == expected
        result = engine.fire_timers(result.state, clock.start + timedelta(days=30))
        assert result.is_completed
        assert_roundtrip(result.state)


class TestMessagesAndSignals:
    def test_thrown_message_is_reported_and_answer_payload_lands_in_data(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        result = engine.start(load("messages.bpmn").hash, "messages", {"dossier_no": "D-42"})
        result = flow.complete(result, "prepare")
        sent = next(e for e in result.events if e.kind == "message_sent")
        assert (sent.name, sent.data["payload"]) == ("request_opinion", {"dossier": "D-42", "agency": "tax"})
        assert result.awaiting_messages == ["opinion_received"]
        assert_roundtrip(result.state)
        result = engine.send_message(result.state, "opinion_received", {"agree": True})
        assert flow.ready(result) == ["decide"]
        assert result.ready_tasks[0].data["opinion"] == {"agree": True}
        assert_roundtrip(result.state)

    def test_send_message_fails_when_nothing_waits_for_it(self, engine: Engine, load, assert_roundtrip) -> None:
        result = engine.start(load("messages.bpmn").hash, "messages", {"dossier_no": "D-42"})
        with pytest.raises(EventNotAwaitedError):
            engine.send_message(result.state, "opinion_received", {})
        assert_roundtrip(result.state)

    def test_signal_interrupts_the_task_and_carries_payload(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("signal.bpmn").hash, "signal", {})
        result = engine.send_signal(result.state, "stop_all", {"why": "law changed"})
        assert flow.kinds(result) == ["signal_received", "task_ready"]
        assert flow.ready(result) == ["stopped"]
        assert result.ready_tasks[0].data["stop_reason"] == {"why": "law changed"}
        assert_roundtrip(result.state)


class TestErrorsAndEscalations:
    def test_error_end_event_is_caught_by_boundary_error(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("errors.bpmn").hash, "errors", {"late": False, "documents": ["a"]})
        assert flow.ready(result) == ["request_supplement"]
        assert_roundtrip(result.state)

    def test_escalation_adds_a_task_without_stopping_the_subprocess(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        result = engine.start(load("errors.bpmn").hash, "errors", {"late": True, "documents": ["a", "b", "c"]})
        assert sorted(flow.ready(result)) == ["approve", "notify_leader"]
        assert_roundtrip(result.state)

    def test_no_error_continues_normally(self, engine: Engine, load, flow, assert_roundtrip) -> None:
        result = engine.start(load("errors.bpmn").hash, "errors", {"late": False, "documents": ["a", "b", "c"]})
        assert flow.ready(result) == ["approve"]
        assert flow.complete(result, "approve").is_completed
        assert_roundtrip(result.state)


class TestBusinessRules:
    @pytest.mark.parametrize("category, workers, fee, agency", [
        ("new", 60, 600000, "ministry_labour"),
        ("renewal", 10, 450000, "dept_labour"),
        ("other", 0, 0, "dept_labour"),
    ])
    def test_dmn_decides_fee_and_routing(
        self, engine: Engine, load, assert_roundtrip, category, workers, fee, agency,
    ) -> None:
        version = load("business_rules.bpmn", dmn=("fee.dmn", "routing.dmn"))
        result = engine.start(version.hash, "business_rules", {"category": category, "workers": workers})
        data = result.ready_tasks[0].data
        assert (data["fee"], data["agency"]) == (fee, agency)
        assert_roundtrip(result.state)


class TestLanes:
    def test_views_carry_lane_name_and_role_from_lane_property(
        self, engine: Engine, load, flow, assert_roundtrip,
    ) -> None:
        result = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        result = flow.complete(result, "intake")
        [task] = result.ready_tasks
        assert (task.lane, task.role, task.duration_days) == ("Chuyên viên thụ lý", "specialist", 3.0)
        assert_roundtrip(result.state)


class TestCycleTimer:
    def test_cycle_timer_fires_the_given_number_of_times(
        self, engine: Engine, load, flow, clock, assert_roundtrip,
    ) -> None:
        result = engine.start(load("cycle_timer.bpmn").hash, "cycle_timer", {"publish_on": "2027-04-01"})
        for day, reminders in ((1, 1), (2, 2)):
            result = engine.fire_timers(result.state, clock.start + timedelta(days=day))
            assert flow.kinds(result)[0] == "timer_fired"
            assert flow.ready(result).count("remind") == reminders
            assert_roundtrip(result.state)
        assert [t.bpmn_id for t in result.timers] == ["overdue_timer"]
