"""Issue 16: the daily summary rows kept by the database triggers equal a rebuild from the dossiers and tasks.

The history of test_stats_figures (nine work permits through the real services) fills the summary through the
triggers; random raw changes to the rows (what a migration, the bulk generator or a DBA does) must keep it right.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, inspect, select, text, update

from app.auth.models import Agency
from app.documents.models import Attachment
from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.payments.models import Payment
from app.reports import summary
from app.reports.models import LiveDaily, LiveStepDaily, StatDaily, StatDailyDelta, StatStepDaily
from app.workflow.models import HumanTask
from tests.integration.dossiers.conftest import local
from tests.integration.dossiers.test_stats_figures import history  # noqa: F401  (the hand-built history)


def live() -> dict[str, set[tuple]]:
    """The summary as the readers see it (folded rows plus the deltas not folded yet), non-zero cells only."""
    out = {}
    for name, entity, key in (("stat_daily", LiveDaily, summary.DAILY_KEY),
                              ("stat_step_daily", LiveStepDaily, summary.STEP_KEY)):
        selectable = inspect(entity).selectable
        columns = [selectable.c[k] for k in key]
        measures = [func.sum(c).label(c.name) for c in selectable.c if c.name not in key]
        rows = db.session.execute(select(*columns, *measures).group_by(*columns)).all()
        out[name] = {tuple(r) for r in rows if any(r[len(key):])}
    return out


def snapshot() -> dict[str, set[tuple]]:
    """Every summary row that holds a figure (a fold may leave rows of zeros behind, a rebuild does not), after a
    fold, which must not change what the readers saw before it."""
    before = live()
    summary.fold(db.session.connection())
    out = {}
    for model in (StatDaily, StatStepDaily):
        table = model.__table__
        measures = [c for c in table.c if not c.primary_key]
        rows = db.session.execute(select(table).where(db.or_(*(c != 0 for c in measures))))
        out[table.name] = {tuple(row) for row in rows}
    assert out == before, "the fold changed the figures"
    assert not db.session.scalar(select(func.count()).select_from(StatDailyDelta))
    return out


def rebuilt() -> dict[str, set[tuple]]:
    summary.rebuild(db.session.connection())
    return snapshot()


def _received_on(day: str) -> int:
    """What the readers sum (folded rows plus deltas): rows, not entities (a cell may be several rows)."""
    return db.session.scalar(select(func.sum(LiveDaily.received)).where(LiveDaily.day == local(day).date()))


class TestTriggersAgreeWithARebuild:
    def test_the_services_history_is_summed_by_the_triggers(self, history):  # noqa: F811
        received = _received_on("2026-03-02 12:00")  # the deltas of the history not folded yet
        folded = snapshot()
        assert received == 9 and folded["stat_step_daily"]
        assert rebuilt() == folded

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_random_raw_changes_keep_the_summary_right(self, history, seed):  # noqa: F811
        rng = random.Random(seed)
        ids = [d.id for d in history.values()]
        agencies = list(db.session.scalars(select(Agency.id)))
        for round_ in range(4):
            for _ in range(12):
                _mutate(rng, ids, agencies)
            assert snapshot() == rebuilt(), f"round {round_}"

    def test_the_comparison_sees_a_summary_left_behind(self, history):  # noqa: F811
        """Control: without the triggers the same kind of change leaves the summary wrong."""
        summary.drop_triggers(db.session.connection())
        db.session.execute(update(Dossier).where(Dossier.id == history["G"].id).values(status="returned"))
        assert snapshot() != rebuilt()


def _flags() -> tuple[int, int, int]:
    return db.session.execute(select(func.sum(LiveDaily.digitised), func.sum(LiveDaily.fee_bearing),
                                     func.sum(LiveDaily.paid))).one()


class TestDossierFlags:
    """stat_daily.digitised / fee_bearing / paid count dossiers, not rows: the first qualifying row sets the flag,
    the last one going clears it, also for several rows in one statement (PostgreSQL's row triggers of a multi-row
    INSERT: BEFORE each row, so each sees the rows before it)."""

    def test_first_and_last_rows_set_and_clear_the_flags(self, history):  # noqa: F811
        a, b = history["A"].id, history["B"].id
        assert tuple(_flags()) == (0, 0, 0)
        rows = [{"dossier_id": a, "reference": f"R{n}", "amount_vnd": 1000, "notices": 0, "status": status,
                 "created_at": local("2026-03-02 12:00"), "expires_at": local("2026-03-03 12:00")}
                for n, status in enumerate(("pending", "paid", "paid"))]
        db.session.execute(insert(Payment.__table__).values(rows))
        assert tuple(_flags()) == (0, 1, 1)
        db.session.execute(update(Payment.__table__).where(Payment.reference == "R1").values(dossier_id=b))
        assert tuple(_flags()) == (0, 2, 2)
        db.session.execute(delete(Payment.__table__).where(Payment.reference.in_(("R0", "R2"))))
        assert tuple(_flags()) == (0, 1, 1)
        scans = [{"dossier_id": d, "stage": "intake", "is_digitised": True, "original_name": "x.pdf",
                  "content_hash": "x", "media_type": "application/pdf", "size": 1, "page_count": 1,
                  "uploaded_at": local("2026-03-02 12:00")} for d in (a, a, b)]
        db.session.execute(insert(Attachment.__table__).values(scans))
        counter = sum(1 for d in (history["A"], history["B"]) if d.channel != "online")
        assert tuple(_flags()) == (counter, 1, 1)
        assert snapshot() == rebuilt()

    def test_a_deleted_dossier_takes_its_flags_with_its_payments(self, history):  # noqa: F811
        """The dossier's delete subtracts its flags; its payments go by cascade after it (PostgreSQL; SQLite runs
        without foreign key enforcement here and leaves them), adding nothing."""
        row = db.session.execute(select(Dossier.__table__).where(Dossier.id == history["A"].id)).mappings().one()
        clone = {k: v for k, v in row.items() if k != "id"} | {"code": "CLONE-PAID", "status": "stopped"}
        clone_id = db.session.execute(insert(Dossier.__table__).values(clone).returning(Dossier.id)).scalar_one()
        db.session.execute(insert(Payment.__table__).values(
            dossier_id=clone_id, reference="RC", amount_vnd=1000, notices=0, status="paid",
            created_at=local("2026-03-02 12:00"), expires_at=local("2026-03-03 12:00")))
        assert tuple(_flags()) == (0, 1, 1)
        db.session.execute(delete(Dossier.__table__).where(Dossier.id == clone_id))
        cascaded = db.session.get_bind().dialect.name == "postgresql"
        assert db.session.scalar(select(func.count()).select_from(Payment)) == (0 if cascaded else 1)
        assert tuple(_flags()) == (0, 0, 0)
        assert snapshot() == rebuilt()

    def test_without_the_flag_triggers_the_comparison_sees_it(self, history):  # noqa: F811
        """Control: the rebuild counts a payment the triggers were not there to see."""
        for statement in summary.drop_statements(db.session.get_bind().dialect.name):
            if "payments" in statement:
                db.session.execute(text(statement))
        db.session.execute(insert(Payment.__table__).values(
            dossier_id=history["A"].id, reference="R9", amount_vnd=1000, notices=0, status="paid",
            created_at=local("2026-03-02 12:00"), expires_at=local("2026-03-03 12:00")))
        assert tuple(_flags()) == (0, 0, 0)
        assert snapshot() != rebuilt()


def _mutate(rng: random.Random, ids: list[int], agencies: list[int]) -> None:
    dossier_id = rng.choice(ids)
    change = rng.choice(("status", "timing", "due", "rating", "apology", "channel", "owner", "received", "task",
                         "task_delete", "clone", "clone_delete", "supplements", "attach", "attach_update",
                         "attach_delete", "pay", "pay_update", "pay_delete"))
    row = db.session.execute(select(Dossier.__table__).where(Dossier.id == dossier_id)).mappings().one()
    values: dict = {}
    if change == "status":
        values["status"] = rng.choice(list(DossierStatus)).value
    elif change == "timing":
        timing = rng.choice((None, "early", "on_time", "late"))
        values["stat_timing"] = timing
        values["stat_finished_at"] = None if timing is None else row["received_at"] + timedelta(
            days=rng.randint(0, 30), hours=rng.randint(0, 23))
    elif change == "due":
        values["legal_due_at"] = row["legal_due_at"] + timedelta(days=rng.randint(-10, 10), hours=rng.randint(0, 9))
    elif change == "rating":
        values["rating"] = rng.choice((None, "very_satisfied", "satisfied", "unsatisfied"))
    elif change == "apology":
        values.update(apology_count=row["apology_count"] + 1, apology_compliant=rng.choice((True, False)))
    elif change == "channel":
        values["channel"] = rng.choice(("counter", "online", "post"))
    elif change == "owner":
        values["stat_agency_id"] = rng.choice(agencies)
    elif change == "supplements":  # stat_daily.with_supplement and one_supplement (the scorecard's contacts)
        values["supplement_count"] = rng.choice((0, 1, 1, 2, 3))
    elif change == "received":
        values["received_at"] = row["received_at"] + timedelta(hours=rng.randint(-30, 30))
    elif change in ("task", "task_delete"):
        _mutate_task(rng, dossier_id, change == "task_delete")
    elif change == "clone":
        clone = {**row, "id": None, "code": f"CLONE-{rng.randint(0, 10**9)}", "status": "stopped",
                 "finished_at": row["received_at"] + timedelta(days=rng.randint(0, 5))}
        clone.pop("id")
        db.session.execute(insert(Dossier.__table__).values(clone))
    elif change == "clone_delete":  # their payments go by cascade
        clones = select(Dossier.id).where(Dossier.code.like("CLONE-%"))
        db.session.execute(delete(Attachment.__table__).where(Attachment.dossier_id.in_(clones)))
        db.session.execute(delete(Dossier.__table__).where(Dossier.code.like("CLONE-%")))
    elif change.startswith(("attach", "pay")):
        clones = list(db.session.scalars(select(Dossier.id).where(Dossier.code.like("CLONE-%"))))
        _mutate_flags(rng, rng.choice(ids + clones), change)
    if values:
        db.session.execute(update(Dossier.__table__).where(Dossier.id == dossier_id).values(**values))


def _mutate_flags(rng: random.Random, dossier_id: int, change: str) -> None:
    """Attachments and payments (stat_daily.digitised, fee_bearing, paid): sometimes two rows in one statement."""
    model = Attachment if change.startswith("attach") else Payment
    if change in ("attach", "pay"):
        rows = []
        for _ in range(rng.choice((1, 1, 2))):
            n = rng.randint(0, 10**9)
            if model is Attachment:
                rows.append({"dossier_id": dossier_id, "stage": rng.choice(("intake", "intake", "step")),
                             "is_digitised": rng.choice((True, False)), "original_name": f"{n}.pdf",
                             "content_hash": f"{n}", "media_type": "application/pdf", "size": 1, "page_count": 1,
                             "uploaded_at": local("2026-03-02 12:00")})
            else:
                rows.append({"dossier_id": dossier_id, "reference": f"R{n}", "amount_vnd": 1000, "notices": 0,
                             "status": rng.choice(("pending", "paid", "failed")),
                             "created_at": local("2026-03-02 12:00"), "expires_at": local("2026-03-03 12:00")})
        db.session.execute(insert(model.__table__).values(rows))
        return
    existing = list(db.session.scalars(select(model.id).order_by(model.id)))
    if not existing:
        return
    row_id = rng.choice(existing)
    if change.endswith("delete"):
        db.session.execute(delete(model.__table__).where(model.id == row_id))
    elif model is Attachment:
        db.session.execute(update(model.__table__).where(model.id == row_id).values(
            is_digitised=rng.choice((True, False)), stage=rng.choice(("intake", "step"))))
    else:
        db.session.execute(update(model.__table__).where(model.id == row_id).values(
            status=rng.choice(("pending", "paid", "failed")), dossier_id=dossier_id))  # maybe to another dossier


def _mutate_task(rng: random.Random, dossier_id: int, remove: bool) -> None:
    task = db.session.execute(select(HumanTask.id, HumanTask.completed_at, HumanTask.created_at)
                              .where(HumanTask.dossier_id == dossier_id).order_by(HumanTask.id)).first()
    if task is None:
        return
    if remove:
        db.session.execute(text("DELETE FROM human_tasks WHERE id = :id"), {"id": task.id})
        return
    db.session.execute(update(HumanTask.__table__).where(HumanTask.id == task.id).values(
        status=rng.choice(("completed", "open")), timing=rng.choice(("early", "on_time", "late", None)),
        completed_at=task.created_at + timedelta(hours=rng.randint(0, 100))))


def test_rebuild_summary_command_prints_the_row_counts(app, history):  # noqa: F811
    db.session.execute(text("DELETE FROM stat_daily"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild-summary"])
    assert result.exit_code == 0 and result.output.startswith("stat_daily: ")
    assert int(result.output.split(",")[0].split(": ")[1]) > 0
    assert _received_on("2026-03-02 12:00") == 9


class TestFold:
    def test_the_scheduler_folds_the_deltas_every_few_seconds(self, app, history):  # noqa: F811
        from app.scheduler.jobs import fold_statistics
        from app.scheduler.runner import job_specs

        spec = next(s for s in job_specs(60) if s.id == "stats-fold")
        assert (spec.fn, spec.trigger, spec.options) == (fold_statistics, "interval", {"seconds": 5})
        seen = live()
        pending = db.session.scalar(select(func.count()).select_from(StatDailyDelta))
        assert pending and fold_statistics(app) > 0
        assert db.session.scalar(select(func.count()).select_from(StatDailyDelta)) == 0
        assert live() == seen and fold_statistics(app) == 0  # nothing left: nothing written

    def test_fold_command_folds_now(self, app, history):  # noqa: F811
        seen = live()
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["reports", "fold"])
        assert result.exit_code == 0 and int(result.output.split(": ")[1]) > 0
        assert db.session.scalar(select(func.count()).select_from(StatDailyDelta)) == 0
        assert live() == seen

    def test_a_rebuild_drops_the_deltas_it_recomputed(self, history):  # noqa: F811
        seen = live()
        summary.rebuild(db.session.connection())
        assert db.session.scalar(select(func.count()).select_from(StatDailyDelta)) == 0
        assert live() == seen
