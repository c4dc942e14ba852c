"""Citizen lookup by dossier code + PIN (or the receipt's QR link), rating, and the rating kiosk.

Public and rate-limited. Pages show the status in plain words and only the applicant's initials.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.citizen.forms import LookupForm, RatingForm
from app.core.db import unit_of_work
from app.core.permissions import public
from app.dossiers import lifecycle
from app.dossiers.codes import pin_matches
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.pages import citizen_step, missing_items
from app.dossiers.services import find_dossier

bp = Blueprint("citizen", __name__)
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])
bp.record_once(lambda state: limiter.init_app(state.app))


def _lookup_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT", "20 per minute")


def initials(name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.': enough to recognise one's own dossier, nothing more."""
    return " ".join(f"{part[0].upper()}." for part in (name or "").split() if part)


def find_for_citizen(code: str, pin: str) -> Dossier | None:
    """The dossier if the PIN matches; None otherwise (the same answer whether the code exists or not)."""
    dossier = find_dossier(code or "")
    if dossier is None or not pin_matches(dossier.code, pin or "", dossier.pin_hash):
        return None
    return dossier


def _can_rate(dossier: Dossier) -> bool:
    return dossier.status in (DossierStatus.RETURNED, DossierStatus.REFUSED) and not dossier.rating


def _result_context(dossier: Dossier, pin: str) -> dict:
    form = RatingForm(code=dossier.code, pin=pin) if _can_rate(dossier) else None
    return {"d": dossier, "initials": initials(dossier.applicant_name), "step": citizen_step(dossier),
            "missing": missing_items(dossier), "rating_form": form}


@bp.route("/tra-cuu")
@public
@limiter.limit(_lookup_limit)
def lookup():
    form = LookupForm(request.args)
    if not request.args:
        return render_template("citizen/lookup.html", form=LookupForm())
    if not form.validate():
        return render_template("citizen/lookup.html", form=form), 422
    dossier = find_for_citizen(form.code.data.strip(), form.pin.data)
    if dossier is None:
        return render_template("citizen/lookup.html", form=form,
                               not_found=_("Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.")), 404
    return render_template("citizen/result.html", **_result_context(dossier, form.pin.data))


@bp.route("/tra-cuu/danh-gia", methods=["POST"])
@public
@limiter.limit(_lookup_limit)
def rate():
    form = RatingForm()
    kiosk = request.form.get("kiosk") == "1"
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn mức độ hài lòng."), "danger")
        return redirect(url_for("citizen.kiosk" if kiosk else "citizen.lookup", code=form.code.data,
                                pin=form.pin.data))
    with unit_of_work():
        lifecycle.rate(form.code.data, form.pin.data, form.rating.data, form.comment.data)
    if kiosk:
        return render_template("citizen/kiosk.html", form=LookupForm(), thanks=True)
    flash(_("Cảm ơn ông/bà đã đánh giá chất lượng phục vụ."), "success")
    return redirect(url_for("citizen.lookup", code=form.code.data, pin=form.pin.data))


@bp.route("/kiosk")
@public
@limiter.limit(_lookup_limit)
def kiosk():
    """Rating tablet at the counter: the citizen types the code and PIN from the receipt, then taps a rating."""
    form = LookupForm(request.args)
    if not request.args:
        return render_template("citizen/kiosk.html", form=LookupForm())
    dossier = find_for_citizen(form.code.data or "", form.pin.data or "") if form.validate() else None
    if dossier is None:
        return render_template("citizen/kiosk.html", form=form,
                               not_found=_("Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.")), 404
    return render_template("citizen/kiosk.html", form=form, **_result_context(dossier, form.pin.data))
