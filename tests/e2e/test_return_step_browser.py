"""'Trả về bước trước' in a real browser: one reason box appears with the decision; the appraisal goes back to the
specialist who did it, in their own tasks, with the reason."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import choose, claim_from_queue, fill, form, shot
from tests.functional.ui_world import WORK_PERMIT, reach

pytestmark = pytest.mark.browser


def test_leader_returns_the_appraisal_to_the_specialist_with_one_reason(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    reach(desk, dossier, "approval")
    leader = sessions("lanhdao.snv").page
    claim_from_queue(leader, dossier.code)
    reason = form(leader).locator(".fjs-form-field", has_text="Lý do trả về bước trước")
    expect(reason).to_have_count(0)  # no box before the decision asks for it
    expect(leader.locator("#task-other-actions")).to_contain_text("Trả lại hàng chờ")
    choose(leader, "Ý kiến phê duyệt", "trả về bước trước")
    expect(reason).to_have_count(1)  # the one box, shown as soon as the decision is chosen
    expect(leader.locator("#complete-btn")).to_have_text("Trả về bước trước")  # the button names the action
    expect(leader.locator("#comment-note")).to_be_visible()  # the comment stays an optional note
    leader.locator("#complete-btn").click()
    expect(reason.locator(".fjs-form-field-error")).to_contain_text("bắt buộc")  # in place, no round trip
    assert re.search(r"/tasks/\d+$", leader.url)
    shot(leader, "return_step_leader")
    fill(leader, "Lý do trả về bước trước", "Làm rõ thời hạn đề nghị cấp")
    leader.locator("#complete-btn").click()
    expect(leader.locator(".alert-success")).to_contain_text("Đã hoàn thành bước", timeout=20_000)

    specialist = sessions("chuyenvien.snv").page
    specialist.goto("/inbox/?tab=mine")
    row = specialist.locator("tr", has_text=dossier.code)
    expect(row).to_contain_text("Thẩm định")
    row.get_by_role("link", name="Xử lý", exact=True).click()
    expect(specialist.locator(".previous-step")).to_contain_text("Làm rõ thời hạn đề nghị cấp")
    expect(specialist.locator("#timeline")).to_be_visible()
    expect(specialist.locator(".timeline [data-kind=step_returned]")).to_contain_text("Trả về bước trước")
    shot(specialist, "return_step_specialist")


def test_an_other_action_on_the_task_page_opens_its_form_on_the_dossier_page(sessions, desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    reach(desk, dossier, "approval")
    leader = sessions("lanhdao.snv").page
    claim_from_queue(leader, dossier.code)
    leader.locator("#task-other-actions").get_by_role("link", name="Xin lỗi và hẹn lại ngày trả").click()
    expect(leader.locator("#action-apology")).to_have_attribute("open", "")
    expect(leader.locator("#action-apology form")).to_be_visible()
