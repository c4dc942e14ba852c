"""Issues 17 and 20 over HTTP: an online household business registration (handling waits for the fee) accepted
while unpaid has its clock paused; the sandbox gateway's signed notification resumes it and moves the due date."""
from __future__ import annotations

import requests
from sqlalchemy import func, select

from app.calendar.services import get_calendar
from app.dossiers.models import ClockEntry, Dossier
from app.extensions import db
from app.history.services import list_events
from tests.functional.citizen.online import posted_form
from tests.functional.citizen.portal import AN, idp_form_fields, sign_in

HOUSEHOLD = "1.001612"


def _kinds(dossier) -> list[str]:
    return [c.kind for c in db.session.scalars(select(ClockEntry).where(ClockEntry.dossier_id == dossier.id)
                                               .order_by(ClockEntry.id))]


def _submitted(client, desk, procedure_code: str, **fields) -> Dossier:
    form = {**posted_form(desk, procedure_code), "agency": "14797", **fields}  # a commune procedure: at the ward
    response = client.post(f"/cong-dan/nop-ho-so/{procedure_code}", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.text[:1000]
    return db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))


def _pay_through_gateway(client, sandboxes, dossier, amount_text: str) -> None:
    """Pay at the sandbox gateway; its signed server-to-server notification confirms the payment."""
    start = client.post(f"/cong-dan/ho-so/{dossier.code}/thanh-toan")
    assert start.status_code == 303, start.text
    page = requests.get(start.location, timeout=5)
    assert page.status_code == 200 and amount_text in page.text
    answer = requests.post(start.location.split("?")[0], data={**idp_form_fields(page.text), "action": "pay"},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    sent = requests.get(f"{sandboxes.payment.url}/_sandbox/notifications", timeout=5).json()[-1]
    ipn = client.post("/thanh-toan/ipn", data=sent["body"].encode(), content_type="application/json",
                      headers={"X-Signature": sent["signature"]})
    assert ipn.json == {"code": "00", "message": "confirmed"}


def test_the_gateway_notification_resumes_a_clock_paused_for_the_fee(client, sandboxes, desk):
    sign_in(client, AN)
    dossier = _submitted(client, desk, HOUSEHOLD)
    desk.complete(dossier, "intake")  # the ward's receiver accepts it: the fee is still owed
    db.session.refresh(dossier)
    assert dossier.clock_paused_at is not None and _kinds(dossier)[-1] == "pause"
    due = dossier.legal_due_at
    assert 'id="fee-paused"' in client.get(f"/cong-dan/ho-so/{dossier.code}").text  # the citizen is told

    _pay_through_gateway(client, sandboxes, dossier, "100.000")

    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    [paid] = [e for e in list_events(dossier.id) if e.kind == "fee_paid"]
    hours = paid.data["paused_hours"]
    assert dossier.clock_paused_at is None and _kinds(dossier)[-1] == "resume"
    moved = get_calendar(dossier.receiving_agency_id).add_working_hours(due, hours) if hours else due
    assert abs((dossier.legal_due_at - moved).total_seconds()) < 60  # the paused time, to the rounding of the event


def test_the_receiver_confirms_the_cash_at_the_counter_and_the_clock_resumes(client, officials, desk, clock):
    from app.auth.services import get_agency_by_code
    from tests.integration.dossiers.conftest import local, official

    clock("2026-03-02 09:00")  # Monday, received at the ward's counter: the fee is not taken yet
    dossier = desk.receive(HOUSEHOLD, "14797").dossier
    assert dossier.legal_due_at == local("2026-03-05 09:00") and dossier.clock_paused_at is not None
    clock("2026-03-02 11:00")
    officials.login(official("receiver", get_agency_by_code("14797").id).username)
    page = client.get(f"/dossiers/{dossier.code}")
    assert 'id="fee-owed-amount">100.000 ₫' in page.text and 'id="confirm-cash"' in page.text
    answer = client.post(f"/dossiers/{dossier.code}/thu-phi")
    assert answer.status_code == 302, answer.text
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.clock_paused_at is None and dossier.legal_due_at == local("2026-03-05 11:00")
    assert 'id="fee-owed"' not in client.get(f"/dossiers/{dossier.code}").text
    client.post(f"/dossiers/{dossier.code}/thu-phi")  # nothing left to pay: refused, no second payment
    from app.payments.models import Payment

    assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.dossier_id == dossier.id)) == 1


def test_the_receipt_names_the_fee_table_version_that_computed_the_amount(client, sandboxes, desk):
    from app.payments.models import Payment
    from app.workflow.decisions import latest_decision

    sign_in(client, AN)
    dossier = _submitted(client, desk, "1.009994", **{"f.gross_floor_area": "80"})  # a house permit, urban ward
    _pay_through_gateway(client, sandboxes, dossier, "75.000")
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    receipt = client.get(f"/cong-dan/ho-so/{dossier.code}/bien-lai/{payment.reference}")
    version = latest_decision("construction_fee").number
    assert receipt.status_code == 200 and "75.000 ₫" in receipt.text
    assert f"theo biểu tính phí construction_fee, phiên bản {version}" in receipt.text


def test_the_receipt_pdf_carries_the_e_receipt_series_and_number(client, sandboxes, desk):
    import io

    from pypdf import PdfReader

    from app.payments.models import Payment

    sign_in(client, AN)
    dossier = _submitted(client, desk, HOUSEHOLD)
    _pay_through_gateway(client, sandboxes, dossier, "100.000")
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/bien-lai/{payment.reference}")
    assert f"số <strong>{payment.e_receipt_no}</strong>" in page.text and 'id="receipt-pdf"' in page.text
    pdf = client.get(f"/cong-dan/ho-so/{dossier.code}/bien-lai/{payment.reference}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert payment.e_receipt_series in text and payment.e_receipt_no in text and "100.000" in text
