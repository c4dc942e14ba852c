"""Regression tests for the defects that came from lifecycle rules drifting between views, API and services."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade

from app import MIGRATIONS_DIR, create_app
from app.audit.reexecute import reexecute_dossier
from app.audit.services import list_events
from app.extensions import db
from app.workflow import services as workflow
from tests.dbutil import fresh_database
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
