"""What each applicant wants to hear about a dossier (channels, language), and the signed unsubscribe links.

The preference is read when a message is sent, not when it is queued: a choice made on the lookup page, or an
unsubscribe link followed, also holds back the messages still waiting in the outbox.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.dossiers.models import Dossier
from app.extensions import db
from app.notify.messages import CHANNELS, LANGUAGES
from app.notify.models import NotificationPreference

UNSUBSCRIBE_SALT = "motcua-notify-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # a year's mail and some: old e-mails still carry a working link


def find_preference(dossier_id: int) -> NotificationPreference | None:
    return db.session.get(NotificationPreference, dossier_id)


def preferences_for(dossier_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """The stored preferences of several dossiers, in one query."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.dossier_id.in_(ids)))
    return {row.dossier_id: row for row in rows}


def set_preference(dossier: Dossier, *, channels: Iterable[str], language: str,
                   via: str = "lookup") -> NotificationPreference:
    """Receive the dossier's messages on `channels` only (none: no message at all), in `language`."""
    channels = set(channels)
    if not channels <= set(CHANNELS) or language not in LANGUAGES:
        raise ValidationError("Lựa chọn nhận thông báo không hợp lệ.", "Invalid notification choice.")
    preference = find_preference(dossier.id) or NotificationPreference(dossier_id=dossier.id)
    preference.email_enabled, preference.sms_enabled = "email" in channels, "sms" in channels
    preference.language, preference.updated_at, preference.updated_via = language, utcnow(), via
    db.session.add(preference)
    return preference


def chosen_channels(dossier: Dossier, preference: NotificationPreference | None) -> list[str]:
    """The channels the applicant gets messages on now (a contact given and not opted out)."""
    contacts = {"email": dossier.applicant_email, "sms": dossier.applicant_phone}
    return [c for c in CHANNELS if contacts[c] and (preference is None or preference.allows(c))]


# --- unsubscribe links --------------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(dossier_id: int, channel: str = "email") -> str:
    return _serializer().dumps([dossier_id, channel])


def read_unsubscribe_token(token: str) -> tuple[Dossier, str]:
    """The dossier and channel a link stands for; a forged, altered or very old link is a 404."""
    try:
        dossier_id, channel = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
        dossier = db.session.get(Dossier, int(dossier_id)) if channel in CHANNELS else None
    except (BadSignature, TypeError, ValueError):
        dossier = None
    if dossier is None:
        raise NotFoundError("Liên kết không hợp lệ hoặc đã hết hạn.", "This link is invalid or has expired.")
    return dossier, channel


def unsubscribe(dossier: Dossier, channel: str) -> NotificationPreference:
    """Stop one channel of a dossier's messages (the link in every e-mail)."""
    preference = find_preference(dossier.id)
    channels = {c for c in CHANNELS if preference.allows(c)} if preference else set(CHANNELS)
    language = preference.language if preference else "vi"
    return set_preference(dossier, channels=channels - {channel}, language=language, via="unsubscribe")


# --- links in messages (built without a request: the scheduler sends them) ------------------------------------

def external_url(endpoint: str, **values: str) -> str:
    """An absolute link to one of our pages, on MOTCUA_PUBLIC_URL."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def message_links(dossier_id: int, code: str, channel: str) -> dict[str, str]:
    links = {"lookup_url": external_url("citizen.lookup", code=code)}
    if channel == "email":
        links["unsubscribe_url"] = external_url("citizen.unsubscribe", token=unsubscribe_token(dossier_id, channel))
    return links
