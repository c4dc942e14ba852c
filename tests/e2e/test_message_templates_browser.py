"""In a real browser: the admin previews and saves a message template; the applicant chooses how to be told."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser


class TestMessageTemplatesInTheBrowser:
    def test_admin_previews_then_saves_the_receipt_sms(self, sessions, tmp_path):
        admin = sessions("admin").page
        admin.goto("/admin/message-templates")
        admin.locator('tr[data-kind="received"][data-channel="sms"][data-language="vi"]').get_by_role(
            "link", name="Sửa").click()
        body = "{{ agency }} đã nhận hồ sơ {{ code }}{% if due %}, hẹn {{ due }}{% endif %}."
        admin.get_by_label("Nội dung").fill(body)
        admin.get_by_role("button", name="Xem trước").click()
        expect(admin.locator("#template-preview")).to_contain_text(
            "Sở Nội vụ tỉnh Thanh Hoá đã nhận hồ sơ 000.00.12.H38-260302-0007, hẹn 16/03/2026 09:00.")
        admin.screenshot(path=str(tmp_path / "template-preview.png"), full_page=True)
        admin.get_by_label("Nội dung").fill("Hồ sơ {{ so_cccd }}")
        admin.get_by_role("button", name="Lưu").click()
        expect(admin.locator("#template-problems")).to_contain_text("so_cccd")
        admin.get_by_label("Nội dung").fill("Đã nhận hồ sơ {{ code }}.")
        admin.get_by_role("button", name="Lưu").click()
        expect(admin.locator(".alert-success").first).to_contain_text("Đã lưu mẫu")
        expect(admin.locator("#template-versions")).to_contain_text("Đã nhận hồ sơ {{ code }}.")

    def test_the_applicant_turns_sms_off_and_sees_the_messages(self, sessions, desk, tmp_path):
        receipt = desk.receive(WORK_PERMIT)
        citizen = sessions().page
        citizen.goto(f"/tra-cuu?code={receipt.dossier.code}")
        citizen.get_by_label("Mã tra cứu (PIN, 6 chữ số)").fill(receipt.pin)
        citizen.get_by_role("button", name="Tra cứu").click()
        expect(citizen.locator("#citizen-messages")).to_contain_text("Tiếp nhận hồ sơ")
        sms = citizen.get_by_label("Tin nhắn SMS tới 09******78")
        expect(sms).to_be_checked()
        sms.uncheck()
        citizen.get_by_label("English").check()
        citizen.get_by_role("button", name="Lưu lựa chọn").click()
        expect(citizen.locator(".alert-success").first).to_contain_text("Đã lưu lựa chọn")
        expect(citizen.get_by_label("Tin nhắn SMS tới 09******78")).not_to_be_checked()
        expect(citizen.get_by_label("English")).to_be_checked()
        citizen.screenshot(path=str(tmp_path / "citizen-notifications.png"), full_page=True)
