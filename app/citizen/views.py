"""Citizen lookup by dossier code + PIN, rating, and the rating kiosk.

Public and rate-limited (app.core.ratelimit, the same shared limits as the API). The PIN is posted, checked
against the per-dossier guard (app.dossiers.pins) and then forgotten: the session keeps only a short-lived
grant for that dossier (its code, an expiry and a tag of the PIN digest, so a reissued PIN ends it). A QR
code or an old link may carry the code, never the PIN. Pages show the status in plain words and only the
applicant's initials.
"""
from __future__ import annotations

import hashlib
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.citizen.forms import LookupForm, NotificationPreferenceForm, RatingForm, UnsubscribeForm
from app.core.db import unit_of_work, utcnow
from app.core.permissions import public
from app.core.ratelimit import pin_lookup_limits
from app.dossiers import lifecycle
from app.dossiers.models import Dossier
from app.dossiers.pages import citizen_step, missing_items
from app.dossiers.public import LookupRefusedError, can_rate, initials, verified_dossier
from app.dossiers.services import find_dossier
from app.notify import preferences
from app.notify.messages import KINDS
from app.notify.services import list_notifications

bp = Blueprint("citizen", __name__)
GRANTS = "lookup_grants"
MAX_GRANTS = 5


def _tag(dossier: Dossier) -> str:
    return hashlib.sha256(f"grant:{dossier.pin_hash}".encode()).hexdigest()[:16]


def _grant(dossier: Dossier) -> None:
    """Remember for a few minutes that this browser gave the right PIN for `dossier` (not the PIN itself)."""
    now = time.time()
    grants = {c: g for c, g in (session.get(GRANTS) or {}).items() if g[0] > now and c != dossier.code}
    grants[dossier.code] = [now + current_app.config["LOOKUP_GRANT_SECONDS"], _tag(dossier)]
    session[GRANTS] = dict(sorted(grants.items(), key=lambda item: item[1][0])[-MAX_GRANTS:])


def _granted(code: str) -> Dossier | None:
    """The dossier if this session holds a live grant for it and its PIN was not reissued since."""
    grant = (session.get(GRANTS) or {}).get(code)
    if not grant or grant[0] <= time.time():
        return None
    dossier = find_dossier(code)
    return dossier if dossier is not None and grant[1] == _tag(dossier) else None


def _revoke(code: str) -> None:
    session[GRANTS] = {c: g for c, g in (session.get(GRANTS) or {}).items() if c != code}


def _result_context(dossier: Dossier) -> dict:
    form = RatingForm(code=dossier.code) if can_rate(dossier) else None
    return {"d": dossier, "initials": initials(dossier.applicant_name), "step": citizen_step(dossier),
            "missing": missing_items(dossier), "rating_form": form}


def _masked(channel: str, recipient: str) -> str:
    """Enough of an address for the applicant to recognise it, not enough for a shoulder-surfer to use it."""
    if channel == "email" and "@" in recipient:
        name, domain = recipient.split("@", 1)
        return f"{name[:1]}***@{domain}"
    return f"{recipient[:2]}******{recipient[-2:]}" if len(recipient) > 4 else "******"


def _scheduled(notification, now) -> bool:
    """Written for later (the rating invitation) and not tried yet: not news for the applicant."""
    return notification.status == "pending" and notification.attempts == 0 and notification.next_attempt_at > now


def _notification_context(dossier: Dossier) -> dict:
    """The applicant's notification choice and what was sent (the delivery status of each message)."""
    preference = preferences.find_preference(dossier.id)
    contacts = {"email": dossier.applicant_email, "sms": dossier.applicant_phone}
    chosen = preferences.chosen_channels(dossier, preference)
    form = NotificationPreferenceForm(formdata=None, email="email" in chosen, sms="sms" in chosen,
                                      language=preference.language if preference else "vi")
    now = utcnow()
    messages = [(n, _masked(n.channel, n.recipient)) for n in list_notifications(dossier.id)
                if n.context is not None and not _scheduled(n, now)]
    return {"notify_form": form, "contacts": {c: _masked(c, v) for c, v in contacts.items() if v},
            "messages": messages, "message_kinds": KINDS}


def _refused(template: str, form: LookupForm):
    message = _("Không tìm thấy hồ sơ hoặc mã tra cứu không đúng.")
    return render_template(template, form=form, not_found=message), 404


def _checked(template: str) -> tuple[LookupForm, Dossier | None, object | None]:
    """(form, dossier, error response) of a posted lookup form."""
    form = LookupForm()
    if not form.validate_on_submit():
        return form, None, (render_template(template, form=form), 422)
    try:
        dossier = verified_dossier(form.code.data.strip(), form.pin.data)
    except LookupRefusedError:
        return form, None, _refused(template, form)
    _grant(dossier)
    return form, dossier, None


@bp.route("/tra-cuu", methods=["GET", "POST"])
@public
@pin_lookup_limits(methods=["POST"])
def lookup():
    if request.method == "GET":
        code = (request.args.get("code") or "").strip()[:40]
        if "pin" in request.args:  # an old receipt's QR: drop the PIN from the address bar, never check it
            return redirect(url_for("citizen.lookup", code=code or None), 303)
        return render_template("citizen/lookup.html", form=LookupForm(formdata=None, code=code))
    form, dossier, error = _checked("citizen/lookup.html")
    if error:
        return error
    return redirect(url_for("citizen.result", code=dossier.code), 303)


@bp.route("/tra-cuu/ho-so/<code>")
@public
def result(code: str):
    """The status page of a dossier this browser has just opened with its PIN."""
    dossier = _granted(code)
    if dossier is None:
        return redirect(url_for("citizen.lookup", code=code), 303)
    return render_template("citizen/result.html", **_result_context(dossier), **_notification_context(dossier),
                           result_url=_result_url(dossier))


def _result_url(dossier: Dossier) -> str | None:
    from app.catalog.models import OnlineLevel
    from app.documents.services import has_result

    if dossier.procedure.online_level is not OnlineLevel.FULL or not has_result(dossier):
        return None
    return url_for("citizen.lookup_result_pdf", code=dossier.code)


@bp.route("/tra-cuu/ho-so/<code>/ket-qua.pdf")
@public
def lookup_result_pdf(code: str):
    """The signed electronic result, for a browser that gave the PIN, where the procedure is fully online
    (toàn trình: the result is returned electronically); otherwise the same 404 as an unknown code."""
    from app.catalog.models import OnlineLevel
    from app.documents.views import result_download

    dossier = _granted(code)
    if dossier is None or dossier.procedure.online_level is not OnlineLevel.FULL:
        raise LookupRefusedError()
    return result_download(dossier)


@bp.route("/tra-cuu/ho-so/<code>/thong-bao", methods=["POST"])
@public
def notification_preference(code: str):
    """The applicant chooses the channels (or none) and the language of this dossier's messages."""
    dossier = _granted(code)
    if dossier is None:
        raise LookupRefusedError()
    form = NotificationPreferenceForm()
    if not form.validate_on_submit():
        flash(_("Lựa chọn nhận thông báo không hợp lệ."), "danger")
        return redirect(url_for("citizen.result", code=dossier.code))
    channels = [c for c, wanted in (("email", form.email.data), ("sms", form.sms.data)) if wanted]
    with unit_of_work():
        preferences.set_preference(dossier, channels=channels, language=form.language.data)
    flash(_("Đã lưu lựa chọn nhận thông báo của ông/bà."), "success")
    return redirect(url_for("citizen.result", code=dossier.code))


@bp.route("/thong-bao/huy/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """The link in every e-mail: confirm, then no more e-mails about this dossier (SMS unchanged)."""
    dossier, channel = preferences.read_unsubscribe_token(token)
    done = False
    if request.method == "POST":  # CSRF-checked like every form (app.extensions.csrf)
        with unit_of_work():
            preferences.unsubscribe(dossier, channel)
        done = True
    return render_template("citizen/unsubscribe.html", code=dossier.code, channel=channel, done=done,
                           form=UnsubscribeForm(formdata=None))


@bp.route("/tra-cuu/danh-gia", methods=["POST"])
@public
def rate():
    form = RatingForm()
    kiosk = request.form.get("kiosk") == "1"
    dossier = _granted(form.code.data or "")
    if dossier is None:
        raise LookupRefusedError()
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn mức độ hài lòng."), "danger")
        return redirect(url_for("citizen.kiosk" if kiosk else "citizen.result", code=dossier.code))
    with unit_of_work():
        lifecycle.rate(dossier.code, None, form.rating.data, form.comment.data, verified=True)
    if kiosk:
        _revoke(dossier.code)  # a shared tablet: the next person must type their own PIN
        return render_template("citizen/kiosk.html", form=LookupForm(formdata=None), thanks=True)
    flash(_("Cảm ơn ông/bà đã đánh giá chất lượng phục vụ."), "success")
    return redirect(url_for("citizen.result", code=dossier.code))


@bp.route("/kiosk", methods=["GET", "POST"])
@public
@pin_lookup_limits(methods=["POST"])
def kiosk():
    """Rating tablet at the counter: the citizen types the code and PIN from the receipt, then taps a rating."""
    if request.method == "GET":
        session.pop(GRANTS, None)  # shared device: every visit to the start page forgets earlier citizens
        return render_template("citizen/kiosk.html", form=LookupForm(formdata=None))
    form, dossier, error = _checked("citizen/kiosk.html")
    if error:
        return error
    return render_template("citizen/kiosk.html", form=form, **_result_context(dossier))


from app.citizen import portal_views, signin_views  # noqa: E402,F401  (the portal's routes on this blueprint)
