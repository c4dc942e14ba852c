"""Officials' screens in a real browser (issue 14): the case panel, validation, Vietnamese, deadlines, duplicates."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import choose, claim_from_queue, complete, date, fill, form
from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("MOTCUA_SHOTS")  # a folder: save what the tests looked at, to read the pages


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


DECLARATION = {"worker_full_name": "John Smith", "passport_number": "C7654321", "employer_tax_code": "2801234567"}


def _received(desk):
    return desk.receive(WORK_PERMIT, form_data={**desk.intake_data(WORK_PERMIT), **DECLARATION}).dossier


class TestCasePanel:
    def test_each_official_reads_the_whole_case_where_they_decide(self, sessions, desk):
        code = _received(desk).code
        specialist = sessions("chuyenvien.snv").page
        claim_from_queue(specialist, code)
        panel = specialist.locator("#case-panel")
        expect(panel).to_contain_text("Số hộ chiếu")
        expect(panel).to_contain_text("C7654321")
        expect(panel).to_contain_text("2801234567")
        shot(specialist, "task_specialist")
        choose(specialist, "Kết quả thẩm định", "Đủ điều kiện")
        fill(specialist, "Thời hạn đề nghị cấp (tháng)", "18")
        fill(specialist, "Ý kiến thẩm định", "Đủ điều kiện, đề nghị cấp 18 tháng.")
        complete(specialist)

        leader = sessions("lanhdao.snv").page
        claim_from_queue(leader, code)
        expect(leader.locator(".previous-step")).to_contain_text("Đủ điều kiện, đề nghị cấp 18 tháng.")
        expect(leader.locator(".previous-step")).to_contain_text("18")
        choose(leader, "Ý kiến phê duyệt", "Đồng ý, ký duyệt")
        expect(form(leader).get_by_label("Thời hạn giấy phép được duyệt (tháng)")).to_have_value("18")
        shot(leader, "task_leader")
        complete(leader)

        clerk = sessions("vanthu.snv").page
        claim_from_queue(clerk, code)
        expect(clerk.locator(".previous-step")).to_contain_text("Thời hạn giấy phép được duyệt (tháng)")
        expect(form(clerk).get_by_label("Người ký", exact=True)).not_to_have_value("")
        shot(clerk, "task_clerk")

    def test_receiver_sees_the_requested_supplement_and_gets_it_prefilled(self, sessions, desk):
        dossier = _received(desk)
        desk.complete(dossier, "appraisal", "supplement", supplement_items="Phiếu lý lịch tư pháp còn hạn 6 tháng")
        receiver = sessions("tiepnhan").page
        receiver.goto(f"/dossiers/{dossier.code}")
        expect(receiver.locator(".case-open-supplement")).to_contain_text("Phiếu lý lịch tư pháp còn hạn 6 tháng")
        receiver.locator(".action-supplement summary").click()
        expect(receiver.locator(".action-supplement .action-intro")).to_contain_text("Phiếu lý lịch tư pháp")
        expect(receiver.get_by_label("Giấy tờ bổ sung đã nhận (mỗi dòng một giấy tờ)")).to_have_value(
            re.compile("Phiếu lý lịch tư pháp còn hạn 6 tháng"))
        shot(receiver, "dossier_supplement")


class TestDates:
    def test_an_impossible_date_typed_in_form_js_is_refused_not_rolled_over(self, sessions, desk):
        from tests.functional.ui_world import reach

        dossier = _received(desk)
        reach(desk, dossier, "stamping")
        clerk = sessions("vanthu.snv").page
        claim_from_queue(clerk, dossier.code)
        fill(clerk, "Số giấy phép lao động", "GPLĐ-38-0002")
        date(clerk, "Ngày ban hành", "31/02/2026")
        clerk.get_by_role("button", name="Hoàn thành bước").click()
        expect(clerk.locator(".motcua-date-error")).to_contain_text("“31/02/2026” không phải là ngày có thật")
        expect(clerk).to_have_url(re.compile(r".*/tasks/\d+$"))
        shot(clerk, "task_bad_date")


class TestVietnamese:
    def test_form_js_speaks_vietnamese(self, sessions, desk):
        from tests.functional.ui_world import reach

        dossier = _received(desk)
        reach(desk, dossier, "stamping")
        clerk = sessions("vanthu.snv").page
        claim_from_queue(clerk, dossier.code)
        clerk.get_by_role("button", name="Hoàn thành bước").click()
        host = form(clerk)
        expect(host).to_contain_text("Trường này là bắt buộc.")
        expect(host).not_to_contain_text("Field is required")
        host.locator(".fjs-form-field-datetime input.flatpickr-input").first.click()
        expect(host.locator(".flatpickr-calendar").first).to_contain_text("T2")
        expect(host.locator(".flatpickr-calendar").first).not_to_contain_text("Mon")
        shot(clerk, "task_vietnamese")

    def test_select_placeholder_and_pattern_message_are_vietnamese(self, sessions, desk):
        code = _received(desk).code
        specialist = sessions("chuyenvien.snv").page
        claim_from_queue(specialist, code)
        host = form(specialist)
        expect(host.locator(".fjs-form-field-select").first).to_contain_text("— chọn —")
        expect(host).not_to_contain_text("Select")


class TestDeadlineColours:
    def test_deadline_cells_are_coloured_not_black(self, sessions, desk):
        _received(desk)
        specialist = sessions("chuyenvien.snv").page
        specialist.goto("/inbox/?tab=queue")
        cell = specialist.locator("td[data-urgency]").first
        urgency = cell.get_attribute("data-urgency")
        colour = cell.evaluate("el => getComputedStyle(el).color")
        expected = {"ok": "rgb(20, 108, 67)", "soon": "rgb(153, 116, 4)", "late": "rgb(176, 42, 55)"}[urgency]
        assert colour == expected
        expect(cell).to_have_text(re.compile(r"^(còn|trễ) \d+ (ngày|giờ|phút)"))
        shot(specialist, "inbox")


class TestDuplicates:
    def test_back_button_and_submit_again_warns_instead_of_creating_a_second_dossier(self, sessions):
        """Chromium reloads the form on back (new one-time token, restored fields): the same-day guard catches it;
        the token itself is covered by the view test (tests/functional/dossiers/test_duplicates.py)."""
        from app.dossiers.models import Dossier
        from app.extensions import db
        from tests.e2e.test_dossier_flow import take_at_counter

        receiver = sessions("tiepnhan").page
        code, _pin = take_at_counter(receiver)
        receiver.go_back()
        receiver.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
        expect(receiver.locator("#duplicate-warning")).to_contain_text(code)
        assert db.session.query(Dossier).count() == 1


class TestOrganisation:
    def test_choosing_organisation_asks_for_the_tax_code(self, sessions):
        receiver = sessions("tiepnhan").page
        receiver.goto(f"/counter/intake/{WORK_PERMIT}")
        expect(receiver.get_by_label("Số định danh cá nhân (12 chữ số)", exact=True)).to_be_visible()
        receiver.get_by_label("Loại người nộp").select_option("organisation")
        expect(receiver.get_by_label("Mã số thuế (10 hoặc 13 chữ số)", exact=True)).to_be_visible()
