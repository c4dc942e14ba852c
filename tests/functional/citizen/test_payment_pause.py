"""Issues 17 and 20 over HTTP: an online household business registration (handling waits for the fee) accepted
while unpaid has its clock paused; the sandbox gateway's signed notification resumes it and moves the due date."""
from __future__ import annotations

import requests
from sqlalchemy import select

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


def test_the_gateway_notification_resumes_a_clock_paused_for_the_fee(client, sandboxes, desk):
    sign_in(client, AN)
    form = {**posted_form(desk, HOUSEHOLD), "agency": "14797"}  # a commune procedure: filed at the ward
    response = client.post(f"/cong-dan/nop-ho-so/{HOUSEHOLD}", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.text[:1000]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))
    desk.complete(dossier, "intake")  # the ward's receiver accepts it: the fee is still owed
    db.session.refresh(dossier)
    assert dossier.clock_paused_at is not None and _kinds(dossier)[-1] == "pause"
    due = dossier.legal_due_at

    start = client.post(f"/cong-dan/ho-so/{dossier.code}/thanh-toan")
    assert start.status_code == 303, start.text
    page = requests.get(start.location, timeout=5)
    assert page.status_code == 200 and "100.000" in page.text
    answer = requests.post(start.location.split("?")[0], data={**idp_form_fields(page.text), "action": "pay"},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    sent = requests.get(f"{sandboxes.payment.url}/_sandbox/notifications", timeout=5).json()[-1]
    ipn = client.post("/thanh-toan/ipn", data=sent["body"].encode(), content_type="application/json",
                      headers={"X-Signature": sent["signature"]})
    assert ipn.json == {"code": "00", "message": "confirmed"}

    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    [paid] = [e for e in list_events(dossier.id) if e.kind == "fee_paid"]
    hours = paid.data["paused_hours"]
    assert dossier.clock_paused_at is None and _kinds(dossier)[-1] == "resume"
    moved = get_calendar(dossier.receiving_agency_id).add_working_hours(due, hours) if hours else due
    assert abs((dossier.legal_due_at - moved).total_seconds()) < 60  # the paused time, to the rounding of the event
