"""Retention: closed dossiers past their period are archived as bundles and lose their personal data, while the
chain still proves that nothing else changed."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.audit import retention
from app.audit.models import ArchiveRecord
from app.audit.reexecute import reexecute_dossier
from app.audit.verify import verify_dossier
from app.extensions import db
from app.history.chain import is_redacted_data, redact_data
from app.history.models import DossierEvent
from tests.integration.audit.conftest import dialect, json_param
from tests.integration.audit.test_audit_bundle import run_tool

LATER = datetime(2036, 6, 1, tzinfo=UTC)


@pytest.fixture
def closed(desk, clock):
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.014199").dossier
    desk.run_to_end(dossier)
    dossier.procedure.retention_years = 5
    db.session.commit()
    return dossier


def _events(dossier):
    return list(db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                                   .order_by(DossierEvent.seq)))


class TestDue:
    def test_a_closed_dossier_is_due_once_its_procedure_retention_period_has_passed(self, closed):
        assert retention.list_due(datetime(2031, 3, 1, tzinfo=UTC)) == []
        due = retention.list_due(LATER)
        assert [(d.dossier.code, d.retention_years) for d in due] == [(closed.code, 5)]

    def test_open_dossiers_are_never_due(self, desk, clock):
        clock("2026-03-02 08:00")
        desk.receive("1.014199")
        assert retention.list_due(LATER) == []


class TestArchive:
    def test_archiving_exports_the_full_bundle_then_removes_personal_data(self, closed, tmp_path):
        original = {e.seq: e.data for e in _events(closed)}
        [item] = retention.archive_due(tmp_path, now=LATER, actor_name="test")
        db.session.commit()
        db.session.expire_all()
        record = db.session.scalar(select(ArchiveRecord))
        assert run_tool(tmp_path / f"{closed.code}.zip").returncode == 0
        assert record.bundle_path.endswith(f"{closed.code}.zip") and record.redacted_events == closed.event_seq - 1
        assert _events(closed)[-1].kind == "archived"  # the row's new (redacted) state is committed to the chain
        assert closed.applicant_name == retention.REMOVED and closed.applicant_id_number is None
        assert closed.form_data == {} and closed.applicant_phone is None
        for event in _events(closed)[:-1]:
            assert event.data == redact_data(original[event.seq])
        assert "Nguyễn Văn An" not in json.dumps([e.data for e in _events(closed)], ensure_ascii=False)

    def test_the_chain_of_an_archived_dossier_still_verifies_and_counts_redactions(self, closed, tmp_path):
        retention.archive_due(tmp_path, now=LATER)
        db.session.commit()
        report = verify_dossier(closed)
        assert report.ok and report.redacted == closed.event_seq - 1
        assert reexecute_dossier(closed).outcome == "unverifiable"

    def test_a_dry_run_changes_nothing(self, closed, tmp_path):
        due = retention.archive_due(tmp_path, dry_run=True, now=LATER)
        db.session.commit()
        assert len(due) == 1 and not list(tmp_path.iterdir())
        assert not any(is_redacted_data(e.data) for e in _events(closed))

    def test_a_redaction_hiding_a_changed_payload_is_detected(self, closed, tmp_path, tamper):
        retention.archive_due(tmp_path, now=LATER)
        db.session.commit()
        event = _events(closed)[2]
        tamper(f"UPDATE dossier_events SET data = {json_param(dialect())} WHERE id = :id",
               v=json.dumps(redact_data({"input": {"decision": "refuse"}})), id=event.id)
        assert (verify_dossier(closed).problem.seq, verify_dossier(closed).problem.kind) == (3, "edited")

    def test_redacting_a_dossier_that_was_never_archived_is_reported(self, closed, tamper):
        event = _events(closed)[1]
        tamper(f"UPDATE dossier_events SET data = {json_param(dialect())} WHERE id = :id",
               v=json.dumps(redact_data(event.data)), id=event.id)
        problem = verify_dossier(closed).problem
        assert (problem.seq, problem.kind) == (2, "redacted")


def test_cli_archive_lists_then_archives_into_the_configured_folder(app, closed, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_ARCHIVE_DIR", str(tmp_path))
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["audit", "archive", "--dry-run", "--today", "2036-06-01"])
    assert listed.exit_code == 0 and closed.code in listed.output and not list(tmp_path.iterdir())
    done = runner.invoke(args=["audit", "archive", "--today", "2036-06-01"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / f"{closed.code}.zip").exists()
    db.session.expire_all()
    assert verify_dossier(closed).ok and closed.applicant_name == retention.REMOVED
