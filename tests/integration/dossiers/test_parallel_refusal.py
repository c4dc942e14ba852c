"""Issue 20d: in the liên thông for children under 6 (Decree 63/2024), residence and health insurance run in
parallel; a refusal of one part refuses that procedure only, the other results are still issued and returned.
A refusal of the birth registration (the chain's precondition) still refuses the whole dossier."""
from __future__ import annotations

from app.auth.services import get_agency_by_code
from app.dossiers.models import DossierStatus
from app.extensions import db
from app.history.services import list_events
from tests.integration.dossiers.test_law import CHILD, receive


def _play(desk, dossier, refuse_at: str | None, refuse_kind: str = "appraisal"):
    refuse_agency = get_agency_by_code(refuse_at).id if refuse_at else None
    for _ in range(15):
        tasks = desk.open_tasks(dossier)
        if not tasks:
            break
        task = tasks[0]
        refuse = task.agency_id == refuse_agency and task.step_kind == refuse_kind
        desk.complete(dossier, task.step_kind, "refuse" if refuse else "approve",
                      comment="Không đủ điều kiện" if refuse else None)
    db.session.refresh(dossier)


def test_a_refused_parallel_part_leaves_the_other_results(desk, clock):
    clock("2026-03-02 08:00")
    dossier = receive(desk, CHILD, "H38.TTPVHCC", "15880")
    dossier.applicant_phone = "0912345678"  # the applicant is told of each status change
    db.session.commit()
    _play(desk, dossier, "15880.CA")
    kinds = [e.kind for e in list_events(dossier.id)]
    assert "part_refused" in kinds and "refused" not in kinds
    assert dossier.outcome == "approved" and dossier.decided_at is None
    assert dossier.status is DossierStatus.RETURNED
    part = [e for e in list_events(dossier.id) if e.kind == "part_refused"][0]
    assert part.data["part"] == "child_under6_residence" and part.comment == "Không đủ điều kiện"
    from app.core.db import utcnow
    from app.notify.models import Notification
    from app.notify.services import deliver_pending

    deliver_pending(utcnow())  # citizens' messages are worded when they are sent
    bodies = [n.body for n in db.session.query(Notification).filter_by(dossier_id=dossier.id)]
    assert any("không được giải quyết" in b and "thường trú" in b.lower() for b in bodies), bodies
    assert not any("không đủ điều kiện giải quyết. Lý do" in b for b in bodies)  # the whole-dossier refusal text


def test_a_refused_birth_registration_refuses_the_whole_chain(desk, clock):
    clock("2026-03-02 08:00")
    dossier = receive(desk, CHILD, "H38.TTPVHCC", "15880")
    _play(desk, dossier, "15880")
    assert dossier.outcome == "refused" and dossier.status is DossierStatus.REFUSED
