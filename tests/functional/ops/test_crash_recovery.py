"""A gunicorn worker SIGKILLed in the middle of a unit of work loses nothing and half-writes nothing: the
dossier is exactly as before, the chain verifies, and the retry (or the resumed batch) does the work once."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from app.audit.verify import verify_dossier
from app.designer import migration
from app.designer.migration import DossierFilter
from app.designer.models import MigrationItem
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow.models import HumanTask, ProcessInstance
from tests.functional.api.flows import form_data
from tests.functional.ops.conftest import ROOT
from tests.integration.designer.test_designer_migration import publish
from tests.integration.designer.variants import with_document_check

pytestmark = pytest.mark.committing  # a gunicorn worker and the CLI in other processes read and write the data

KILLED = (OSError, http.client.HTTPException)  # the connection dies with the worker: no response at all


def state_of(dossier_id: int) -> dict:
    """Everything a half-done completion could have touched."""
    db.session.rollback()  # see what the server committed, nothing cached
    dossier = db.session.get(Dossier, dossier_id)
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.dossier_id == dossier_id))
    tasks = db.session.execute(select(HumanTask.id, HumanTask.status, HumanTask.assignee_id, HumanTask.version)
                               .where(HumanTask.dossier_id == dossier_id).order_by(HumanTask.id)).all()
    events = db.session.scalars(select(DossierEvent.kind).where(DossierEvent.dossier_id == dossier_id)
                                .order_by(DossierEvent.seq)).all()
    return {"dossier": (dossier.status, dossier.current_step_kind, dossier.event_seq, dossier.last_event_hash),
            "engine": (instance.version, instance.state_json, instance.process_version_id),
            "tasks": [tuple(t) for t in tasks], "events": list(events)}


def assert_chains_verify(*dossier_ids: int) -> None:
    db.session.rollback()
    for dossier_id in dossier_ids:
        report = verify_dossier(db.session.get(Dossier, dossier_id))
        assert report.ok, (report.code, report.problem and report.problem.message("en"))


class TestWorkerKilledMidCompletion:
    def test_the_dossier_is_unchanged_and_the_retry_completes_once(self, gunicorn, desk, tokens):
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        assert gunicorn.api("POST", f"/tasks/{task.id}/claim", "chuyenvien.snv")[0] == 200
        body = {"data": form_data(task.form_key)}
        before = state_of(dossier.id)

        gunicorn.arm("after_engine_step")
        with pytest.raises(KILLED):
            gunicorn.api("POST", f"/tasks/{task.id}/complete", "chuyenvien.snv", body)

        assert not gunicorn.armed  # the crash point fired (and is disarmed for the respawned worker)
        assert state_of(dossier.id) == before  # task open and claimed, no event, engine state and version unchanged
        assert_chains_verify(dossier.id)

        status, result = gunicorn.api("POST", f"/tasks/{task.id}/complete", "chuyenvien.snv", body)
        assert status == 200, result
        assert gunicorn.api("POST", f"/tasks/{task.id}/complete", "chuyenvien.snv", body)[0] == 409
        after = state_of(dossier.id)
        assert after["events"] == [*before["events"], "task_completed"]
        assert after["engine"][0] == before["engine"][0] + 1 and after["dossier"][1] == "approval"
        assert_chains_verify(dossier.id)


@pytest.fixture
def batch(desk, world):
    """Six work permits waiting at appraisal and a frozen batch moving them to a published v2."""
    from app.auth.services import find_user_by_username

    dossiers = [desk.receive("1.014199").dossier for _ in range(6)]
    designer = find_user_by_username("designer")
    target = publish(designer, with_document_check(), "v2: kiểm tra hồ sơ")
    created = migration.create_batch(designer, DossierFilter("work_permit"), target)
    db.session.commit()
    return created.id, [d.id for d in dossiers], target.id


def migrated_events(dossier_ids: list[int]) -> dict[int, int]:
    db.session.rollback()
    rows = db.session.execute(select(DossierEvent.dossier_id, func.count()).where(
        DossierEvent.dossier_id.in_(dossier_ids), DossierEvent.kind == "migrated").group_by(DossierEvent.dossier_id))
    return {dossier_id: 0 for dossier_id in dossier_ids} | dict(rows.all())


def versions(dossier_ids: list[int]) -> set[int]:
    db.session.rollback()
    return set(db.session.scalars(select(Dossier.process_version_id).where(Dossier.id.in_(dossier_ids))))


class TestWorkerKilledMidMigration:
    def test_the_chunk_rolls_back_and_the_batch_resumes_each_dossier_once(self, gunicorn, batch):
        batch_id, dossier_ids, target_id = batch
        designer = gunicorn.browser("designer")
        before = {dossier_id: state_of(dossier_id) for dossier_id in dossier_ids}

        gunicorn.arm("migration_item", 3)  # killed after the third dossier's savepoint, before the chunk commits
        with pytest.raises(KILLED):
            designer.post(f"/designer/migrations/{batch_id}/step")

        assert not gunicorn.armed
        assert migration.batch_progress(batch_id)["pending"] == 6
        assert {dossier_id: state_of(dossier_id) for dossier_id in dossier_ids} == before
        assert_chains_verify(*dossier_ids)

        assert designer.post(f"/designer/migrations/{batch_id}/step") == 200
        progress = migration.batch_progress(batch_id)
        assert (progress["migrated"], progress["pending"]) == (6, 0)
        assert migrated_events(dossier_ids) == {dossier_id: 1 for dossier_id in dossier_ids}
        assert versions(dossier_ids) == {target_id}
        assert_chains_verify(*dossier_ids)


class TestCliKilledMidMigration:
    def test_the_same_command_resumes_the_interrupted_batch(self, gunicorn, desk, world):
        """`flask models migrate` killed in its second chunk: the first chunk stays, the rerun resumes the batch."""
        from app.auth.services import find_user_by_username

        dossier_ids = [desk.receive("1.014199").dossier.id for _ in range(6)]
        target = publish(find_user_by_username("designer"), with_document_check(), "v2")
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "models", "migrate", "work_permit",
                   "--to", str(target.number), "--chunk", "4"]

        def run() -> subprocess.CompletedProcess:
            return subprocess.run(command, cwd=ROOT, env=gunicorn.env, capture_output=True, text=True, timeout=300,
                                  check=False)

        gunicorn.arm("migration_item", 6)  # 4 moved and committed, then killed at the 2nd of the next chunk
        killed = run()
        assert killed.returncode == -9, killed.stdout + killed.stderr
        counts = migrated_events(dossier_ids)
        assert sorted(counts.values()) == [0, 0, 1, 1, 1, 1]
        [batch_id] = db.session.scalars(select(MigrationItem.batch_id).distinct())
        assert migration.batch_progress(batch_id)["pending"] == 2
        assert_chains_verify(*dossier_ids)

        resumed = run()
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert f"resuming batch {batch_id}" in resumed.stdout and "migrated=6" in resumed.stdout
        assert migrated_events(dossier_ids) == {dossier_id: 1 for dossier_id in dossier_ids}
        assert versions(dossier_ids) == {target.id}
        assert_chains_verify(*dossier_ids)


def test_crash_points_are_off_without_the_variable(monkeypatch, tmp_path):
    from app.core.crashpoints import ENV, crash_point

    monkeypatch.delenv(ENV, raising=False)
    crash_point("after_engine_step")  # nothing happens
    armed = tmp_path / "crash-point"
    armed.write_text("after_engine_step 2")
    monkeypatch.setenv(ENV, str(armed))
    crash_point("migration_item")  # another point: untouched
    crash_point("after_engine_step")  # first of two passes: counts down, no kill
    assert armed.read_text() == "after_engine_step 1"
    assert os.getpid()  # still alive
