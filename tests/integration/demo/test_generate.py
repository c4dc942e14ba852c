"""`flask demo generate`: synthetic history in bulk that the statistics and the auditor accept as real."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.audit import verify
from app.demo.generate import Loader, generate
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.reports import summary, warning
from app.reports.models import StatDaily, StatOutlook
from app.workflow.models import HumanTask
from tests.dbutil import is_postgres
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
    # the early warning fitted on the samples gathered while writing is the fit read back from the tables
    gathered = _outlook()
    assert result["warning_rows"] == len(gathered) > 0 and any(row[3] != warning.ALL_YEAR for row in gathered)
    warning.fit(END)
    assert _outlook() == gathered


def _outlook() -> list[tuple]:
    return [(r.process_version_id, r.bpmn_id, r.agency_id, r.season, r.samples, r.quantiles) for r in
            db.session.scalars(select(StatOutlook).order_by(StatOutlook.process_version_id, StatOutlook.bpmn_id,
                                                            StatOutlook.agency_id, StatOutlook.season))]


def _schema() -> list[tuple]:
    """Indexes, constraints and triggers (with their enabled state) of the tables the generator loads."""
    return db.session.execute(text(
        "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) "
        "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) || convalidated::text FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(:t) "
        "UNION ALL SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgrelid::regclass::text = ANY(:t) ORDER BY 1, 2"),
        {"t": ["dossiers", "human_tasks", "dossier_events", "dossier_clock"]}).all()


@pytest.mark.skipif(not is_postgres(), reason="the bulk load drops and rebuilds PostgreSQL indexes and constraints")
def test_a_bulk_load_puts_the_schema_back(app):
    load_world()
    db.session.commit()
    before = _schema()
    assert any(kind == "index" for kind, *_ in before) and any(kind == "trigger" for kind, *_ in before)
    result = generate(120, end=END, seed=5, bulk=True)
    db.session.commit()
    assert result["bulk"] is True and "index_seconds" in result
    assert _schema() == before
    generated = list(db.session.scalars(select(Dossier).where(Dossier.code.like("%-G"))))
    reports = list(verify.verify_dossiers(generated))
    assert len(generated) == 120 and all(r.ok for r in reports)
    # the constraints are back and hold
    with pytest.raises(IntegrityError, match="uq_dossiers_code"), db.session.begin_nested():
        db.session.execute(text("UPDATE dossiers SET code = (SELECT min(code) FROM dossiers) "
                                "WHERE id = (SELECT max(id) FROM dossiers)"))
    with pytest.raises(IntegrityError, match="fk_human_tasks_dossier_id_dossiers"), db.session.begin_nested():
        db.session.execute(text("UPDATE human_tasks SET dossier_id = -1 WHERE id = (SELECT max(id) FROM human_tasks)"))


def test_a_second_run_adds_to_the_first(app):
    load_world()
    db.session.commit()
    generate(50, end=END, seed=1)
    generate(50, end=END, seed=1)  # the same seed again: new rows, new codes
    db.session.commit()
    assert db.session.scalar(select(func.count(Dossier.id)).where(Dossier.code.like("%-G"))) == 100


def test_the_command_writes_and_settles(app):
    load_world()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--dossiers", "30", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "dossiers 30" in result.output and "summary_seconds" in result.output
    assert ("vacuum_seconds None" in result.output) != is_postgres()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Dossier.id)).where(Dossier.code.like("%-G"))) == 30


@pytest.mark.skipif(not is_postgres(), reason="COPY from a thread is PostgreSQL's (SQLite writes in the caller)")
def test_a_failed_copy_is_raised_where_the_rows_are_built(app):
    load_world()
    db.session.commit()
    loader = Loader(db.session.connection())
    loader.put([("dossier_clock", ("dossier_id", "kind", "at"), [(1, "start", "not an instant")])])
    with pytest.raises(RuntimeError, match="COPY failed") as failed:
        loader.close()
    assert "not an instant" in str(failed.value.__cause__)
    db.session.rollback()
