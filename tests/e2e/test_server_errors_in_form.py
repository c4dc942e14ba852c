"""Errors only the server can find (order between dates) are shown inside the form-js form, under
their field, in Vietnamese; the form keeps its layout and the official's values, and goes through once fixed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import claim_from_queue, complete, date, fill, form, shot
from tests.functional.ui_world import WORK_PERMIT, reach

pytestmark = pytest.mark.browser


def test_server_errors_appear_under_their_fields_inside_form_js(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    reach(desk, dossier, "stamping")
    clerk = sessions("vanthu.snv").page
    claim_from_queue(clerk, dossier.code)
    number = form(clerk).locator(".fjs-form-field", has_text="Số giấy phép lao động")
    fill(clerk, "Số giấy phép lao động", "GPLĐ-38-" + "9" * 300)  # over the default 255 characters
    clerk.locator("#complete-btn").click()  # refused in the browser: the schema carries the default maxLength
    expect(number.locator(".fjs-form-field-error")).to_contain_text("Tối đa 255 ký tự.")
    expect(clerk.locator(".alert-success", has_text="Đã hoàn thành bước")).to_have_count(0)  # nothing was posted
    fill(clerk, "Số giấy phép lao động", "GPLĐ-38-0003")
    date(clerk, "Ngày ban hành", "02/03/2026")
    date(clerk, "Giấy phép có giá trị đến ngày", "01/01/2026")  # before the issue date: only the server knows
    clerk.locator("#complete-btn").click()
    clerk.wait_for_load_state()
    host = form(clerk)  # the form-js layout again, not the plain fallback
    expect(clerk.locator("#plain-fields")).to_be_hidden()
    until = host.locator(".fjs-form-field", has_text="Giấy phép có giá trị đến ngày")
    expect(until.locator(".fjs-form-field-error")).to_contain_text("Phải từ ngày “Ngày ban hành” (02/03/2026)")
    expect(clerk.locator("#form-alert")).to_contain_text("Biểu mẫu còn lỗi")
    shot(clerk, "task_server_errors")

    date(clerk, "Giấy phép có giá trị đến ngày", "01/03/2028")
    expect(until.locator(".fjs-form-field-error")).to_have_count(0)
    complete(clerk)
