"""Return of results by post: hand the result to the postal service (its API books the parcel and gives the
tracking number), then record the statuses its signed callbacks report, each as a dossier event."""
from __future__ import annotations

import logging

from sqlalchemy import select

from app.auth.models import User
from app.connectors import postal_service
from app.connectors.postal import ShipmentOrder, ShipmentStatus
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.dossiers.actions import ensure_allowed, refusal
from app.dossiers.models import Dossier
from app.dossiers.pipeline import Step, perform
from app.dossiers.services import get_dossier_for
from app.extensions import db
from app.history.services import HistoryEvent
from app.postal.models import Shipment

logger = logging.getLogger(__name__)


def shipment_of(dossier: Dossier) -> Shipment | None:
    """The dossier's parcel (only a dossier returned by post has one: no query for the others)."""
    if dossier.return_method != "post":
        return None
    return db.session.scalar(select(Shipment).where(Shipment.dossier_id == dossier.id))


def hand_to_post(actor: User, code: str, *, callback_url: str) -> Shipment:
    """Book the parcel with the post and record the hand-over (event `posted` with the tracking number).

    The booking is idempotent at the post (reference = the dossier code), so if this unit of work fails after the
    call, doing it again returns the same parcel instead of a second one.
    """
    dossier = get_dossier_for(actor, code)
    ensure_allowed(actor, "hand_to_post", dossier)
    if shipment_of(dossier) is not None:
        raise ConflictError("Kết quả đã được chuyển cho bưu điện.", "The result was already handed to the post.")
    if not (dossier.applicant_address or "").strip():
        raise ValidationError("Hồ sơ chưa có địa chỉ nhận kết quả.", "The dossier has no delivery address.")
    booked = postal_service().create_shipment(ShipmentOrder(
        reference=dossier.code, recipient_name=dossier.applicant_name, phone=dossier.applicant_phone,
        address=dossier.applicant_address, content=f"Kết quả giải quyết hồ sơ {dossier.code}",
        callback_url=callback_url))
    shipment = Shipment(dossier_id=dossier.id, reference=dossier.code, tracking_number=booked.tracking_number,
                        status=booked.status, recipient_name=dossier.applicant_name, phone=dossier.applicant_phone,
                        address=dossier.applicant_address, history=[{"status": booked.status, "at": booked.at}])
    db.session.add(shipment)
    perform(Step("hand_to_post", dossier, actor, event=HistoryEvent(
        "", role="returner", agency_id=dossier.receiving_agency_id,
        data={"tracking_number": booked.tracking_number, "address": dossier.applicant_address})))
    return shipment


def record_status(reported: ShipmentStatus) -> bool:
    """Apply one status callback of the post; a repeated one changes nothing (returns whether it changed)."""
    shipment = db.session.scalar(select(Shipment).where(Shipment.tracking_number == reported.tracking_number)
                                 .with_for_update())
    if shipment is None or shipment.reference != reported.reference:
        raise NotFoundError("Không tìm thấy bưu gửi.", "Unknown shipment.")
    entry = {"status": reported.status, "at": reported.at, "note": reported.note or None}
    if entry in shipment.history:
        return False
    shipment.history = [*shipment.history, entry]
    shipment.status, shipment.updated_at = reported.status, utcnow()
    if reported.status == "delivered":
        shipment.delivered_at = shipment.updated_at
    dossier = db.session.get(Dossier, shipment.dossier_id)
    perform(Step("post_status", dossier, None, event=HistoryEvent(
        "", comment=reported.note or None,
        data={"tracking_number": shipment.tracking_number, "status": reported.status, "reported_at": reported.at})))
    return True


def page_section(dossier: Dossier) -> dict:
    """The dossier page's postal return (connected to core.signals.dossier_page_sections)."""
    shipment = shipment_of(dossier)
    ready = shipment is None and refusal(None, "hand_to_post", dossier) is None
    return {"shipments": [shipment] if shipment else [], "post_ready": ready}
