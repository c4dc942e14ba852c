"""One joined load per task action, permission checked once, tasks projected from the loaded rows (issue 15)."""
from __future__ import annotations

import pytest

from app.core.errors import NotFoundError, PermissionDeniedError
from app.dossiers import actions, lifecycle
from app.dossiers.actions import Allowed
from app.dossiers.pipeline import Step, perform
from app.dossiers.services import load_task_context
from app.extensions import db
from app.history.services import HistoryEvent
from tests.factories.dossiers import form_data
from tests.integration.dossiers.conftest import official


class TestTaskContext:
    def test_one_statement_loads_task_dossier_instance_open_tasks_and_agencies(self, desk, clock, count_queries):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task_id = desk.task(dossier, "appraisal").id
        db.session.expire_all()
        before = count_queries.count
        ctx = load_task_context(task_id)
        read = (ctx.dossier.code, ctx.dossier.procedure.code, ctx.dossier.receiving_agency.code,
                ctx.dossier.handling_agency.code, ctx.dossier.current_agency.code, ctx.instance.model_hash,
                [(t.id, db.session.get(type(ctx.agencies[0]), t.agency_id).code) for t in ctx.open_tasks])
        assert count_queries.count - before == 1, count_queries.statements[before:]
        assert ctx.task.id == task_id and read[-1] == [(task_id, ctx.dossier.handling_agency.code)]
        assert ctx.instance.dossier_id == dossier.id

    def test_the_statement_selects_only_the_columns_an_action_reads(self, desk, clock, count_queries):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task_id = desk.task(dossier, "appraisal").id
        db.session.expire_all()
        before = count_queries.count
        load_task_context(task_id)
        selected = count_queries.statements[before].split(" FROM ")[0]
        assert selected.count(",") + 1 <= 135  # the full rows of the joined entities are 186 columns

    def test_a_column_left_unloaded_is_read_when_asked_for(self, desk, clock, count_queries):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task_id, form, documents = desk.task(dossier, "appraisal").id, dict(dossier.form_data), list(dossier.documents)
        db.session.expire_all()
        ctx = load_task_context(task_id)
        before = count_queries.count
        assert (ctx.dossier.form_data, ctx.dossier.documents) == (form, documents)
        assert ctx.dossier.procedure.agency_map is not None and ctx.dossier.procedure.handling_agency.code
        assert count_queries.count - before <= 3  # the dossier's columns, the procedure's, its agency if not loaded

    def test_a_closed_task_comes_with_the_tasks_open_now(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        done = desk.complete(dossier, "appraisal")
        ctx = load_task_context(done.id, instance=False)
        assert not ctx.task.is_open and ctx.instance is None
        assert [t.step_kind for t in ctx.open_tasks] == ["approval"]

    def test_an_unknown_task_is_a_404(self, world):
        with pytest.raises(NotFoundError):
            load_task_context(2_000_000_000)


class TestPermissionCheckedOnce:
    def test_a_completion_checks_the_actor_once(self, desk, clock, monkeypatch):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        actor = official(task.role, task.agency_id)
        checks = []
        real = actions.refusal
        monkeypatch.setattr(actions, "refusal", lambda *a, **k: checks.append(a[1]) or real(*a, **k))
        lifecycle.complete_task(actor, task.id, form_data(task.form_key))
        assert checks == ["complete_step"]

    def test_a_proof_for_another_action_does_not_let_an_outsider_through(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        outsider = official("receiver", dossier.receiving_agency_id)  # holds no specialist role anywhere
        forged = Allowed("comment", dossier, outsider)
        step = Step("complete_step", dossier, outsider, task=task, engine_input={}, allowed=forged,
                    event=HistoryEvent(""))
        with pytest.raises(PermissionDeniedError):
            perform(step)


class TestProjectionFromLoadedRows:
    def test_a_completion_reads_no_task_row_again_and_flushes_once(self, desk, clock, count_queries):
        clock("2026-03-02 09:00")
        dossier = desk.receive("1.014199").dossier
        task = desk.task(dossier, "appraisal")
        actor = official(task.role, task.agency_id)
        data, task_id = form_data(task.form_key), task.id
        db.session.commit()  # the rows a request starts without
        assert [a.agency.code for a in actor.roles]  # the actor is the request's, not the action's
        before = count_queries.count
        outcome = lifecycle.complete_task(actor, task_id, data)
        statements = count_queries.statements[before:]
        assert [s.split()[0] for s in statements].count("SELECT") == 1, statements
        assert sum(s.startswith("UPDATE dossiers") for s in statements) == 1, statements
        assert [t.step_kind for t in outcome.open_tasks] == ["approval"] and outcome.open_tasks[0].id
