"""The officials' bell: a new assignment shows up as an unread count, the list links the dossier, read clears it."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.notify.models import OfficialNotice
from tests.functional.ui_world import WORK_PERMIT


def _reassign_to_specialist(officials, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    task = desk.task(dossier, "appraisal")
    leader = officials.login("lanhdao.snv")
    specialist = db.session.scalar(select(User).where(User.username == "chuyenvien.snv"))
    response = leader.post(f"/inbox/tasks/{task.id}/reassign",
                           data={"assignee_id": str(specialist.id), "reason": "Cán bộ quen hồ sơ"})
    assert response.status_code == 302
    return dossier


class TestBell:
    def test_bell_shows_a_new_assignment_and_read_clears_it(self, officials, desk, at_office):
        client = officials.login("chuyenvien.snv")
        assert 'data-unread' not in client.get("/notices/bell").text
        dossier = _reassign_to_specialist(officials, desk)
        client = officials.login("chuyenvien.snv")
        page = client.get("/inbox/")
        assert 'hx-get="/notices/bell"' in page.text and "every 30s" in page.text  # the bell polls
        assert 'data-unread="1"' in client.get("/notices/bell").text
        listing = client.get("/notices")
        assert f"Hồ sơ {dossier.code}: Ông/Bà được giao bước" in listing.text
        assert f"/dossiers/{dossier.code}" in listing.text
        notice_id = re.search(r'/notices/(\d+)/read', listing.text).group(1)
        assert client.post(f"/notices/{notice_id}/read").status_code == 302
        assert 'data-unread' not in client.get("/notices/bell").text

    def test_an_official_cannot_mark_another_officials_notice_read(self, officials, desk, at_office):
        _reassign_to_specialist(officials, desk)
        notice = db.session.scalar(select(OfficialNotice))
        officials.login("lanhdao.snv").post(f"/notices/{notice.id}/read")
        db.session.expire_all()
        assert db.session.get(OfficialNotice, notice.id).read_at is None

    def test_email_copy_is_opt_in(self, officials, desk, at_office):
        from app.notify.models import Notification

        specialist = db.session.scalar(select(User).where(User.username == "chuyenvien.snv"))
        specialist.email = "thuly@example.vn"
        db.session.commit()
        client = officials.login("chuyenvien.snv")
        assert client.post("/notices/email", data={"enabled": "1"}).status_code == 302
        _reassign_to_specialist(officials, desk)
        mails = db.session.scalars(select(Notification).where(Notification.event_kind == "official_assigned")).all()
        assert [m.recipient for m in mails] == ["thuly@example.vn"]


class TestLanguage:
    def test_an_official_reading_english_sees_the_notice_and_gets_the_email_in_english(self, officials, desk,
                                                                                        at_office):
        from app.notify.models import Notification

        specialist = db.session.scalar(select(User).where(User.username == "chuyenvien.snv"))
        specialist.locale, specialist.email = "en", "thuly@example.vn"
        db.session.commit()
        officials.login("chuyenvien.snv").post("/notices/email", data={"enabled": "1"})
        dossier = _reassign_to_specialist(officials, desk)
        listing = officials.login("chuyenvien.snv").get("/notices")
        assert f"Dossier {dossier.code}: you were assigned the step «" in listing.text
        assert "được giao bước" not in listing.text
        mail = db.session.scalar(select(Notification).where(Notification.event_kind == "official_assigned"))
        assert mail.language == "en" and mail.subject.startswith(f"Dossier {dossier.code}: you were assigned")
        assert "assigned you the step" in mail.body and "Reason: Cán bộ quen hồ sơ" in mail.body
        stored = db.session.scalar(select(OfficialNotice))
        assert stored.title.startswith(f"Hồ sơ {dossier.code}: Ông/Bà được giao bước")  # kept in Vietnamese

    def test_the_same_notice_reads_in_vietnamese_for_a_vietnamese_reader(self, officials, desk, at_office):
        dossier = _reassign_to_specialist(officials, desk)
        listing = officials.login("chuyenvien.snv").get("/notices")
        assert f"Hồ sơ {dossier.code}: Ông/Bà được giao bước" in listing.text
        assert "giao Ông/Bà xử lý bước" in listing.text and "you were assigned" not in listing.text
