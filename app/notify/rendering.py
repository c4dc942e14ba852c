"""Turn the claimed outbox rows into the words that are sent: the applicant's choice first, then the template in
force on the event's day, in the applicant's language, rendered in the sandbox (app.workflow.texts)."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import force_locale
from sqlalchemy import select

from app.core.timefmt import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.notify.message_templates import Text, TextsInForce, default_text
from app.notify.messages import KINDS, RATING_INVITATION, template_data
from app.notify.models import ALREADY_RATED, OPTED_OUT, Notification
from app.notify.preferences import message_links, preferences_for
from app.workflow.texts import TextTemplateError, render_text

logger = logging.getLogger(__name__)

FOOTERS = {
    "vi": "\n\n--\nÔng/Bà không muốn nhận thư điện tử về hồ sơ này nữa? Mở liên kết: {url}",
    "en": "\n\n--\nNo more e-mails about this dossier? Open: {url}",
}


def prepare(rows: Iterable[Notification]) -> None:
    """Render the batch's citizen messages; mark skipped those the applicant declined or no longer needs (a retried
    message too: the choice holds until the moment of sending)."""
    rows = [row for row in rows if row.context is not None]
    if not rows:
        return
    preferences = preferences_for(row.dossier_id for row in rows)
    rated = _rated({row.dossier_id for row in rows if row.event_kind == RATING_INVITATION})
    texts = TextsInForce({row.event_kind for row in rows}, max(_day(row) for row in rows))
    for row in rows:
        preference = preferences.get(row.dossier_id)
        if preference is not None and not preference.allows(row.channel):
            row.status, row.last_error = "skipped", OPTED_OUT
        elif row.event_kind == RATING_INVITATION and row.dossier_id in rated:
            row.status, row.last_error = "skipped", ALREADY_RATED
        elif row.needs_render:
            _render(row, texts, preference.language if preference else "vi")


def _day(row: Notification):
    return to_local(row.created_at).date()


def _rated(dossier_ids: set[int]) -> set[int]:
    if not dossier_ids:
        return set()
    return set(db.session.scalars(select(Dossier.id).where(Dossier.id.in_(sorted(dossier_ids)),
                                                           Dossier.rating.is_not(None))))


def _render(row: Notification, texts: TextsInForce, language: str) -> None:
    links = message_links(row.dossier_id, row.context.get("code", ""), row.channel)
    data = template_data(row.context, language, links)
    text = texts.text(row.event_kind, row.channel, language, _day(row))
    try:
        subject, body = _apply(text, data, row.channel)
    except TextTemplateError as error:  # a template that broke on these values: the default text still goes out
        logger.warning("Message template %s (%s/%s/%s) failed for notification %s: %s", text.version_id,
                       row.event_kind, row.channel, language, row.id, error)
        subject, body = _apply(default_text(row.event_kind, row.channel, language), data, row.channel)
        row.last_error = f"template version {text.version_id} failed, default text sent: {error}"[:1000]
    if row.channel == "email":
        body += FOOTERS[language].format(url=links["unsubscribe_url"])
    row.subject = (subject or _label(row.event_kind, language))[:255]
    row.body, row.language = body, language


def _apply(text: Text, data: dict, channel: str) -> tuple[str, str]:
    subject = render_text(text.subject, data).strip() if channel == "email" else ""
    return " ".join(subject.split()), render_text(text.body, data).strip()


def _label(kind: str, language: str) -> str:
    with force_locale(language):
        return str(KINDS[kind].label)
