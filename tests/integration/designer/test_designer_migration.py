"""Moving running work-permit dossiers to new model versions, at every step they can wait at."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.designer import migration, services
from app.designer.migration import DossierFilter
from app.dossiers import lifecycle
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow import services as workflow
from app.workflow.models import ProcessInstance
from tests.integration.designer.variants import with_document_check, without_document_check
from tests.integration.dossiers.conftest import official

STEPS = ("intake", "appraisal", "approval", "stamping", "return")


def publish(designer, xml: bytes, comment: str):
    result = services.save_draft(designer, xml, process_key="work_permit", comment=comment)
    services.deploy_version(designer, result.version.id, comment)
    db.session.commit()
    return result.version


def dossier_at(desk, step_kind: str):
    """A work-permit dossier waiting at `step_kind` (online dossiers wait at intake)."""
    receipt = desk.receive("1.014199", channel="online" if step_kind == "intake" else "counter")
    dossier = receipt.dossier
    order = STEPS[1:]
    if step_kind != "intake":
        for kind in order[:order.index(step_kind)]:
            desk.complete(dossier, kind)
    assert dossier.current_step_kind == step_kind
    return dossier


def run_batch(designer, target, **filters):
    batch = migration.create_batch(designer, DossierFilter("work_permit", **filters), target)
    while migration.process_batch(designer, batch.id, limit=3) == 3:
        pass
    db.session.commit()
    return batch


class TestMigrateToVersionWithExtraTask:
    @pytest.mark.parametrize("step_kind", STEPS)
    def test_dossier_waiting_at_each_step_moves_and_keeps_its_task(self, desk, designer, step_kind):
        dossier = dossier_at(desk, step_kind)
        task_before = desk.task(dossier, step_kind)
        v1_id = dossier.process_version_id
        v2 = publish(designer, with_document_check(), "thêm bước kiểm tra")

        batch = run_batch(designer, v2)

        assert migration.batch_progress(batch.id)["migrated"] == 1
        db.session.refresh(dossier)
        instance = workflow.get_instance(dossier.id)
        assert dossier.process_version_id == instance.process_version_id == v2.id != v1_id
        [task_after] = desk.open_tasks(dossier)
        assert (task_after.id, task_after.step_kind) == (task_before.id, step_kind)
        assert task_after.engine_task_id in {view.id for view in workflow.ready_tasks(instance)}
        event = db.session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                             DossierEvent.kind == "migrated"))
        assert event.data["from_version"] == 1 and event.data["to_version"] == v2.number
        assert event.model_hash == v2.content_hash

    def test_dossier_at_intake_then_runs_through_the_new_task(self, desk, designer):
        dossier = dossier_at(desk, "intake")
        run_batch(designer, publish(designer, with_document_check(), "v2"))
        intake = desk.task(dossier, "intake")
        lifecycle.complete_task(official("receiver", intake.agency_id), intake.id, desk.intake_data("1.014199"))
        assert [t.bpmn_id for t in desk.open_tasks(dossier)] == ["check_documents"]
        assert desk.run_to_end(dossier)[-1] == "return"

    def test_new_dossiers_start_on_the_latest_published_version(self, desk, designer):
        v2 = publish(designer, with_document_check(), "v2")
        assert desk.receive("1.014199").dossier.process_version_id == v2.id


class TestMigrateToVersionRemovingATask:
    def test_dossier_waiting_at_the_removed_task_is_blocked_with_the_reason(self, desk, designer):
        publish(designer, with_document_check(), "v2: thêm bước kiểm tra")
        waiting = desk.receive("1.014199").dossier
        assert [t.bpmn_id for t in desk.open_tasks(waiting)] == ["check_documents"]
        v3 = publish(designer, without_document_check(), "v3: bỏ bước kiểm tra")

        report = migration.dry_run(DossierFilter("work_permit"), v3)
        assert report.total == 1 and report.movable == []
        assert "check_documents" in report.blocked[0][1][0]

        batch = run_batch(designer, v3)
        [(item, dossier)] = migration.batch_items(batch.id)
        assert (item.status, dossier.id) == ("blocked", waiting.id) and "check_documents" in item.reason
        assert workflow.get_instance(waiting.id).process_version_id == waiting.process_version_id != v3.id

    @pytest.mark.parametrize("step_kind", ["approval", "stamping", "return"])
    def test_dossier_past_the_removed_task_is_blocked_too(self, desk, designer, step_kind):
        publish(designer, with_document_check(), "v2")
        dossier = desk.receive("1.014199").dossier
        desk.complete(dossier, "appraisal")  # the check step
        for kind in STEPS[1:STEPS.index(step_kind)]:
            desk.complete(dossier, kind)
        report = migration.dry_run(DossierFilter("work_permit"), publish(designer, without_document_check(), "v3"))
        assert report.movable == [] and "has passed check_documents" in report.blocked[0][1][0]


class TestBatchesAreIdempotent:
    def test_re_running_and_new_batches_skip_moved_dossiers(self, desk, designer):
        dossier = dossier_at(desk, "appraisal")
        v2 = publish(designer, with_document_check(), "v2")
        batch = run_batch(designer, v2)
        assert migration.process_batch(designer, batch.id) == 0
        assert migration.batch_progress(run_batch(designer, v2).id)["total"] == 0
        instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier.id))
        events = db.session.scalars(select(DossierEvent).where(DossierEvent.kind == "migrated")).all()
        assert instance.process_version_id == v2.id and len(events) == 1

    def test_an_already_moved_item_of_an_interrupted_batch_is_skipped(self, desk, designer):
        dossier = dossier_at(desk, "appraisal")
        v2 = publish(designer, with_document_check(), "v2")
        batch = migration.create_batch(designer, DossierFilter("work_permit"), v2)
        migration.migrate_dossier(designer, dossier, v2)  # e.g. the CLI moved it meanwhile
        migration.process_batch(designer, batch.id)
        [(item, _)] = migration.batch_items(batch.id)
        assert item.status == "skipped"

    def test_batch_filters_by_step_kind(self, desk, designer):
        dossier_at(desk, "appraisal")
        stamping = dossier_at(desk, "stamping")
        batch = run_batch(designer, publish(designer, with_document_check(), "v2"), step_kind="stamping")
        assert [d.id for _, d in migration.batch_items(batch.id)] == [stamping.id]
