"""An online dossier's time limit runs from the receiver's acceptance (the intake step), not from the submission;
the counter's receipt is unchanged."""
from __future__ import annotations

from sqlalchemy import select

from app.dossiers.models import ClockEntry
from app.extensions import db
from app.history.services import list_events
from tests.integration.dossiers.conftest import local

PERMIT = "1.014199"  # 10 working days


def _kinds(dossier) -> list[str]:
    return [c.kind for c in db.session.scalars(select(ClockEntry).where(ClockEntry.dossier_id == dossier.id)
                                               .order_by(ClockEntry.id))]


def test_the_limit_of_an_online_dossier_starts_when_the_receiver_accepts_it(desk, clock):
    clock("2026-03-02 09:00")  # submitted on Monday morning
    dossier = desk.receive(PERMIT, channel="online").dossier
    assert dossier.legal_due_at == local("2026-03-16 09:00")  # provisional, from the submission
    clock("2026-03-04 14:00")  # accepted on Wednesday afternoon
    desk.complete(dossier, "intake")
    db.session.refresh(dossier)
    assert dossier.clock_started_at == local("2026-03-04 14:00")
    assert dossier.legal_due_at == dossier.due_at == local("2026-03-18 14:00")
    assert _kinds(dossier) == ["start", "restart"]
    kinds = [e.kind for e in list_events(dossier.id)]
    assert kinds[:3] == ["received", "receipt_accepted", "task_completed"]


def test_a_counter_receipt_keeps_its_clock(desk, clock):
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    assert dossier.legal_due_at == local("2026-03-16 09:00") and _kinds(dossier) == ["start"]
    assert "receipt_accepted" not in [e.kind for e in list_events(dossier.id)]
