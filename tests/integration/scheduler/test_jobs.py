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
        dossier = desk.receive("1.014199").dossier  # due Monday 16/03 09:00
        clock("2026-03-11 09:00")
        assert dossiers_needing_apology() == []
        # issue 20.5: one working day (the apology lead) plus the one-day margin left: a compliant apology is
        # still possible, so the alert fires now (it used to wait until fewer than 8 working hours were left)
        clock("2026-03-12 09:00")
        assert [d.code for d in dossiers_needing_apology()] == [dossier.code]
        assert dossier.status is DossierStatus.PROCESSING


class TestIdempotencyPurge:
    def test_purge_job_removes_replies_older_than_a_day(self, app, clock):
        from app.auth.services import create_user
        from app.scheduler.jobs import purge_idempotency_keys
        from app.tokens.models import IdempotencyKey

        clock("2026-03-02 09:00")
        user = create_user(None, username="portal", full_name="Cổng dịch vụ công", password="mat-khau-123")
        db.session.add(IdempotencyKey(scope=f"user:{user.id}", key="k1", method="POST", path="/api/v1/dossiers",
                                      request_hash="0" * 64, status=201, response_body="{}"))
        db.session.commit()
        clock("2026-03-02 20:00")
        assert purge_idempotency_keys(app) == 0
        clock("2026-03-03 10:00")
        assert purge_idempotency_keys(app) == 1



class TestAnchorJob:
    def test_daily_anchor_job_anchors_once_per_day(self, app, desk, clock):
        from app.audit.models import AuditAnchor
        from app.scheduler.jobs import anchor_yesterday

        clock("2026-03-02 09:00")
        desk.receive("1.014199")
        clock("2026-03-03 00:20")
        anchor_yesterday(app)
        anchor_yesterday(app)  # a restarted scheduler must not fail or anchor twice
        anchors = list(db.session.scalars(select(AuditAnchor)))
        assert len(anchors) == 1 and anchors[0].chain_count == 1
