"""Moving running work permit instances between model versions."""
from __future__ import annotations

import copy

import pytest

from engine import Engine, MigrationError


@pytest.fixture
def versions(load):
    """v1: the published model; v2 adds 'verify_documents' before appraisal; v3 removes appraisal."""
    return load("work_permit.bpmn"), load("work_permit_v2.bpmn"), load("work_permit_v3.bpmn")


class TestDiff:
    def test_diff_lists_added_task_and_rewired_neighbours(self, engine: Engine, versions) -> None:
        v1, v2, _ = versions
        plan = engine.diff(v1.hash, v2.hash, "work_permit")
        assert plan.added == ["verify_documents"] and plan.removed == []
        assert plan.mapped["appraisal"] == "appraisal"
        assert plan.changed == {"intake": ["outputs"], "appraisal": ["inputs"]}

    def test_diff_lists_removed_task(self, engine: Engine, versions) -> None:
        v1, _, v3 = versions
        plan = engine.diff(v1.hash, v3.hash, "work_permit")
        assert plan.removed == ["appraisal"] and plan.added == []


class TestMigrate:
    def test_dry_run_reports_without_changing_anything(self, engine: Engine, versions, assert_roundtrip) -> None:
        v1, v2, _ = versions
        start = engine.start(v1.hash, "work_permit", {})
        frozen = copy.deepcopy(start.state)
        report = engine.migrate(start.state, v2.hash)
        assert report.can_migrate and report.state is None and report.reasons == []
        assert report.added == ["verify_documents"]
        assert start.state == frozen
        assert_roundtrip(start.state)

    def test_instance_at_intake_picks_up_the_new_verify_step(
        self, engine: Engine, versions, flow, assert_roundtrip,
    ) -> None:
        v1, v2, _ = versions
        start = engine.start(v1.hash, "work_permit", {"applicant": "A"})
        report = engine.migrate(start.state, v2.hash, dry_run=False)
        assert report.state["model_hash"] == v2.hash
        assert report.result.state is report.state
        assert [t.bpmn_id for t in report.result.ready_tasks] == ["intake"]
        [intake] = engine.ready_tasks(report.state)
        assert intake.bpmn_id == "intake" and intake.data == {"applicant": "A"}
        result = engine.complete_task(report.state, intake.id, {"eligible": True})
        assert flow.ready(result) == ["verify_documents"]
        assert result.ready_tasks[0].form_key == "work_permit/verify"
        assert_roundtrip(result.state)

    def test_instance_waiting_at_appraisal_moves_to_v2_in_place(
        self, engine: Engine, versions, flow, assert_roundtrip,
    ) -> None:
        v1, v2, _ = versions
        at_appraisal = flow.complete(engine.start(v1.hash, "work_permit", {}), "intake", {"eligible": True})
        report = engine.migrate(at_appraisal.state, v2.hash, dry_run=False)
        assert [t.bpmn_id for t in engine.ready_tasks(report.state)] == ["appraisal"]
        assert_roundtrip(report.state)

    def test_migration_is_refused_when_the_waiting_task_is_removed(
        self, engine: Engine, versions, flow, assert_roundtrip,
    ) -> None:
        v1, _, v3 = versions
        at_appraisal = flow.complete(engine.start(v1.hash, "work_permit", {}), "intake")
        report = engine.migrate(at_appraisal.state, v3.hash, dry_run=False)
        assert not report.can_migrate and report.state is None
        assert report.removed == ["appraisal"]
        assert report.reasons == [
            "instance is waiting at appraisal (Thẩm định hồ sơ) [READY], which the new version removes",
        ]
        assert_roundtrip(at_appraisal.state)

    def test_migration_is_refused_when_history_contains_a_removed_task(self, engine: Engine, versions, flow) -> None:
        v1, _, v3 = versions
        result = flow.complete(engine.start(v1.hash, "work_permit", {}), "intake", {"eligible": True})
        result = flow.complete(result, "appraisal")
        report = engine.migrate(result.state, v3.hash)
        assert report.reasons == [
            "instance has passed appraisal (Thẩm định hồ sơ) [COMPLETED], which the new version removes",
        ]

    def test_migration_fails_when_process_is_missing_in_new_version(self, engine: Engine, versions, load) -> None:
        v1, _, _ = versions
        other = load("parallel.bpmn")
        with pytest.raises(MigrationError):
            engine.migrate(engine.start(v1.hash, "work_permit", {}).state, other.hash)
