"""Audit tests reuse the dossier desk (the tests' world, officials acting through the real services, a clock) and
tamper with the event log the way a DBA-level attacker would."""
from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.history.chain import event_hash
from app.history.models import DossierEvent
from tests.dbutil import run_as_dba
from tests.integration.dossiers.conftest import Desk, clock, desk, local, official, world  # noqa: F401


@pytest.fixture
def tamper():
    yield run_as_dba
    db.session.expire_all()


def json_param(conn_dialect: str) -> str:
    return "CAST(:v AS JSON)" if conn_dialect == "postgresql" else ":v"


def dialect() -> str:
    return db.engine.dialect.name


def rewrite_chain(dossier_id: int, from_seq: int, change=None) -> None:
    """Re-hash every event from `from_seq` (after `change(fields)` edits that event) and move the dossier head:
    the chain is self-consistent again, as a careful attacker would leave it."""
    db.session.expire_all()
    events = list(db.session.scalars(db.select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
                                     .order_by(DossierEvent.seq)))
    previous = events[from_seq - 2].hash if from_seq > 1 else "0" * 64
    for event in events[from_seq - 1:]:
        fields = {**event.chain_fields(), "prev_hash": previous}
        if change and event.seq == from_seq:
            change(fields)
        digest = event_hash(fields)
        run_as_dba(f"UPDATE dossier_events SET data = {json_param(dialect())}, prev_hash = :p, hash = :h "
                   "WHERE id = :id", v=json.dumps(fields["data"]), p=previous, h=digest, id=event.id)
        previous = digest
    run_as_dba("UPDATE dossiers SET last_event_hash = :h WHERE id = :id", h=previous, id=dossier_id)
    db.session.expire_all()


def first_break(dossier):
    """The first break `verify_dossier` reports after tampering (fails the test if there is none)."""
    from app.audit.verify import verify_dossier

    db.session.expire_all()
    report = verify_dossier(dossier)
    assert not report.ok, "tampering went unnoticed"
    return report.problem
