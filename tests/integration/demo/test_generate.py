"""`flask demo generate`: synthetic history in bulk that the statistics and the auditor accept as real."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.audit import verify
from app.demo.generate import generate
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.reports import summary
from app.reports.models import StatDaily
from app.workflow.models import HumanTask
from tests.world import load_world

END = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_generated_history_is_consistent(app):
    load_world()
    db.session.commit()
    before = db.session.scalar(select(func.count(Dossier.id)))
    result = generate(400, end=END, seed=3)
    db.session.commit()
    assert result["dossiers"] == 400
    generated = list(db.session.scalars(select(Dossier).where(Dossier.code.like("%-G"))))
    assert len(generated) == 400 and db.session.scalar(select(func.count(Dossier.id))) == before + 400
    received = [d.received_at for d in generated]
    assert min(received).year <= 2024 and max(received) <= END
    assert len({d.procedure_id for d in generated}) >= 5 and len({d.stat_agency_id for d in generated}) >= 4
    statuses = {d.status.value for d in generated}
    assert {"returned", "refused", "stopped"} <= statuses
    assert any(d.supplement_count for d in generated) and any(d.rating for d in generated)
    assert any(d.apology_count for d in generated) and {"early", "on_time", "late"} <= {d.stat_timing for d in
                                                                                           generated}
    # every chain verifies as the auditor checks it, and its head is on the dossier row
    reports = list(verify.verify_dossiers(generated))
    assert all(r.ok for r in reports), [r.problem for r in reports if not r.ok][:3]
    events = db.session.scalar(select(func.count(DossierEvent.id)).where(
        DossierEvent.dossier_id.in_([d.id for d in generated])))
    assert events == sum(d.event_seq for d in generated) and events >= 3 * 400
    assert db.session.scalar(select(func.count(HumanTask.id)).where(HumanTask.status == "completed")) > 400
    assert db.session.scalar(select(func.count(ClockEntry.id)).where(ClockEntry.kind == "pause")) == sum(
        1 for d in generated if d.supplement_count)
    # the summary was rebuilt, the triggers are back: rebuilding again changes nothing
    total = db.session.scalar(select(func.sum(StatDaily.received)))
    assert total == before + 400
    rows = db.session.execute(select(StatDaily).order_by(StatDaily.day, StatDaily.agency_id)).scalars().all()
    snapshot = [(r.day, r.agency_id, r.procedure_id, r.channel, r.received, r.early, r.late, r.open_delta)
                for r in rows]
    summary.rebuild(db.session.connection())
    again = [(r.day, r.agency_id, r.procedure_id, r.channel, r.received, r.early, r.late, r.open_delta)
             for r in db.session.execute(select(StatDaily).order_by(StatDaily.day, StatDaily.agency_id)).scalars()]
    assert again == snapshot
    assert summary.row_counts(db.session.connection())["stat_step_daily"] > 0


def test_a_second_run_adds_to_the_first(app):
    load_world()
    db.session.commit()
    generate(50, end=END, seed=1)
    generate(50, end=END, seed=1)  # the same seed again: new rows, new codes
    db.session.commit()
    assert db.session.scalar(select(func.count(Dossier.id)).where(Dossier.code.like("%-G"))) == 100
