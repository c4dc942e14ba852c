"""Scheduler jobs move dossiers waiting on BPMN timers and spot dossiers needing an apology."""
from __future__ import annotations

from sqlalchemy import func, select

from app.dossiers.models import DossierStatus
from app.extensions import db
from app.scheduler.jobs import dossiers_needing_apology, sweep_timers
from app.workflow.models import DueTimer

pytest_plugins = ["tests.integration.dossiers.conftest"]


class TestTimerSweep:
    def test_sweep_fires_the_site_inspection_timer_when_due(self, app, desk, clock):
        clock("2026-03-02 08:00")
        dossier = desk.receive("1.009994", "14797").dossier
        desk.complete(dossier, "appraisal")
        desk.complete(dossier, "appraisal")
        assert desk.open_tasks(dossier) == []
        assert db.session.scalar(select(func.count()).select_from(DueTimer)) == 1
        clock("2026-03-03 08:00")
        assert sweep_timers(app) == 0
        clock("2026-03-04 09:00")
        assert sweep_timers(app) == 1
        db.session.expire_all()
        assert [t.bpmn_id for t in desk.open_tasks(dossier)] == ["site_inspection"]
        assert db.session.scalar(select(func.count()).select_from(DueTimer)) == 0


class TestApologyAlerts:
    def test_dossier_due_within_one_working_day_without_apology_is_listed(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.000105").dossier  # due Monday 09/03 09:00
        clock("2026-03-05 09:00")
        assert dossiers_needing_apology() == []
        clock("2026-03-06 09:00")  # one working day before the due instant
        assert [d.code for d in dossiers_needing_apology()] == [dossier.code]
        assert dossier.status is DossierStatus.PROCESSING
