"""Citizens' messages from effective-dated Jinja templates (rendered in the sandbox when sent), the applicant's
channel and language choice, the unsubscribe link, and the rating invitation after return."""
from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.timefmt import format_datetime
from app.extensions import db
from app.notify import preferences
from app.notify.message_templates import save_template, template_problems, text_in_force
from app.notify.models import ALREADY_RATED, OPTED_OUT, MessageTemplate
from app.notify.services import deliver_pending, list_notifications
from tests.integration.notify.test_outbox import receive_with_contacts, sms_gateway, smtp_server  # noqa: F401

pytest_plugins = ["tests.integration.dossiers.conftest"]


def admin() -> User:
    return db.session.scalar(select(User).where(User.username == "admin"))


def delivered(dossier, now=None):
    """Run one delivery sweep (no gateway configured: rows end skipped, worded as they would have been sent)."""
    deliver_pending(now or utcnow())
    rows = list_notifications(dossier.id)
    for row in rows:
        db.session.refresh(row)
    return rows


class TestTemplates:
    def test_a_new_version_words_the_messages_of_events_from_its_day_on(self, desk, clock):
        clock("2026-03-02 09:00")
        save_template(admin(), "received", "sms", "vi", subject="",
                      body="{{ agency }} đã nhận hồ sơ {{ code }}, hẹn {{ due }}.", valid_from=date(2026, 3, 3))
        db.session.commit()
        before = receive_with_contacts(email=None)
        clock("2026-03-03 09:00")
        after = receive_with_contacts(email=None)
        old, new = delivered(before)[0], delivered(after)[0]
        assert old.body.startswith(f"Hồ sơ {before.code} (")  # the default, in force on 02/03
        assert new.body.endswith(f" đã nhận hồ sơ {after.code}, hẹn {format_datetime(after.due_at)}.")
        assert not new.body.startswith(" ")  # the agency's name came first

    def test_a_template_with_logic_renders_in_the_sandbox_worker(self, desk, clock):
        clock("2026-03-02 09:00")
        body = "{% if items %}Cần bổ sung: {{ items|upper }}{% else %}Không thiếu gì{% endif %} ({{ code }})"
        save_template(admin(), "supplement_requested", "sms", "vi", subject="", body=body,
                      valid_from=date(2026, 3, 2))
        dossier = receive_with_contacts(email=None)
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="bản sao hộ chiếu")
        row = [r for r in delivered(dossier) if r.event_kind == "supplement_requested"][0]
        assert row.body == f"Cần bổ sung: BẢN SAO HỘ CHIẾU ({dossier.code})"

    def test_a_template_failing_on_real_values_falls_back_to_the_default_text(self, desk, clock, sms_gateway):  # noqa: F811
        clock("2026-03-02 09:00")
        db.session.add(MessageTemplate(event_kind="received", channel="sms", language="vi", subject="",
                                       body="{{ (code|length) // 0 }}", valid_from=date(2026, 1, 1)))
        dossier = receive_with_contacts(email=None)
        row = delivered(dossier)[0]
        assert row.status == "sent" and sms_gateway[0]["text"] == row.body
        assert row.body.startswith(f"Hồ sơ {dossier.code} (") and "default text sent" in row.last_error

    @pytest.mark.parametrize(("body", "problem"), [
        ("Hồ sơ {{ code ", "syntax"),
        ("Hồ sơ {{ cccd }}", "cccd"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "budget"),
        ("Phí {{ 7 ** 40353607 }}", "budget"),
        ("", "trống"),
    ])
    def test_a_broken_template_is_refused_with_the_reason(self, desk, clock, body, problem):
        clock("2026-03-02 09:00")
        problems = template_problems("received", "sms", "", body)
        assert problems and problem in " ".join(problems)
        with pytest.raises(ValidationError):
            save_template(admin(), "received", "sms", "vi", subject="", body=body, valid_from=date(2026, 3, 2))

    def test_an_email_template_needs_a_subject_and_no_version_starts_in_the_past(self, desk, clock):
        clock("2026-03-02 09:00")
        assert template_problems("received", "email", "", "{{ code }}")
        with pytest.raises(ValidationError):
            save_template(admin(), "received", "sms", "vi", subject="", body="{{ code }}", valid_from=date(2026, 3, 1))

    def test_saving_twice_on_one_day_replaces_that_days_version(self, desk, clock):
        clock("2026-03-02 09:00")
        for body in ("Một {{ code }}", "Hai {{ code }}"):
            save_template(admin(), "returned", "sms", "en", subject="", body=body, valid_from=date(2026, 3, 2))
        assert text_in_force("returned", "sms", "en").body == "Hai {{ code }}"
        assert db.session.query(MessageTemplate).count() == 1


class TestApplicantChoice:
    def test_english_was_chosen_so_the_message_is_english(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(email=None)
        preferences.set_preference(dossier, channels=["sms"], language="en")
        row = delivered(dossier)[0]
        assert row.language == "en" and row.body.startswith(f"Dossier {dossier.code} (")
        assert "was received by" in row.body

    def test_an_opted_out_channel_is_not_sent_even_if_queued_before(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts()
        preferences.set_preference(dossier, channels=["email"], language="vi")
        rows = {r.channel: r for r in delivered(dossier)}
        assert rows["sms"].status == "skipped" and rows["sms"].last_error == OPTED_OUT
        assert rows["email"].last_error == "MOTCUA_SMTP_HOST is not set"  # tried: no gateway in this test

    def test_the_unsubscribe_link_stops_emails_and_a_forged_one_does_nothing(self, desk, clock):
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts()
        token = preferences.unsubscribe_token(dossier.id)
        with pytest.raises(NotFoundError):
            preferences.read_unsubscribe_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
        found, channel = preferences.read_unsubscribe_token(token)
        preferences.unsubscribe(found, channel)
        assert preferences.chosen_channels(dossier, preferences.find_preference(dossier.id)) == ["sms"]


class TestEmailDelivery:
    def test_the_email_carries_an_unsubscribe_link_in_body_and_header(self, app, desk, clock, smtp_server):  # noqa: F811
        clock("2026-03-02 09:00")
        dossier = receive_with_contacts(phone=None)
        deliver_pending(utcnow())
        message = message_from_bytes(smtp_server.messages[0].content, policy=email_policy)
        header = str(message["List-Unsubscribe"])
        assert header.startswith("<http://127.0.0.1:5000/thong-bao/huy/") and header.endswith(">")
        token = header[1:-1].rsplit("/", 1)[1]
        assert preferences.read_unsubscribe_token(token)[0].id == dossier.id
        body = message.get_content()
        assert dossier.code in body and "không muốn nhận thư điện tử về hồ sơ này nữa" in body
        assert "http://127.0.0.1:5000/thong-bao/huy/" in body


class TestRatingInvitation:
    def test_invitation_leaves_after_the_delay_unless_the_dossier_was_rated(self, app, desk, clock):
        clock("2026-03-02 09:00")
        rated, unrated = receive_with_contacts(email=None), receive_with_contacts(email=None)
        for dossier in (rated, unrated):
            desk.run_to_end(dossier)
        from app.dossiers import lifecycle

        lifecycle.rate(rated.code, None, "satisfied", None, verified=True)
        db.session.commit()
        invitations = [r for r in list_notifications(unrated.id) if r.event_kind == "rating_invitation"]
        returned = [r for r in list_notifications(unrated.id) if r.event_kind == "returned"][0]
        delay = timedelta(hours=app.config["RATING_INVITATION_DELAY_HOURS"])
        assert len(invitations) == 1 and invitations[0].next_attempt_at == returned.next_attempt_at + delay
        deliver_pending(invitations[0].next_attempt_at - timedelta(seconds=1))
        db.session.refresh(invitations[0])
        assert invitations[0].status == "pending" and not invitations[0].body  # not yet
        later = invitations[0].next_attempt_at
        invitation = [r for r in delivered(unrated, later) if r.event_kind == "rating_invitation"][0]
        assert "đánh giá mức độ hài lòng tại http://127.0.0.1:5000/tra-cuu?code=" in invitation.body
        assert [r.last_error for r in delivered(rated, later) if r.event_kind == "rating_invitation"] == [ALREADY_RATED]
