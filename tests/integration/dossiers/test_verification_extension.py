"""Issue 20a: where the sector law allows it, the time limit is extended once when verification is needed."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.catalog.services import get_procedure
from app.core.errors import ValidationError
from app.dossiers import lifecycle
from app.dossiers.actions import InvalidTransitionError, available_actions
from app.dossiers.models import ClockEntry
from app.extensions import db
from app.history.services import list_events
from tests.integration.dossiers.conftest import local, official

PERMIT = "1.014199"


@pytest.fixture
def verifiable(world):
    get_procedure(PERMIT).verification_days = Decimal(5)
    db.session.commit()


def _specialist_of(desk, dossier):
    task = desk.task(dossier, "appraisal")
    return official(task.role, task.agency_id), task


def test_extension_moves_the_legal_limit_once_with_a_reason(desk, clock, verifiable):
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    before = dossier.legal_due_at
    actor, task = _specialist_of(desk, dossier)
    assert "extend_for_verification" in available_actions(actor, dossier, [task])
    with pytest.raises(ValidationError):
        lifecycle.extend_for_verification(actor, dossier.code, reason="")
    lifecycle.extend_for_verification(actor, dossier.code, reason="Xác minh hộ chiếu với cơ quan xuất nhập cảnh")
    db.session.commit()
    # 10 working days from Mon 02/03 09:00 end Mon 16/03 09:00; 5 more working days: Mon 23/03 09:00
    assert (before, dossier.legal_due_at, dossier.due_at) == (local("2026-03-16 09:00"), local("2026-03-23 09:00"),
                                                              local("2026-03-23 09:00"))
    event = [e for e in list_events(dossier.id) if e.kind == "verification_extended"][-1]
    assert event.comment.startswith("Xác minh") and event.data["previous_legal_due_at"] == before.isoformat()
    entry = db.session.query(ClockEntry).filter_by(dossier_id=dossier.id, kind="extend").one()
    assert entry.due_at.replace(tzinfo=None) == dossier.due_at.replace(tzinfo=None)
    with pytest.raises(InvalidTransitionError):
        lifecycle.extend_for_verification(actor, dossier.code, reason="Lần thứ hai, không được phép")


def test_no_extension_where_the_law_has_none(desk, clock, world):
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    actor, task = _specialist_of(desk, dossier)
    assert "extend_for_verification" not in available_actions(actor, dossier, [task])
    with pytest.raises(InvalidTransitionError):
        lifecycle.extend_for_verification(actor, dossier.code, reason="Xác minh thông tin người lao động")


def test_only_the_handling_agency_extends(desk, clock, verifiable):
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    receiver = official("receiver", dossier.receiving_agency_id)
    with pytest.raises(Exception) as refused:
        lifecycle.extend_for_verification(receiver, dossier.code, reason="Xác minh thông tin người lao động")
    assert refused.value.__class__.__name__ in ("PermissionDeniedError", "InvalidTransitionError")


def test_specialist_extends_from_the_dossier_page(client, desk, clock, verifiable):
    from tests.functional.ui_world import Officials

    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    officials = Officials(client)
    receiver_page = officials.login("tiepnhan").get(f"/dossiers/{dossier.code}")
    assert "action-verification" not in receiver_page.text  # the counter does not decide on verification
    specialist = officials.login("chuyenvien.snv")
    page = specialist.get(f"/dossiers/{dossier.code}")
    assert "action-verification" in page.text and "thêm 5 ngày làm việc" in page.text
    assert specialist.post(f"/dossiers/{dossier.code}/verification",
                           data={"verification-reason": ""}).status_code == 422
    response = specialist.post(f"/dossiers/{dossier.code}/verification",
                               data={"verification-reason": "Xác minh hộ chiếu với cơ quan xuất nhập cảnh"})
    assert response.status_code == 302
    page = specialist.get(f"/dossiers/{dossier.code}")
    assert 'id="verification-extended"' in page.text and "23/03/2026 09:00" in page.text
    assert "action-verification" not in page.text  # once


def test_the_applicant_is_told_the_new_date(desk, clock, verifiable):
    from app.notify.models import Notification

    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    actor, _task = _specialist_of(desk, dossier)
    lifecycle.extend_for_verification(actor, dossier.code, reason="Xác minh hộ chiếu với cơ quan xuất nhập cảnh")
    db.session.commit()
    from app.core.db import utcnow
    from app.notify.services import deliver_pending

    deliver_pending(utcnow())  # citizens' messages are worded when they are sent
    bodies = [n.body for n in db.session.query(Notification).filter_by(dossier_id=dossier.id)]
    assert any("gia hạn" in b and "23/03/2026 09:00" in b for b in bodies), bodies
