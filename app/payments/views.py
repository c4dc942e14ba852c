"""The gateway's side of a payment: its server-to-server notification (IPN) and the citizen's browser coming back.

Both are public (the gateway holds no session) and trust nothing but the HMAC signature made with our merchant
secret; both are idempotent, so a replayed or repeated message changes nothing.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.connectors import payment_gateway
from app.connectors.payment import BadSignatureError
from app.core.db import unit_of_work
from app.core.errors import NotFoundError
from app.core.permissions import CITIZEN_SESSION_KEY, public, roles_required
from app.extensions import csrf, db, limiter
from app.payments import services
from app.payments.models import Payment

bp = Blueprint("payments", __name__)
logger = logging.getLogger(__name__)


@bp.route("/thanh-toan/ipn", methods=["POST"])
@public
@csrf.exempt
@limiter.limit("120 per minute")
def notify():
    """Answer codes as the gateways expect: 00 confirmed, 02 already confirmed, 01 unknown order, 04 wrong amount,
    97 bad signature."""
    try:
        outcome = payment_gateway().parse_notification(request.get_data(), request.headers.get("X-Signature"))
    except BadSignatureError as error:
        logger.warning("Payment notification refused: %s", error)
        return jsonify(code="97", message="invalid signature"), 400
    try:
        with unit_of_work():
            _payment, changed = services.confirm(outcome, "notify")
    except services.AmountMismatchError:
        return jsonify(code="04", message="invalid amount")
    except NotFoundError:
        return jsonify(code="01", message="order not found")
    return jsonify(code="00" if changed else "02", message="confirmed" if changed else "already confirmed")


@bp.route("/thanh-toan/ket-qua")
@public
@limiter.limit("60 per minute")
def back_from_gateway():
    """The browser's return: record the signed outcome (if the notification has not yet), then show the dossier."""
    params = {k: v for k, v in request.args.items()}
    try:
        outcome = payment_gateway().parse_return(params)
    except BadSignatureError:
        abort(400)
    with unit_of_work():
        payment, _changed = services.confirm(outcome, "return")
        code = _dossier_code(payment)
    if session.get(CITIZEN_SESSION_KEY):
        return redirect(url_for("citizen.my_dossier", code=code, payment=payment.reference))
    return redirect(url_for("citizen.lookup", code=code))


@bp.route("/dossiers/<code>/thu-phi", methods=["POST"])
@roles_required("receiver")
def confirm_cash(code: str):
    """The receiver took the fee in cash at the counter: recorded with its receipt; a clock paused for it resumes."""
    from app.dossiers.services import get_dossier_for

    with unit_of_work():
        payment = services.confirm_cash(current_user, get_dossier_for(current_user, code))
        number = payment.receipt_number
    flash(_("Đã ghi nhận thu phí, lệ phí, biên nhận số %(n)s.", n=number), "success")
    return redirect(url_for("dossiers.detail", code=code))


def _dossier_code(payment: Payment) -> str:
    from app.dossiers.models import Dossier

    return db.session.get(Dossier, payment.dossier_id).code
