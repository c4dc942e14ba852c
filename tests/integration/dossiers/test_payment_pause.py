"""Issues 17 and 20: where handling waits for the fee (Procedure.fee_before_handling, the household business
registration of the demo), receipt or acceptance while the fee is owed pauses the clock; the payment (the gateway's
signed notification, or the counter's cash) resumes it and every due date moves by the paused working time.
Handling is not blocked meanwhile; the statistics count the dossier as paused, never overdue."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.connectors.payment import PaymentOutcome
from app.core.db import utcnow
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.history.services import list_events
from app.notify.models import Notification
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus
from app.reports import semantics
from app.reports.models import LiveDaily
from tests.integration.dossiers.conftest import local, official

HOUSEHOLD = "1.001612"  # 3 working days, 100.000 đ, handling waits for the fee
PERMIT = "1.014199"  # a fee, but the clock does not wait for it
WARD = "14797"


def _kinds(dossier) -> list[str]:
    return [c.kind for c in db.session.scalars(select(ClockEntry).where(ClockEntry.dossier_id == dossier.id)
                                               .order_by(ClockEntry.id))]


def _accepted_online(desk, clock, at: str) -> Dossier:
    clock(at)
    dossier = desk.receive(HOUSEHOLD, WARD, channel="online").dossier
    desk.complete(dossier, "intake")  # the receiver accepts it
    db.session.refresh(dossier)
    return dossier


def _pay_online(dossier) -> Payment:
    """A payment opened for the fee due, confirmed by the gateway's (verified) notification."""
    payment = Payment(dossier_id=dossier.id, reference="MCTEST" + str(dossier.id), amount_vnd=payments.fee_due(dossier),
                      status=PaymentStatus.PENDING, expires_at=utcnow() + timedelta(minutes=15))
    db.session.add(payment)
    db.session.flush()
    payments.confirm(PaymentOutcome(payment.reference, "TXN" + str(dossier.id), payment.amount_vnd, "success"),
                     "notify")
    db.session.commit()
    db.session.refresh(dossier)
    return payment


def _open_step_due(desk, dossier):
    return sorted(t.due_at for t in desk.open_tasks(dossier) if t.due_at)


def test_acceptance_while_the_fee_is_owed_pauses_the_clock_and_tells_the_citizen(desk, clock):
    dossier = _accepted_online(desk, clock, "2026-04-24 10:00")  # Friday
    assert dossier.clock_paused_at == local("2026-04-24 10:00")
    assert _kinds(dossier) == ["start", "restart", "pause"]
    events = [e.kind for e in list_events(dossier.id)]
    assert events[:4] == ["received", "receipt_accepted", "fee_awaited", "task_completed"]
    [awaited] = [e for e in list_events(dossier.id) if e.kind == "fee_awaited"]
    assert awaited.data["amount_vnd"] == 100000
    told = db.session.scalars(select(Notification).where(Notification.dossier_id == dossier.id,
                                                         Notification.event_kind == "fee_awaited")).all()
    assert {n.channel for n in told} == {"sms"} and told[0].context["amount"] == "100.000"
    assert desk.open_tasks(dossier), "handling is not blocked while the fee is owed"


def test_payment_resumes_the_clock_and_moves_the_due_dates_across_the_holiday(desk, clock):
    dossier = _accepted_online(desk, clock, "2026-04-24 10:00")  # Fri; Mon 27/4 is Hùng Kings, 30/4 and 1/5 off
    assert dossier.legal_due_at == dossier.due_at == local("2026-05-04 10:00")
    [step_due] = _open_step_due(desk, dossier)
    clock("2026-04-28 09:00")  # paid on Tuesday: Fri 10:00-17:00 (5.5 h) + Tue 07:30-09:00 (1.5 h) = 7 h paused
    _pay_online(dossier)
    assert dossier.clock_paused_at is None
    assert dossier.legal_due_at == dossier.due_at == local("2026-05-05 09:00")  # Mon 4/5 10:00 + 7 working hours
    from app.calendar.services import get_calendar

    assert _open_step_due(desk, dossier) == [get_calendar(dossier.receiving_agency_id).add_working_hours(step_due, 7)]
    assert _kinds(dossier) == ["start", "restart", "pause", "resume"]
    [paid] = [e for e in list_events(dossier.id) if e.kind == "fee_paid"]
    assert paid.data["paused_hours"] == 7.0 and paid.data["legal_due_at"] == local("2026-05-05 09:00").isoformat()


def test_the_counter_receipt_pauses_until_the_cash_is_confirmed(desk, clock):
    clock("2026-03-06 16:00")  # Friday afternoon at the ward's counter
    dossier = desk.receive(HOUSEHOLD, WARD).dossier
    assert dossier.clock_paused_at is not None and _kinds(dossier) == ["start", "pause"]
    assert dossier.legal_due_at == local("2026-03-11 16:00")
    clock("2026-03-09 08:30")  # Monday: 1 h on Friday + 1 h on Monday
    receiver = official("receiver", dossier.receiving_agency_id)
    payment = payments.confirm_cash(receiver, dossier)
    db.session.commit()
    assert (payment.confirmed_by, payment.amount_vnd, payment.is_paid) == ("counter", 100000, True)
    assert dossier.clock_paused_at is None and dossier.legal_due_at == local("2026-03-12 08:30")  # Wed 16:00 + 2 h
    assert payments.fee_due(dossier) == 0


def test_no_pause_when_the_procedure_does_not_wait_or_the_fee_is_zero_or_paid(desk, clock):
    clock("2026-03-02 09:00")
    permit = desk.receive(PERMIT, channel="online").dossier
    desk.complete(permit, "intake")
    assert permit.clock_paused_at is None and "pause" not in _kinds(permit)

    online = desk.receive(HOUSEHOLD, WARD, channel="online").dossier
    _pay_online(online)  # paid before the receiver accepts it: nothing is owed at acceptance
    desk.complete(online, "intake")
    db.session.refresh(online)
    assert online.clock_paused_at is None and _kinds(online) == ["start", "restart"]

    from app.catalog.services import get_procedure

    get_procedure(HOUSEHOLD).fees[0].amount_vnd = 0  # a version of the procedure without a fee
    db.session.commit()
    free = desk.receive(HOUSEHOLD, WARD).dossier
    assert free.clock_paused_at is None and _kinds(free) == ["start"]


def test_a_dossier_paused_for_its_fee_counts_as_paused_not_overdue(desk, clock):
    dossier = _accepted_online(desk, clock, "2026-03-02 09:00")
    later = local("2026-03-20 09:00")  # far past the legal due date (5/3), the fee still owed
    clock("2026-03-20 09:00")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(semantics.PAUSED, Dossier.id == dossier.id)) == 1
    assert db.session.scalar(select(func.count()).where(semantics.overdue(later), Dossier.id == dossier.id)) == 0
    assert db.session.scalar(select(func.coalesce(func.sum(LiveDaily.overdue_delta), 0))) == 0
    _pay_online(dossier)  # resumed: due 5/3 + 10 days of working time: still not overdue on 20/3
    assert db.session.scalar(select(func.count()).where(semantics.overdue(later), Dossier.id == dossier.id)) == 0
    assert dossier.legal_due_at > later


def test_a_supplement_restart_stays_paused_while_the_fee_is_owed(desk, clock):
    from app.dossiers import lifecycle

    clock("2026-03-02 09:00")  # Monday, at the ward's counter, unpaid
    dossier = desk.receive(HOUSEHOLD, WARD).dossier
    clock("2026-03-02 10:00")
    desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hợp đồng thuê địa điểm")
    clock("2026-03-03 09:00")
    receiver = official("receiver", dossier.receiving_agency_id)
    lifecycle.receive_supplement(receiver, dossier.code, documents=["Bản sao hợp đồng thuê địa điểm"])
    db.session.commit()
    assert dossier.legal_due_at == local("2026-03-06 09:00")  # the full limit again, from Tuesday 09:00
    assert dossier.clock_paused_at == local("2026-03-03 09:00")  # ... and it still waits for the fee
    assert _kinds(dossier) == ["start", "pause", "pause", "restart", "pause"]
    clock("2026-03-03 11:00")
    payments.confirm_cash(receiver, dossier)
    db.session.commit()
    assert dossier.clock_paused_at is None and dossier.legal_due_at == local("2026-03-06 11:00")


def test_a_result_issued_while_the_fee_is_owed_ends_the_pause_with_its_time_added(desk, clock):
    clock("2026-03-02 09:00")  # Monday, at the ward's counter, unpaid: handling goes on regardless
    dossier = desk.receive(HOUSEHOLD, WARD).dossier
    assert dossier.legal_due_at == local("2026-03-05 09:00")
    clock("2026-03-05 11:00")  # Thursday: past the limit on the clock's face, but 26 h of it were the applicant's
    desk.complete(dossier, "appraisal")
    desk.complete(dossier, "approval")
    desk.complete(dossier, "stamping")  # the result is ready, the fee still unpaid
    db.session.refresh(dossier)
    assert dossier.clock_paused_at is None and dossier.legal_due_at == local("2026-03-10 11:00")  # 5/3 + 26 h
    assert _kinds(dossier)[-1] == "resume" and dossier.stat_timing == "early"  # not late
    payments.confirm_cash(official("receiver", dossier.receiving_agency_id), dossier)  # paid at the return
    db.session.commit()
    assert dossier.legal_due_at == local("2026-03-10 11:00")  # nothing moves twice
