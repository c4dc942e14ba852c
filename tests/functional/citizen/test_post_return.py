"""Return by post: the citizen chooses post, the returner hands the result to the sandbox postal service (its API
books the parcel and gives an S10 tracking number the citizen sees), and the post's signed status callbacks are
recorded once each, up to delivery."""
from __future__ import annotations

import re

import requests
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.history.services import list_events
from app.notify.models import Notification
from app.postal.models import Shipment
from tests.functional.citizen.online import submit
from tests.functional.citizen.portal import AN, sign_in
from tests.functional.ui_world import reach

S10 = re.compile(r"^EB\d{9}VN$")


def _result_ready(client, desk) -> Dossier:
    sign_in(client, AN)
    response = submit(client, desk, return_method="online")
    code = response.location.rsplit("/", 1)[1]
    assert client.post(f"/cong-dan/ho-so/{code}/nhan-ket-qua", data={
        "return-method": "post", "return-address": "Số 3 Phan Chu Trinh, phường Hạc Thành"}).status_code == 302
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    reach(desk, dossier, "return")
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def _callbacks(sandboxes) -> list[dict]:
    return requests.get(f"{sandboxes.post.url}/_sandbox/callbacks", timeout=5).json()


def _forward(client, entry: dict, body: str | None = None):
    return client.post("/buu-dien/callback", data=(body or entry["body"]).encode(), content_type="application/json",
                       headers={"X-Signature": entry["signature"]})


def test_the_returner_hands_the_result_to_the_post_and_the_citizen_follows_it(client, sandboxes, desk, officials):
    dossier = _result_ready(client, desk)
    assert (dossier.status.value, dossier.return_method) == ("result_ready", "post")
    returner = officials.login("tiepnhan")
    assert "hand-to-post" in returner.get(f"/dossiers/{dossier.code}").text
    assert returner.post(f"/dossiers/{dossier.code}/post").status_code == 302
    shipment = db.session.scalar(select(Shipment).where(Shipment.dossier_id == dossier.id))
    assert S10.match(shipment.tracking_number) and shipment.address == "Số 3 Phan Chu Trinh, phường Hạc Thành"
    assert [e.kind for e in list_events(dossier.id)][-1] == "posted"
    booked = requests.get(f"{sandboxes.post.url}/", timeout=5).text
    assert shipment.tracking_number in booked  # the post really has the parcel
    assert returner.post(f"/dossiers/{dossier.code}/post").status_code in (302, 409)  # no second parcel
    assert db.session.scalar(select(db.func.count()).select_from(Shipment)) == 1

    for _ in range(3):  # accepted → in_transit → out_for_delivery → delivered
        requests.post(f"{sandboxes.post.url}/_sandbox/shipments/{shipment.tracking_number}/advance", timeout=5)
    for entry in _callbacks(sandboxes)[-3:]:
        assert _forward(client, entry).json["status"] == "recorded"
    db.session.expire_all()
    shipment = db.session.get(Shipment, shipment.id)
    assert shipment.status == "delivered" and shipment.delivered_at is not None
    statuses = [e.data["status"] for e in list_events(dossier.id) if e.kind == "post_status"]
    assert statuses == ["in_transit", "out_for_delivery", "delivered"]
    sign_in(client, AN)
    page = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert shipment.tracking_number in page.text and 'data-status="delivered"' in page.text
    kinds = set(db.session.scalars(select(Notification.event_kind).where(Notification.dossier_id == dossier.id)))
    assert {"posted", "post_delivered"} <= kinds


def test_post_callbacks_are_idempotent_and_must_be_signed(client, sandboxes, desk, officials):
    dossier = _result_ready(client, desk)
    officials.login("tiepnhan").post(f"/dossiers/{dossier.code}/post")
    shipment = db.session.scalar(select(Shipment).where(Shipment.dossier_id == dossier.id))
    requests.post(f"{sandboxes.post.url}/_sandbox/shipments/{shipment.tracking_number}/advance?to=failed",
                  timeout=5)
    entry = _callbacks(sandboxes)[-1]
    forged = _forward(client, entry, entry["body"].replace('"failed"', '"delivered"'))
    assert forged.status_code == 400
    assert _forward(client, entry).json["status"] == "recorded"
    assert _forward(client, entry).json["status"] == "duplicate"
    assert [e.data["status"] for e in list_events(dossier.id) if e.kind == "post_status"] == ["failed"]


def test_a_result_not_for_post_cannot_be_posted(client, sandboxes, desk, officials):
    sign_in(client, AN)
    code = submit(client, desk, return_method="counter").location.rsplit("/", 1)[1]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    reach(desk, dossier, "return")
    returner = officials.login("tiepnhan")
    assert "hand-to-post" not in returner.get(f"/dossiers/{code}").text
    assert returner.post(f"/dossiers/{code}/post").status_code in (302, 409)
    assert db.session.scalar(select(Shipment)) is None
