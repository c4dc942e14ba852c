"""The hash chain catches every way of altering the event log directly in the database (issue 8)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit import anchors
from app.audit.verify import verify_dossier
from app.dossiers import lifecycle
from app.extensions import db
from app.history.chain import GENESIS, event_hash
from app.history.models import DossierEvent
from tests.integration.audit.conftest import dialect, first_break, json_param, official, rewrite_chain

EDITS = {
    "kind": "kind = 'refused'",
    "actor_id": "actor_id = NULL",
    "actor_name": "actor_name = 'Người khác'",
    "role": "role = 'leader'",
    "agency_id": "agency_id = NULL",
    "from_step": "from_step = 'Bước khác'",
    "to_step": "to_step = 'Bước khác'",
    "comment": "comment = 'Ý kiến đã sửa'",
    "is_internal": "is_internal = NOT is_internal",
    "model_hash": f"model_hash = '{'a' * 64}'",
    "state_fingerprint": f"state_fingerprint = '{'b' * 64}'",
    "prev_hash": f"prev_hash = '{'c' * 64}'",
    "hash": f"hash = '{'d' * 64}'",
}


@pytest.fixture
def dossier(desk, clock):
    """A work permit handled from receipt to return, with an internal comment: 8 events."""
    clock("2026-03-02 08:00")
    dossier = desk.receive("1.014199").dossier
    desk.complete(dossier, "appraisal", comment="Đủ điều kiện")
    lifecycle.add_comment(official("leader", desk.task(dossier).agency_id), dossier.code, "Ưu tiên xử lý")
    db.session.commit()
    desk.run_to_end(dossier)
    assert dossier.event_seq >= 7
    return dossier



def _event_id(dossier, seq: int) -> int:
    return db.session.scalar(select(DossierEvent.id).where(DossierEvent.dossier_id == dossier.id,
                                                           DossierEvent.seq == seq))


class TestIntactChain:
    def test_a_dossier_handled_through_the_services_verifies(self, dossier):
        report = verify_dossier(dossier)
        assert report.ok and report.events == dossier.event_seq

    def test_every_event_links_to_the_previous_one(self, dossier):
        events = list(db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                                         .order_by(DossierEvent.seq)))
        assert events[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
        assert events[-1].hash == dossier.last_event_hash


class TestEditedEvent:
    @pytest.mark.parametrize("field", sorted(EDITS))
    def test_editing_any_field_is_reported_at_that_event(self, dossier, tamper, field):
        tamper(f"UPDATE dossier_events SET {EDITS[field]} WHERE id = :id", id=_event_id(dossier, 3))
        problem = first_break(dossier)
        assert (problem.seq, problem.kind) == (3, "edited")
        assert "#3" in problem.message("vi") and "edited" in problem.message("en")

    def test_editing_the_recorded_instant_is_reported(self, dossier, tamper):
        at = db.session.scalar(select(DossierEvent.at).where(DossierEvent.id == _event_id(dossier, 4)))
        shifted = at + timedelta(minutes=1)
        value = shifted.replace(tzinfo=None) if dialect() == "sqlite" else shifted
        tamper("UPDATE dossier_events SET at = :v WHERE id = :id", v=value, id=_event_id(dossier, 4))
        assert (first_break(dossier).seq, first_break(dossier).kind) == (4, "edited")

    def test_editing_the_submitted_data_is_reported(self, dossier, tamper):
        tamper(f"UPDATE dossier_events SET data = {json_param(dialect())} WHERE id = :id",
               v='{"task": "appraisal", "input": {"decision": "refuse"}}', id=_event_id(dossier, 3))
        assert (first_break(dossier).seq, first_break(dossier).kind) == (3, "edited")

    def test_an_edit_re_hashed_in_place_is_caught_by_the_next_event(self, dossier, tamper):
        event = db.session.get(DossierEvent, _event_id(dossier, 3))
        fields = {**event.chain_fields(), "actor_name": "Người khác"}
        tamper("UPDATE dossier_events SET actor_name = :n, hash = :h WHERE id = :id", n="Người khác",
               h=event_hash(fields), id=event.id)
        assert (first_break(dossier).seq, first_break(dossier).kind) == (3, "rehashed")

    def test_re_hashing_the_last_event_is_caught_by_the_dossier_head(self, dossier, tamper):
        last = dossier.event_seq
        event = db.session.get(DossierEvent, _event_id(dossier, last))
        fields = {**event.chain_fields(), "comment": "Sửa"}
        tamper("UPDATE dossier_events SET comment = 'Sửa', hash = :h WHERE id = :id", h=event_hash(fields),
               id=event.id)
        assert (first_break(dossier).seq, first_break(dossier).kind) == (last, "rehashed")


class TestDeletedReorderedInserted:
    def test_a_deleted_event_is_reported_as_a_gap(self, dossier, tamper):
        tamper("DELETE FROM dossier_events WHERE id = :id", id=_event_id(dossier, 4))
        assert (first_break(dossier).seq, first_break(dossier).kind) == (4, "deleted")

    def test_deleting_the_first_event_is_reported(self, dossier, tamper):
        tamper("DELETE FROM dossier_events WHERE id = :id", id=_event_id(dossier, 1))
        assert (first_break(dossier).seq, first_break(dossier).kind) == (1, "deleted")

    def test_a_cut_tail_is_reported_against_the_dossier_head(self, dossier, tamper):
        last = dossier.event_seq
        tamper("DELETE FROM dossier_events WHERE dossier_id = :d AND seq >= :s", d=dossier.id, s=last - 1)
        problem = first_break(dossier)
        assert (problem.seq, problem.kind) == (last - 1, "truncated")
        assert f"#{last}" in problem.message("en")

    def test_swapped_events_are_reported_as_reordered(self, dossier, tamper):
        first, second = _event_id(dossier, 3), _event_id(dossier, 4)
        tamper("UPDATE dossier_events SET seq = -1 WHERE id = :id", id=first)
        tamper("UPDATE dossier_events SET seq = 3 WHERE id = :id", id=second)
        tamper("UPDATE dossier_events SET seq = 4 WHERE id = :id", id=first)
        problem = first_break(dossier)
        assert (problem.seq, problem.kind) == (3, "reordered")
        assert problem.extra["original"] == 4

    def test_an_event_appended_behind_the_head_is_reported_as_inserted(self, dossier, tamper):
        last = db.session.get(DossierEvent, _event_id(dossier, dossier.event_seq))
        fields = {"seq": last.seq + 1, "kind": "comment", "at": last.at, "prev_hash": last.hash,
                  "comment": "Bổ sung sau", "data": {}, "is_internal": False}
        at = fields["at"].replace(tzinfo=None) if dialect() == "sqlite" else fields["at"]
        tamper("INSERT INTO dossier_events (dossier_id, dossier_year, seq, kind, at, is_internal, data, prev_hash, "
               f"hash, comment) VALUES (:d, :y, :s, 'comment', :at, false, {json_param(dialect())}, :p, :h, :c)",
               d=dossier.id, y=last.dossier_year, s=last.seq + 1, at=at, v="{}", p=last.hash, h=event_hash(fields),
               c="Bổ sung sau")
        assert (first_break(dossier).seq, first_break(dossier).kind) == (last.seq + 1, "inserted")


class TestAnchors:
    def test_a_whole_chain_rewrite_passes_the_chain_check_but_not_the_anchor(self, dossier):
        anchor = anchors.create_anchor(date(2026, 12, 31))
        db.session.commit()
        assert [dossier.id, dossier.event_seq, dossier.last_event_hash] in anchor.heads

        def forge(fields):
            fields["data"] = {**fields["data"], "input": {**fields["data"]["input"], "opinion": "Đã sửa"}}

        rewrite_chain(dossier.id, 3, forge)
        assert verify_dossier(dossier).ok
        problems = anchors.verify_anchors()
        assert problems and "31/12/2026" in problems[0].message("vi")

    def test_anchors_are_chained_and_an_altered_anchor_is_reported(self, dossier, tamper):
        first = anchors.create_anchor(date(2026, 12, 30))
        second = anchors.create_anchor(date(2026, 12, 31))
        db.session.commit()
        assert second.prev_digest == first.digest and anchors.verify_anchors() == []
        tamper("UPDATE audit_anchors SET digest = :d WHERE id = :id", d="e" * 64, id=first.id)
        assert len(anchors.verify_anchors()) == 2  # the altered anchor and its successor's broken link
        # (created without the unit of work, so nothing was published outside: see test_audit_tamper.py)

    def test_an_anchor_only_covers_events_recorded_up_to_its_day(self, dossier):
        anchor = anchors.create_anchor(date(2026, 3, 1))
        assert anchor.chain_count == 0 and anchor.heads == []


class TestAppendOnlyTrigger:
    @pytest.mark.postgres_only
    def test_the_database_refuses_an_ordinary_update_or_delete_of_an_event(self, dossier):
        if dialect() != "postgresql":
            pytest.skip("the trigger exists on PostgreSQL only")
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from tests.dbutil import raw_transaction

        def as_the_app(statement: str, **params):  # no replica mode: what the application's own role can do
            with raw_transaction() as conn:
                conn.execute(text(statement), params)

        with pytest.raises(DBAPIError, match="append-only"):
            as_the_app("UPDATE dossier_events SET actor_name = 'x' WHERE id = :id", id=_event_id(dossier, 3))
        with pytest.raises(DBAPIError, match="append-only"):
            as_the_app("DELETE FROM dossier_events WHERE id = :id", id=_event_id(dossier, 3))
        db.session.expire_all()
        assert verify_dossier(dossier).ok


def test_cli_verify_exits_non_zero_and_names_the_broken_event(app, dossier, tamper):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "OK" in ok.output
    tamper("DELETE FROM dossier_events WHERE id = :id", id=_event_id(dossier, 2))
    broken = runner.invoke(args=["audit", "verify", "--dossier", dossier.code])
    assert broken.exit_code == 1
    assert f"{dossier.code}: Sự kiện #2 đã bị xóa" in broken.output and "Event #2 was deleted" in broken.output


def test_cli_anchor_stores_the_day_digest(app, dossier):
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--day", "2026-12-31"])
    assert result.exit_code == 0, result.output
    day, count, digest = result.output.split()
    assert (day, int(count), len(digest)) == ("2026-12-31", 1, 64)
