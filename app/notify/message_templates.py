"""Message templates: effective-dated versions per event kind, channel and language, edited by an admin.

A message uses the version in force on the day of its event (local date); where none is, the shipped default
(app.notify.messages.DEFAULTS). A version can be written for today or a later day, never for the past: the
messages already sent keep the words they were sent with, and a change of wording can be prepared ahead
(e.g. for a new decree's date). Every text is rendered and checked in the sandbox (app.workflow.texts).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.timefmt import format_date, to_local
from app.extensions import db
from app.notify.messages import CHANNELS, DEFAULTS, KINDS, LANGUAGES, SAMPLE_CONTEXT, template_data, variables_of
from app.notify.models import MessageTemplate
from app.workflow.texts import TextTemplateError, render_text, text_problem, text_variables

MAX_SUBJECT = 255
MAX_BODY = 5000
SAMPLE_LINKS = {"lookup_url": "https://motcua.example/tra-cuu?code=000.00.12.H38-260302-0007",
                "unsubscribe_url": "https://motcua.example/thong-bao/huy/…"}


@dataclass(frozen=True)
class Text:
    """The subject and body one message is rendered from, and the version they come from (None: the default)."""

    subject: str
    body: str
    version_id: int | None = None
    valid_from: date | None = None


def local_today() -> date:
    return to_local(utcnow()).date()


def default_text(kind: str, channel: str, language: str) -> Text:
    subject, body = DEFAULTS[kind].get(language) or DEFAULTS[kind]["vi"]
    return Text("" if channel == "sms" else subject, body)


def check_key(kind: str, channel: str, language: str) -> None:
    if kind not in KINDS or channel not in CHANNELS or language not in LANGUAGES:
        raise NotFoundError("Không có mẫu tin nhắn này.", "No such message template.")


# --- in force ----------------------------------------------------------------------------------------------------

class TextsInForce:
    """The versions of some kinds up to a day, loaded in one query; answers per message which text applies."""

    def __init__(self, kinds: set[str], until: date) -> None:
        self.versions: dict[tuple[str, str, str], list[MessageTemplate]] = {}
        if kinds:
            query = (select(MessageTemplate).where(MessageTemplate.event_kind.in_(sorted(kinds)),
                                                   MessageTemplate.valid_from <= until)
                     .order_by(MessageTemplate.valid_from))
            for row in db.session.scalars(query):
                self.versions.setdefault((row.event_kind, row.channel, row.language), []).append(row)

    def text(self, kind: str, channel: str, language: str, on: date) -> Text:
        """The version in force on `on`, else the default."""
        in_force = [v for v in self.versions.get((kind, channel, language), []) if v.valid_from <= on]
        if not in_force:
            return default_text(kind, channel, language)
        version = in_force[-1]
        return Text(version.subject if channel == "email" else "", version.body, version.id, version.valid_from)


def text_in_force(kind: str, channel: str, language: str, on: date | None = None) -> Text:
    on = on or local_today()
    return TextsInForce({kind}, on).text(kind, channel, language, on)


# --- checking and previewing -------------------------------------------------------------------------------------

def template_problems(kind: str, channel: str, subject: str, body: str) -> list[str]:
    """Why these texts cannot be saved: empty, too long, Jinja errors or a blown budget, unknown variables."""
    problems = []
    if not body.strip():
        problems.append(_("Nội dung không được để trống."))
    if channel == "email" and not subject.strip():
        problems.append(_("Thư điện tử cần có tiêu đề."))
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        problems.append(_("Tiêu đề tối đa %(s)s ký tự, nội dung tối đa %(b)s ký tự.", s=MAX_SUBJECT, b=MAX_BODY))
    allowed = set(variables_of(kind, channel))
    for label, source in ((_("Tiêu đề"), subject), (_("Nội dung"), body)):
        problem = text_problem(source) if source else None
        if problem:
            problems.append(f"{label}: {problem}")
            continue
        unknown = sorted(text_variables(source) - allowed)
        if unknown:
            problems.append(_("%(part)s dùng biến không có: %(names)s.", part=label, names=", ".join(unknown)))
    return problems


def preview(kind: str, channel: str, language: str, subject: str, body: str) -> tuple[str, str]:
    """The texts rendered with sample values of this kind, as the citizen would read them."""
    data = template_data(SAMPLE_CONTEXT, language, SAMPLE_LINKS if channel == "email"
                         else {"lookup_url": SAMPLE_LINKS["lookup_url"]})
    try:
        return (render_text(subject, data) if channel == "email" else ""), render_text(body, data)
    except TextTemplateError as error:
        raise ValidationError(f"Không hiển thị được mẫu với dữ liệu mẫu: {error}",
                              f"The template does not render with the sample values: {error}") from error


# --- editing -----------------------------------------------------------------------------------------------------

def save_template(actor: User, kind: str, channel: str, language: str, *, subject: str, body: str,
                  valid_from: date) -> MessageTemplate:
    """Write the version in force from `valid_from` (today or later); the same day's version is replaced."""
    check_key(kind, channel, language)
    if valid_from < local_today():
        raise ValidationError("Chỉ áp dụng mẫu từ hôm nay trở đi: tin nhắn đã gửi giữ nguyên nội dung.",
                              "A template applies from today on: messages already sent keep their words.")
    subject = subject if channel == "email" else ""
    problems = template_problems(kind, channel, subject, body)
    if problems:
        raise ValidationError("Mẫu chưa hợp lệ: " + " ".join(problems), "Invalid template: " + " ".join(problems),
                              details={"problems": problems})
    version = db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.event_kind == kind, MessageTemplate.channel == channel,
        MessageTemplate.language == language, MessageTemplate.valid_from == valid_from))
    if version is None:
        version = MessageTemplate(event_kind=kind, channel=channel, language=language, valid_from=valid_from)
        db.session.add(version)
    version.subject, version.body = subject, body
    version.created_at, version.created_by_id = utcnow(), actor.id
    db.session.flush()
    return version


def delete_scheduled(kind: str, channel: str, language: str, version_id: int) -> None:
    """Drop a version that is not in force yet (a version in force stays: messages were rendered from it)."""
    version = db.session.get(MessageTemplate, version_id)
    if version is None or (version.event_kind, version.channel, version.language) != (kind, channel, language):
        raise NotFoundError("Không tìm thấy phiên bản mẫu.", "Template version not found.")
    if version.valid_from <= local_today():
        raise ValidationError(f"Phiên bản đã áp dụng từ {format_date(version.valid_from)}, không xoá được.",
                              f"This version applies since {format_date(version.valid_from)}: it cannot be deleted.")
    db.session.delete(version)


def list_versions(kind: str, channel: str, language: str) -> list[MessageTemplate]:
    """Every version of one template, newest first."""
    check_key(kind, channel, language)
    return list(db.session.scalars(select(MessageTemplate).where(
        MessageTemplate.event_kind == kind, MessageTemplate.channel == channel, MessageTemplate.language == language)
        .order_by(MessageTemplate.valid_from.desc())))


@dataclass(frozen=True)
class OverviewRow:
    kind: str
    channel: str
    language: str
    text: Text
    scheduled: date | None  # the next version's day, if one is written for later


def overview(today: date | None = None) -> list[OverviewRow]:
    """Every template (kind × channel × language) with the text in force today and the next scheduled version."""
    today = today or local_today()
    texts = TextsInForce(set(KINDS), date.max)
    rows = []
    for kind in KINDS:
        for channel in CHANNELS:
            for language in LANGUAGES:
                versions = texts.versions.get((kind, channel, language), [])
                later = [v.valid_from for v in versions if v.valid_from > today]
                rows.append(OverviewRow(kind, channel, language, texts.text(kind, channel, language, today),
                                        min(later) if later else None))
    return rows
