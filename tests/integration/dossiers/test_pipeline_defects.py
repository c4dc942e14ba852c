"""Regression tests for the defects that came from lifecycle rules drifting between views, API and services."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade

from app import MIGRATIONS_DIR, create_app
from app.audit.reexecute import reexecute_dossier
from app.audit.services import list_events
from app.extensions import db
from app.workflow import services as workflow
from tests.dbutil import fresh_database
from tests.functional.ui_world import officials  # noqa: F401
from tests.integration.designer.conftest import designer  # noqa: F401
from tests.integration.designer.test_designer_migration import dossier_at, publish, run_batch
from tests.integration.designer.variants import with_document_check

ROOT_BPMN = MIGRATIONS_DIR.parent / "tests" / "bpmn"


class TestMigratedDossierReExecutes:
    @pytest.mark.parametrize("step_kind", ("appraisal", "approval"))
    def test_a_dossier_moved_to_a_new_version_re_executes_on_both_versions(self, desk, designer, step_kind):  # noqa: F811
        dossier = dossier_at(desk, step_kind)
        v2 = publish(designer, with_document_check(), "thêm bước kiểm tra")
        run_batch(designer, v2)
        desk.run_to_end(dossier)
        kinds = [e.kind for e in list_events(dossier.id)]
        assert "migrated" in kinds
        report = reexecute_dossier(dossier)
        assert report.ok, report.message("en")


@pytest.mark.committing  # a second database in this process, migrated by its own connections
class TestCachesFollowContentNotIds:
    def test_two_databases_in_one_process_each_get_their_own_model_hash(self, app, tmp_path):
        """Process-wide caches keyed by a database id returned the other database's version."""
        seen = {}
        for label, model in (("a", "timers.bpmn"), ("b", "exclusive.bpmn")):
            with fresh_database(tmp_path, label) as url:
                other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                                    "LOG_LEVEL": "WARNING"})
                with other.app_context():
                    upgrade(directory=str(MIGRATIONS_DIR))
                    version, _ = workflow.deploy_model("t", (ROOT_BPMN / model).read_bytes(), model)
                    db.session.commit()
                    seen[label] = (version.id, version.content_hash, workflow.model_hash(version.id),
                                   workflow.version_has_timers(version.id))
                    db.session.remove()
                    db.engine.dispose()
        (id_a, hash_a, got_a, timers_a), (id_b, hash_b, got_b, timers_b) = seen["a"], seen["b"]
        assert id_a == id_b and hash_a != hash_b
        assert (got_a, got_b) == (hash_a, hash_b)
        assert (timers_a, timers_b) == (True, False)


def _local_text(instant) -> str:
    return instant.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")


class TestOneAnswerForWhoMayAct:
    """The page's buttons, the services and the scheduler read the same declaration (they used to drift)."""

    def _late(self, desk, clock):
        from tests.integration.dossiers.conftest import official

        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        leader = official("leader", desk.task(dossier).agency_id)
        receiver = official("receiver", dossier.receiving_agency_id)
        return dossier, leader, receiver

    def test_receiver_and_handling_leader_may_apologise_until_the_rule_set_limit(self, desk, clock):
        from app.dossiers import lifecycle
        from app.dossiers.actions import available_actions
        from app.scheduler.jobs import dossiers_needing_apology
        from tests.integration.dossiers.conftest import local

        dossier, leader, receiver = self._late(desk, clock)
        tasks = workflow.open_tasks(dossier.id)
        assert "apologize" in available_actions(leader, dossier, tasks)
        assert "apologize" in available_actions(receiver, dossier, tasks)
        clock(_local_text(dossier.due_at - timedelta(hours=2)))  # due within one working day
        assert dossier in dossiers_needing_apology()
        lifecycle.apologize(receiver, dossier.code, reason="Chờ xác minh", new_due_at=local("2026-03-20 17:00"))
        db.session.commit()
        assert "apologize" not in available_actions(leader, dossier, tasks)
        clock("2026-03-20 09:00")
        assert dossier not in dossiers_needing_apology()

    def test_withdrawal_follows_the_rule_set_on_the_page_and_in_the_service(self, desk, clock, officials):  # noqa: F811
        from app.dossiers import lifecycle
        from app.dossiers.actions import InvalidTransitionError, available_actions
        from tests.integration.dossiers.conftest import official

        clock("2025-06-20 09:00")  # received under Decree 61, which has no withdrawal
        dossier = desk.receive("1.000105").dossier
        receiver = official("receiver", dossier.receiving_agency_id)
        assert dossier.ruleset == "ND61-2018"
        assert "withdraw" not in available_actions(receiver, dossier, workflow.open_tasks(dossier.id))
        page = officials.login(receiver.username).get(f"/dossiers/{dossier.code}")
        assert "action-withdraw" not in page.text and "action-apology" in page.text
        with pytest.raises(InvalidTransitionError):
            lifecycle.withdraw(receiver, dossier.code, reason="Xin rút")
        db.session.rollback()
        clock("2026-01-12 09:00")  # still open after 1 Jul 2025: Decree 118 withdrawal applies (issue 20.7)
        assert "withdraw" in available_actions(receiver, dossier, workflow.open_tasks(dossier.id))
        lifecycle.withdraw(receiver, dossier.code, reason="Xin rút")
        db.session.commit()
        assert dossier.status.value == "stopped"

    def test_an_apology_re_executes(self, desk, clock):
        from app.dossiers import lifecycle
        from tests.integration.dossiers.conftest import local

        dossier, leader, _receiver = self._late(desk, clock)
        lifecycle.apologize(leader, dossier.code, reason="Chờ ý kiến", new_due_at=local("2026-03-20 17:00"))
        db.session.commit()
        desk.run_to_end(dossier)
        assert reexecute_dossier(dossier).ok
