"""The admin edits citizens' message templates: preview with sample values, validation in the sandbox, versions
effective from a chosen day; the next message sent uses the saved words."""
from __future__ import annotations

from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.notify.models import MessageTemplate, Notification
from app.notify.services import deliver_pending
from tests.functional.ui_world import WORK_PERMIT

EDIT = "/admin/message-templates/received/sms/vi"


class TestMessageTemplatesAdmin:
    def test_the_list_shows_every_kind_channel_and_language_with_the_default_in_force(self, officials, at_office):
        page = officials.login("admin").get("/admin/message-templates")
        assert page.status_code == 200
        assert page.text.count('data-kind="received"') == 4 and 'data-kind="rating_invitation"' in page.text
        assert "mặc định" in page.text and f'href="{EDIT}"' in page.text

    def test_preview_renders_the_sample_values_and_saves_nothing(self, officials, at_office):
        client = officials.login("admin")
        page = client.post(EDIT, data={"body": "{{ agency }}: đã nhận {{ code }}{% if due %}, hẹn {{ due }}{% endif %}",
                                       "valid_from": "02/03/2026", "action": "preview"})
        assert page.status_code == 200 and 'id="template-preview"' in page.text
        assert "Sở Nội vụ tỉnh Thanh Hoá: đã nhận 000.00.12.H38-260302-0007, hẹn 16/03/2026 09:00" in page.text
        assert db.session.scalar(select(MessageTemplate)) is None

    def test_an_unknown_variable_or_a_syntax_error_is_shown_and_not_saved(self, officials, at_office):
        client = officials.login("admin")
        page = client.post(EDIT, data={"body": "Hồ sơ {{ so_cccd }} {% if %}", "valid_from": "02/03/2026",
                                       "action": "save"})
        assert page.status_code == 422 and 'id="template-problems"' in page.text and "syntax" in page.text
        page = client.post(EDIT, data={"body": "Hồ sơ {{ so_cccd }}", "valid_from": "02/03/2026", "action": "save"})
        assert page.status_code == 422 and "so_cccd" in page.text
        page = client.post(EDIT, data={"body": "Hồ sơ {{ code }}", "valid_from": "01/03/2026", "action": "save"})
        assert page.status_code == 422 and "từ hôm nay trở đi" in page.text
        assert db.session.scalar(select(MessageTemplate)) is None

    def test_a_saved_version_words_the_next_receipt_sms(self, officials, desk, at_office):
        client = officials.login("admin")
        response = client.post(EDIT, data={"body": "Đã nhận hồ sơ {{ code }}. Hẹn {{ due }}.",
                                           "valid_from": "02/03/2026", "action": "save"})
        assert response.status_code == 302
        page = client.get(EDIT)
        assert 'id="template-versions"' in page.text and "02/03/2026" in page.text
        assert "Đã nhận hồ sơ {{ code }}. Hẹn {{ due }}." in page.text  # the form opens on the text in force
        dossier = desk.receive(WORK_PERMIT).dossier
        deliver_pending(utcnow())
        sms = db.session.scalar(select(Notification).where(Notification.dossier_id == dossier.id,
                                                           Notification.channel == "sms"))
        assert sms.body == f"Đã nhận hồ sơ {dossier.code}. Hẹn 16/03/2026 09:00."

    def test_a_version_for_a_later_day_can_be_deleted_before_it_applies(self, officials, at_office):
        client = officials.login("admin")
        client.post(EDIT, data={"body": "Mẫu mới {{ code }}", "valid_from": "01/07/2026", "action": "save"})
        version = db.session.scalar(select(MessageTemplate))
        assert version.valid_from.isoformat() == "2026-07-01"
        assert "mẫu mới từ 01/07/2026" in client.get("/admin/message-templates").text
        assert client.post(f"{EDIT}/{version.id}/delete").status_code == 302
        db.session.expire_all()
        assert db.session.scalar(select(MessageTemplate)) is None

    def test_an_unknown_template_is_a_404(self, officials, at_office):
        assert officials.login("admin").get("/admin/message-templates/received/fax/vi").status_code == 404
