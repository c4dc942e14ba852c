"""The returner hands a result to the post; the post's signed status callbacks come back here."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.connectors import postal_service
from app.connectors.payment import BadSignatureError
from app.core.db import unit_of_work
from app.core.errors import NotFoundError
from app.core.permissions import public, roles_required
from app.extensions import csrf, limiter
from app.postal import services

bp = Blueprint("postal", __name__)
logger = logging.getLogger(__name__)


@bp.route("/dossiers/<code>/post", methods=["POST"])
@roles_required("returner")
def hand_over(code: str):
    with unit_of_work():
        shipment = services.hand_to_post(current_user, code, callback_url=url_for("postal.callback", _external=True))
        number = shipment.tracking_number
    flash(_("Đã chuyển kết quả cho bưu điện, số hiệu bưu gửi %(n)s.", n=number), "success")
    return redirect(url_for("dossiers.detail", code=code))


@bp.route("/buu-dien/callback", methods=["POST"])
@public
@csrf.exempt
@limiter.limit("240 per minute")
def callback():
    """A status change reported by the post, trusted only with a valid HMAC signature."""
    try:
        reported = postal_service().parse_callback(request.get_data(), request.headers.get("X-Signature"))
    except BadSignatureError as error:
        logger.warning("Post callback refused: %s", error)
        return jsonify(status="invalid signature"), 400
    try:
        with unit_of_work():
            changed = services.record_status(reported)
    except NotFoundError:
        return jsonify(status="unknown shipment"), 404
    return jsonify(status="recorded" if changed else "duplicate")
