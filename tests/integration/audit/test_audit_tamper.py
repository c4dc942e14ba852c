"""Tampering the chain alone could not see: edits of the dossier row and of the engine state, and rewrites
after the anchors were deleted from (or never written to) the database (issue 13, point 8)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.audit import anchors
from app.audit.reexecute import reexecute_dossier
from app.audit.verify import verify_dossier
from app.core.db import unit_of_work
from app.extensions import db
from app.workflow.models import ProcessInstance
from tests.integration.audit.conftest import first_break, rewrite_chain


@pytest.fixture
def dossier(desk, clock):
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.014199").dossier
    desk.run_to_end(dossier)
    return dossier



class TestRowAndStateCommitments:
    def test_a_handled_dossier_verifies_with_its_row_and_state(self, dossier):
        assert verify_dossier(dossier).ok

    @pytest.mark.parametrize(("column", "value"), [("status", "refused"), ("rating", "very_satisfied"),
                                                   ("applicant_name", "Người Khác"), ("outcome", "refused"),
                                                   ("timing", "late"), ("apology_count", 1)])
    def test_an_edit_of_the_dossier_row_is_reported(self, dossier, tamper, column, value):
        tamper(f"UPDATE dossiers SET {column} = :v WHERE id = :id", v=value, id=dossier.id)
        assert first_break(dossier).kind == "row_edited"

    def test_an_edit_of_the_due_date_is_reported(self, dossier, tamper):
        tamper("UPDATE dossiers SET legal_due_at = received_at WHERE id = :id", id=dossier.id)
        assert first_break(dossier).kind == "row_edited"

    def test_turning_approve_into_refuse_in_the_engine_state_is_reported(self, dossier, tamper):
        state = db.session.scalar(select(ProcessInstance.state_json).where(ProcessInstance.dossier_id == dossier.id))
        assert '"approve"' in state
        tamper("UPDATE process_instances SET state_json = :s WHERE dossier_id = :id",
               s=state.replace('"approve"', '"refuse"'), id=dossier.id)
        assert reexecute_dossier(dossier).ok  # re-execution compares fingerprints only ...
        problem = first_break(dossier)  # ... the chain now commits to the stored state itself
        assert problem.kind == "state_edited" and "state" in problem.message("en")


class TestPublishedAnchors:
    def _anchor(self, day: date):
        with unit_of_work():
            return anchors.create_anchor(day)

    def _forge(self, dossier):
        def change(fields):
            fields["data"] = {**fields["data"], "input": {**fields["data"]["input"], "opinion": "Đã sửa"}}

        rewrite_chain(dossier.id, 3, change)

    def test_each_anchor_is_published_signed_outside_the_database(self, dossier, anchor_file):
        anchor = self._anchor(date(2026, 12, 31))
        [line] = anchor_file.read_text().splitlines()
        record = json.loads(line)
        assert record["digest"] == anchor.digest and len(record["sig"]) == 64
        assert anchors.verify_anchors() == []

    def test_a_tail_rewrite_after_the_anchor_rows_were_deleted_is_reported(self, dossier, tamper):
        self._anchor(date(2026, 12, 31))
        self._forge(dossier)
        tamper("DELETE FROM audit_anchors")
        assert verify_dossier(dossier).ok  # the rewritten chain is self-consistent
        messages = [p.message("en") for p in anchors.verify_anchors()]
        assert any("deleted or altered in the database" in m for m in messages)
        assert any("rewritten" in m for m in messages)

    def test_an_edited_published_file_is_reported(self, dossier, anchor_file):
        self._anchor(date(2026, 12, 31))
        anchor_file.write_text(anchor_file.read_text().replace('"chains": 1', '"chains": 2'))
        assert any("invalid" in p.message("en") for p in anchors.verify_anchors())

    def test_the_cli_verify_fails_on_a_rewrite_hidden_from_the_database(self, app, dossier, tamper):
        self._anchor(date(2026, 12, 31))
        self._forge(dossier)
        tamper("DELETE FROM audit_anchors")
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 1 and "rewritten" in result.output
