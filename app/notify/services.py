"""Queue notifications with each status change (transactional outbox) and deliver them later."""
from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import Agency
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError
from app.dossiers.models import Dossier
from app.extensions import db
from app.notify import notices, portal_sync
from app.notify.messages import KINDS, RATING_INVITATION, message_context, notification_kind
from app.notify.models import Notification
from app.notify.preferences import message_links
from app.notify.rendering import prepare

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_BACKOFF_MINUTES = 60
BATCH = 100


class ChannelNotConfiguredError(Exception):
    """No gateway is configured for this channel: the message is skipped, not retried."""


def queue_for_event(dossier: Dossier, event: Any) -> list[Notification]:
    """Add outbox rows for the applicant's e-mail and phone when the event changes what they see.

    The rows keep the event's values; the words are rendered when they are sent (app.notify.rendering), so the
    request that made the change pays for no template, preference or sandbox. A return also queues the rating
    invitation, sent RATING_INVITATION_DELAY_HOURS later unless the dossier was rated by then.
    """
    kind = notification_kind(dossier, event)
    if kind is None:
        return []
    agency = db.session.get(Agency, event.agency_id or dossier.receiving_agency_id)
    context = message_context(dossier, event, agency)
    sends = [(kind, event.at)]
    if kind == "returned":
        sends.append((RATING_INVITATION,
                      event.at + timedelta(hours=float(current_app.config["RATING_INVITATION_DELAY_HOURS"]))))
    rows = [Notification(dossier_id=dossier.id, event_kind=send_kind, channel=channel, recipient=recipient,
                         context=context, next_attempt_at=at, created_at=event.at)
            for send_kind, at in sends
            for channel, recipient in (("email", dossier.applicant_email), ("sms", dossier.applicant_phone))
            if recipient]
    db.session.add_all(rows)
    return rows


def queue_official_alert(dossier: Dossier, kind: str, subject: str, body: str, recipients: list[str],
                         at: datetime | None = None) -> list[Notification]:
    """E-mail officials (e.g. the handling leader) through the same outbox as the citizens' messages."""
    rows = [Notification(dossier_id=dossier.id, event_kind=kind, channel="email", recipient=address,
                         subject=subject, body=body, next_attempt_at=at or utcnow())
            for address in dict.fromkeys(r for r in recipients if r)]
    db.session.add_all(rows)
    return rows


def on_event_recorded(dossier: Dossier, event: Any, changes: Any = None) -> None:
    """Signal receiver: runs inside the transaction that recorded the event, so both commit or neither."""
    queue_for_event(dossier, event)
    portal_sync.queue_portal_event(dossier, event)
    notices.on_event(dossier, event, changes)


def _send_email(row: Notification) -> None:
    host = current_app.config.get("SMTP_HOST")
    if not host:
        raise ChannelNotConfiguredError("MOTCUA_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = row.recipient
    message["Subject"] = row.subject
    if row.context is not None:  # a citizen's message: the mail client's unsubscribe button stops this dossier's mail
        links = message_links(row.dossier_id, row.context.get("code", ""), "email")
        message["List-Unsubscribe"] = f"<{links['unsubscribe_url']}>"
    message.set_content(row.body)
    with smtplib.SMTP(host, int(current_app.config.get("SMTP_PORT", 25)), timeout=10) as smtp:
        smtp.send_message(message)


def _send_sms(row: Notification) -> None:
    url = current_app.config.get("SMS_WEBHOOK_URL")
    if not url:
        raise ChannelNotConfiguredError("MOTCUA_SMS_WEBHOOK_URL is not set")
    if not url.startswith(("http://", "https://")):
        raise ChannelNotConfiguredError("MOTCUA_SMS_WEBHOOK_URL must be an http(s) URL")
    payload = json.dumps({"to": row.recipient, "text": row.body, "reference": row.id}).encode()
    request = urllib.request.Request(url, data=payload, headers={"Content-Type": "application/json"},  # noqa: S310
                                     method="POST")  # the scheme is checked above
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"SMS gateway answered {response.status}")


SENDERS = {"email": _send_email, "sms": _send_sms, portal_sync.CHANNEL: portal_sync.send}


def permanent(error: BaseException) -> bool:
    """A refusal that a retry cannot change: the gateway rejected this message (4xx but timeout and rate limit),
    or the mail server refused the recipient or answered 5xx. Such a message goes to the dead letters at once."""
    if isinstance(error, urllib.error.HTTPError):
        return 400 <= error.code < 500 and error.code not in (408, 425, 429)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _deliver(row: Notification, now: datetime) -> None:
    try:
        SENDERS[row.channel](row)
    except ChannelNotConfiguredError as error:
        row.status, row.last_error = "skipped", str(error)
        return
    except (OSError, smtplib.SMTPException) as error:
        row.attempts += 1
        final = permanent(error) or row.attempts >= MAX_ATTEMPTS
        row.last_error = (f"permanent: {error}" if permanent(error) else str(error))[:1000]
        row.status = "failed" if final else "pending"  # failed = the dead letters, retried only by an admin
        row.next_attempt_at = now + timedelta(minutes=min(2 ** row.attempts, MAX_BACKOFF_MINUTES))  # 2, 4, 8, 16
        logger.warning("Notification %s (%s) not sent%s: %s", row.id, row.channel, " (gave up)" if final else "",
                       error)
        return
    row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1


def deliver_pending(now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the due outbox rows once each; returns how many ended in each status."""
    now = now or utcnow()
    rows = list(db.session.scalars(select(Notification).where(
        Notification.status == "pending", Notification.next_attempt_at <= now).order_by(Notification.id).limit(limit)
        .with_for_update(skip_locked=True)))  # a scheduler taking over mid-batch sends other rows, not these again
    prepare(rows)
    counts: dict[str, int] = {}
    for row in rows:
        if row.status == "pending":
            _deliver(row, now)
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


OUTBOX_STATES = ("pending", "failed", "skipped", "sent", "cancelled")


def outbox_counts() -> dict[str, int]:
    """How many outbox rows are in each state."""
    rows = db.session.execute(select(Notification.status, func.count()).group_by(Notification.status))
    return {state: 0 for state in OUTBOX_STATES} | dict(rows.all())


def list_outbox(status: str, limit: int = 50) -> list[Notification]:
    """The newest outbox rows in one state."""
    return list(db.session.scalars(select(Notification).where(Notification.status == status)
                                   .order_by(Notification.id.desc()).limit(limit)))


def retry_notification(notification_id: int, now: datetime | None = None) -> Notification:
    """Send an unsent message again at the next sweep, with a fresh set of attempts."""
    row = _unsent(notification_id)
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now or utcnow()
    return row


def cancel_notification(notification_id: int) -> Notification:
    """Never send this message (it stays listed as cancelled)."""
    row = _unsent(notification_id)
    row.status = "cancelled"
    return row


def _unsent(notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None:
        raise NotFoundError("Không tìm thấy tin nhắn.", "Message not found.")
    if row.status == "sent":
        raise ConflictError("Tin nhắn đã được gửi.", "The message has already been sent.")
    return row


def list_notifications(dossier_id: int) -> list[Notification]:
    """The messages to the applicant (the portal's copies of the events are not theirs)."""
    return list(db.session.scalars(select(Notification).where(Notification.dossier_id == dossier_id,
                                                              Notification.channel != portal_sync.CHANNEL)
                                   .order_by(Notification.id)))


def page_section(dossier: Dossier) -> dict:
    """The dossier page's notification list (connected to core.signals.dossier_page_sections)."""
    return {"notifications": list_notifications(dossier.id), "notification_kinds": KINDS}
