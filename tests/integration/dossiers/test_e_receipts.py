"""Issue 17: every settled payment gets the collecting agency's legal e-receipt number (biên lai điện tử): one
running series per agency and year, race-free like the dossier codes, kept when the gateway repeats itself."""
from __future__ import annotations

from datetime import timedelta

from app.connectors.payment import PaymentOutcome
from app.core.db import utcnow
from app.extensions import db
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus
from tests.integration.dossiers.conftest import official

HOUSEHOLD = "1.001612"


def _cash(desk, ward: str) -> Payment:
    dossier = desk.receive(HOUSEHOLD, ward).dossier
    payment = payments.confirm_cash(official("receiver", dossier.receiving_agency_id), dossier)
    db.session.commit()
    return payment


def test_numbers_run_per_agency_and_restart_each_year(desk, clock):
    clock("2026-12-31 10:00")
    first, second = _cash(desk, "14797"), _cash(desk, "14797")
    other = _cash(desk, "15880")
    assert [(p.e_receipt_series, p.e_receipt_no) for p in (first, second, other)] == [
        ("BL26E", "0000001"), ("BL26E", "0000002"), ("BL26E", "0000001")]
    clock("2027-01-04 10:00")  # a new year: a new series from 1
    assert [(p.e_receipt_series, p.e_receipt_no) for p in (_cash(desk, "14797"), _cash(desk, "14797"))] == [
        ("BL27E", "0000001"), ("BL27E", "0000002")]


def test_a_repeated_gateway_message_keeps_the_number(desk, clock):
    clock("2026-03-02 09:00")
    dossier = desk.receive(HOUSEHOLD, "14797", channel="online").dossier
    payment = Payment(dossier_id=dossier.id, reference="MCRECEIPT1", amount_vnd=100000,
                      status=PaymentStatus.PENDING, expires_at=utcnow() + timedelta(minutes=15))
    db.session.add(payment)
    db.session.commit()
    outcome = PaymentOutcome(payment.reference, "TXN-R1", 100000, "success")
    assert payments.confirm(outcome, "notify")[1] is True
    assert payments.confirm(outcome, "return")[1] is False
    db.session.commit()
    assert (payment.e_receipt_series, payment.e_receipt_number) == ("BL26E", 1)
