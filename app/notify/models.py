"""The outbox: one row per message to send; written with the state change, delivered after it committed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db

OPTED_OUT = "opted out by the applicant"
ALREADY_RATED = "the dossier is rated already"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (db.Index("ix_notifications_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    event_kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))  # email / sms
    recipient: Mapped[str] = mapped_column(String(255))
    # Citizens' messages are rendered when they are sent (the scheduler, in the sandbox) from the template in force
    # on the event's day, in the language the citizen chose: until then `context` holds the values of the event
    # and subject/body are empty. Officials' e-mails are written complete (no context).
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[dict | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(8))  # the language it was rendered in
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / sent / failed / skipped
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def needs_render(self) -> bool:
        return self.context is not None and not self.body

    @property
    def skip_reason(self) -> str | None:
        """Why a skipped message was not sent: opted_out, rated or no_gateway."""
        if self.status != "skipped":
            return None
        return {OPTED_OUT: "opted_out", ALREADY_RATED: "rated"}.get(self.last_error or "", "no_gateway")


class MessageTemplate(db.Model):
    """One version of the text of a citizen message (event kind × channel × language), in force from `valid_from`
    (a local date) until the next version's. Jinja, rendered in the sandbox; the shipped defaults apply where no
    version is in force yet."""

    __tablename__ = "message_templates"
    __table_args__ = (db.UniqueConstraint("event_kind", "channel", "language", "valid_from",
                                          name="uq_message_templates_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))  # email / sms
    language: Mapped[str] = mapped_column(String(8))  # vi / en
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class NotificationPreference(db.Model):
    """What the applicant of one dossier wants to hear: e-mail and/or SMS (or nothing), in which language.

    Absent = the default: every channel the applicant gave a contact for, in Vietnamese.
    """

    __tablename__ = "notification_preferences"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(default=True)
    sms_enabled: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_via: Mapped[str] = mapped_column(String(16), default="lookup")  # lookup / unsubscribe

    def allows(self, channel: str) -> bool:
        return self.email_enabled if channel == "email" else self.sms_enabled


class OfficialNotice(db.Model):
    """A message to one official, shown under the bell (and e-mailed when the official asked for it).

    `dedupe_key` makes the periodic warnings idempotent: one 'due soon' or 'escalated' notice per task and user.
    """

    __tablename__ = "official_notices"
    __table_args__ = (db.UniqueConstraint("user_id", "dedupe_key", name="uq_official_notices_user_key"),
                      db.Index("ix_official_notices_unread", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # assigned / returned / due_soon / overdue / escalated / ...
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict | None] = mapped_column(JSON)  # the values of the texts: each reader sees their language
    dedupe_key: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    dossier = relationship("Dossier", lazy="joined")


class NoticeSetting(db.Model):
    """An official's choice to also receive the bell's notices by e-mail (off by default)."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(default=False)
