"""The receiving counter's lists and tracking book in a real browser (issue 14.9)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser


def test_receiver_finds_todays_dossier_and_prints_the_book(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    page = sessions("tiepnhan").page
    page.get_by_role("link", name="Hồ sơ tại quầy").click()
    expect(page.locator("#counter-list")).to_contain_text(dossier.code)
    page.get_by_role("link", name="Chờ trả kết quả").click()
    expect(page.locator("#counter-list")).not_to_contain_text(dossier.code)
    page.get_by_role("link", name="Tất cả").click()
    page.get_by_placeholder("Mã hồ sơ, tên hoặc số định danh").fill("nguyen van an")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(f'tr[data-code="{dossier.code}"]')).to_be_visible()
    page.get_by_placeholder("Mã hồ sơ, tên hoặc số định danh").fill("03809000")  # part of an ID number
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("#counter-list")).to_contain_text("Không có hồ sơ nào.")
    page.get_by_role("link", name="Sổ theo dõi hồ sơ").click()
    expect(page.get_by_role("heading", name="SỔ THEO DÕI HỒ SƠ")).to_be_visible()
    expect(page.locator(".logbook-table tbody tr").first).to_contain_text(dossier.code)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="In sổ")).to_be_hidden()  # the print view drops the controls
    pdf = page.pdf(prefer_css_page_size=True)  # Chromium honours @page: A4 landscape
    assert pdf[:4] == b"%PDF" and b"/MediaBox [0 0 841.9" in pdf
