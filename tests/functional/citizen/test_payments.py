"""Fees paid online through the sandbox gateway (its own process): signed redirect, signed server-to-server
notification verified with HMAC and applied once (replays and tampering refused), signed browser return, status
query when no notification comes, and the payment receipt."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.history.services import list_events
from app.payments.models import Payment
from tests.functional.citizen.online import submit
from tests.functional.citizen.portal import AN, idp_form_fields, sign_in


def _online_dossier(client, desk) -> Dossier:
    sign_in(client, AN)
    response = submit(client, desk)
    assert response.status_code == 302, response.text[:1000]
    return db.session.scalar(select(Dossier).where(Dossier.code == response.location.rsplit("/", 1)[1]))


def _at_gateway(client, dossier, action: str = "pay") -> str:
    """Press the pay button, act at the gateway's page; return the gateway's redirect back to us."""
    start = client.post(f"/cong-dan/ho-so/{dossier.code}/thanh-toan")
    assert start.status_code == 303, start.text
    page = requests.get(start.location, timeout=5)
    assert page.status_code == 200 and "600.000" in page.text
    fields = {**idp_form_fields(page.text), "action": action}
    answer = requests.post(start.location.split("?")[0], data=fields, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _notification(sandboxes, index: int = -1) -> dict:
    return requests.get(f"{sandboxes.payment.url}/_sandbox/notifications", timeout=5).json()[index]


def _ipn(client, body: str, signature: str):
    return client.post("/thanh-toan/ipn", data=body.encode(), content_type="application/json",
                       headers={"X-Signature": signature})


def _payment(dossier) -> Payment:
    db.session.expire_all()
    return db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id).order_by(Payment.id.desc()))


def _paid_events(dossier) -> list:
    return [e for e in list_events(dossier.id) if e.kind == "fee_paid"]


def test_the_fee_is_paid_through_the_gateway_and_confirmed_by_its_signed_notification(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    page = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert 'id="fee-due">600.000' in page.text
    assert f"form-action 'self' {sandboxes.payment.url}" in page.headers["Content-Security-Policy"]
    _at_gateway(client, dossier)
    sent = _notification(sandboxes)
    answer = _ipn(client, sent["body"], sent["signature"])
    assert answer.json == {"code": "00", "message": "confirmed"}
    payment = _payment(dossier)
    assert (payment.status.value, payment.confirmed_by, payment.amount_vnd) == ("paid", "notify", 600000)
    assert payment.gateway_txn == json.loads(sent["body"])["txn"] and payment.receipt_number
    [event] = _paid_events(dossier)
    assert event.data["receipt"] == payment.receipt_number
    page = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert "fee-due" not in page.text and "receipt-link" in page.text
    receipt = client.get(f"/cong-dan/ho-so/{dossier.code}/bien-lai/{payment.reference}")
    assert receipt.status_code == 200 and "600.000 ₫" in receipt.text and "BIÊN NHẬN THANH TOÁN" in receipt.text


def test_a_replayed_notification_changes_nothing(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    _at_gateway(client, dossier)
    sent = _notification(sandboxes)
    assert _ipn(client, sent["body"], sent["signature"]).json["code"] == "00"
    again = _ipn(client, sent["body"], sent["signature"])
    assert again.status_code == 200 and again.json["code"] == "02"
    assert len(_paid_events(dossier)) == 1 and _payment(dossier).notices == 2


def test_a_tampered_notification_is_refused(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    _at_gateway(client, dossier, action="decline")
    sent = _notification(sandboxes)
    forged = sent["body"].replace('"status":"failed"', '"status":"success"')
    assert forged != sent["body"]
    answer = _ipn(client, forged, sent["signature"])
    assert answer.status_code == 400 and answer.json["code"] == "97"
    assert _ipn(client, sent["body"], "0" * 64).status_code == 400
    assert _ipn(client, sent["body"], sent["signature"]).json["code"] == "00"  # the genuine one: declined
    assert _payment(dossier).status.value == "failed" and _paid_events(dossier) == []


def test_the_signed_return_confirms_when_it_arrives_before_the_notification(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    back = urlsplit(_at_gateway(client, dossier))
    tampered = client.get(f"{back.path}?{back.query.replace('amount=600000', 'amount=1')}")
    assert tampered.status_code == 400 and _payment(dossier).status.value == "pending"
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and f"/cong-dan/ho-so/{dossier.code}" in response.location
    assert _payment(dossier).confirmed_by == "return"
    sent = _notification(sandboxes)
    assert _ipn(client, sent["body"], sent["signature"]).json["code"] == "02"
    assert len(_paid_events(dossier)) == 1


def test_a_cancelled_payment_leaves_the_fee_due(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    back = urlsplit(_at_gateway(client, dossier, action="cancel"))
    client.get(f"{back.path}?{back.query}")
    assert _payment(dossier).status.value == "cancelled"
    assert 'id="fee-due">600.000' in client.get(f"/cong-dan/ho-so/{dossier.code}").text


def test_without_a_notification_the_status_query_settles_the_payment(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    requests.post(f"{sandboxes.payment.url}/_sandbox/drop-notify/on", timeout=5)
    try:
        _at_gateway(client, dossier)  # the citizen closes the tab: no return, and no notification comes
    finally:
        requests.post(f"{sandboxes.payment.url}/_sandbox/drop-notify/off", timeout=5)
    assert _payment(dossier).status.value == "pending"
    client.post(f"/cong-dan/ho-so/{dossier.code}/thanh-toan/kiem-tra")
    payment = _payment(dossier)
    assert (payment.status.value, payment.confirmed_by) == ("paid", "query") and len(_paid_events(dossier)) == 1


def test_another_citizen_cannot_pay_or_read_my_receipt(client, sandboxes, desk):
    dossier = _online_dossier(client, desk)
    client.post("/cong-dan/dang-xuat")
    sign_in(client, "038185002345")
    assert client.post(f"/cong-dan/ho-so/{dossier.code}/thanh-toan").status_code == 404


def test_the_scheduler_settles_payments_no_notification_came_for(client, sandboxes, desk, app):
    from datetime import timedelta

    import time_machine

    from app.core.db import utcnow
    from app.scheduler.jobs import reconcile_payments

    dossier = _online_dossier(client, desk)
    requests.post(f"{sandboxes.payment.url}/_sandbox/drop-notify/on", timeout=5)
    try:
        _at_gateway(client, dossier)
    finally:
        requests.post(f"{sandboxes.payment.url}/_sandbox/drop-notify/off", timeout=5)
    assert reconcile_payments(app) == 0  # too early: the notification may still come
    with time_machine.travel(utcnow() + timedelta(minutes=3), tick=False):
        assert reconcile_payments(app) == 1
    payment = _payment(dossier)
    assert (payment.status.value, payment.confirmed_by) == ("paid", "query") and len(_paid_events(dossier)) == 1
