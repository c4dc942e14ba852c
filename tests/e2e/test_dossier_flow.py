"""End to end in a real browser: counter intake to citizen rating, supplement, claim race, live diagram."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.core.timefmt import LOCAL_TZ
from app.extensions import db
from tests.e2e.helpers import choose, claim_from_queue, complete, date, fill
from tests.factories.organisation import add_official
from tests.functional.ui_world import WORK_PERMIT

pytestmark = pytest.mark.browser

APPLICANT = {"Họ và tên người nộp / tên tổ chức": "Nguyễn Thị Bình", "Số định danh cá nhân (12 chữ số)": "038190004321",
             "Số điện thoại": "0987654321", "Địa chỉ": "Phường Hạc Thành, Thanh Hóa"}
INTAKE = {"worker_full_name": "John Smith", "passport_number": "C7654321", "nationality": "Vương quốc Anh",
          "employer_name": "Công ty TNHH Nghi Sơn", "employer_tax_code": "2801234567",
          "employer_address": "KKT Nghi Sơn", "demand_approval_number": "15/UBND-VX", "job_title": "Kỹ sư trưởng",
          "work_location": "Nghi Sơn"}
INTAKE_DATES = {"worker_date_of_birth": "1980-01-15", "work_start": "2026-12-01", "work_end": "2027-11-30"}


def take_at_counter(page) -> tuple[str, str]:
    """Receive a complete work-permit dossier at the counter; return (code, PIN) from the printed receipt."""
    page.goto("/counter/intake")
    page.get_by_label("Tìm theo tên hoặc mã thủ tục (không cần dấu)").fill("giay phep lao dong")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile(WORK_PERMIT)).click()
    for box in page.locator('input[name="documents"]').all():
        box.check()
    for label, value in APPLICANT.items():
        page.get_by_label(label, exact=True).fill(value)
    for key, value in {**INTAKE, **INTAKE_DATES}.items():
        page.locator(f'[name="f.{key}"]').fill(value)
    for key in ("worker_gender", "position"):
        page.locator(f'select[name="f.{key}"]').select_option(index=1)
    page.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    expect(page.locator("#receipt-qr")).to_be_visible()
    expect(page.locator("#receipt-appointment")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    return page.locator("#receipt-code").inner_text(), page.locator("#receipt-pin").inner_text()


class TestDossierJourney:
    def test_intake_appraisal_approval_stamping_return_then_the_citizen_rates(self, sessions):
        code, pin = take_at_counter(sessions("tiepnhan").page)

        specialist = sessions("chuyenvien.snv").page
        claim_from_queue(specialist, code)
        choose(specialist, "Kết quả thẩm định", "Đủ điều kiện")
        fill(specialist, "Ý kiến thẩm định", "Hồ sơ đầy đủ, hợp lệ.")
        complete(specialist)

        leader = sessions("lanhdao.snv").page
        claim_from_queue(leader, code)
        choose(leader, "Ý kiến phê duyệt", "Đồng ý, ký duyệt")
        complete(leader)

        clerk = sessions("vanthu.snv").page
        claim_from_queue(clerk, code)
        fill(clerk, "Số giấy phép lao động", "GPLĐ-38-0001")
        today = datetime.now(LOCAL_TZ).date()
        date(clerk, "Ngày ban hành", today.strftime("%d/%m/%Y"))
        date(clerk, "Giấy phép có giá trị đến ngày", today.replace(year=today.year + 1).strftime("%d/%m/%Y"))
        complete(clerk)

        returner = sessions("tiepnhan").page
        claim_from_queue(returner, code)
        choose(returner, "Hình thức trả kết quả", "Trực tiếp tại Bộ phận một cửa")
        fill(returner, "Họ và tên người nhận kết quả", "Nguyễn Thị Bình")
        complete(returner)

        citizen = sessions().page
        citizen.set_viewport_size({"width": 390, "height": 844})
        citizen.goto("/tra-cuu")
        citizen.get_by_label("Mã hồ sơ").fill(code)
        citizen.get_by_label("Mã tra cứu (PIN, 6 chữ số)").fill(pin)
        citizen.get_by_role("button", name="Tra cứu").click()
        expect(citizen.locator("span.badge[data-status]")).to_have_text("Đã trả kết quả")
        expect(citizen.locator("#applicant-initials")).to_have_text("N. T. B.")
        citizen.get_by_text("Rất hài lòng", exact=True).click()
        citizen.get_by_label("Góp ý (không bắt buộc)").fill("Cán bộ nhiệt tình.")
        citizen.get_by_role("button", name="Gửi đánh giá").click()
        expect(citizen.locator(".alert-success").first).to_contain_text("Cảm ơn")
        expect(citizen.get_by_text("Hồ sơ đã được đánh giá: Rất hài lòng")).to_be_visible()

    def test_supplement_round_trip(self, sessions, desk):
        receipt = desk.receive(WORK_PERMIT)
        code = receipt.dossier.code
        specialist = sessions("chuyenvien.snv").page
        claim_from_queue(specialist, code)
        choose(specialist, "Kết quả thẩm định", "Hồ sơ cần bổ sung")
        fill(specialist, "Ý kiến thẩm định", "Thiếu giấy tờ.")
        fill(specialist, "Nội dung yêu cầu bổ sung (liệt kê đầy đủ một lần, kèm lý do)",
             "Phiếu lý lịch tư pháp còn hạn 6 tháng")
        complete(specialist)

        citizen = sessions().page
        citizen.goto(f"/tra-cuu?code={code}")  # the receipt's QR: the code only, the PIN is typed
        citizen.get_by_label("Mã tra cứu (PIN, 6 chữ số)").fill(receipt.pin)
        citizen.get_by_role("button", name="Tra cứu").click()
        expect(citizen.locator("#citizen-missing")).to_contain_text("Phiếu lý lịch tư pháp còn hạn 6 tháng")

        receiver = sessions("tiepnhan").page
        receiver.goto(f"/dossiers/{code}")
        receiver.locator(".action-supplement summary").click()
        receiver.get_by_label("Giấy tờ bổ sung đã nhận (mỗi dòng một giấy tờ)").fill("Phiếu lý lịch tư pháp số 2")
        receiver.locator(".action-supplement").get_by_role("button", name="Xác nhận").click()
        expect(receiver.locator("span.badge[data-status]")).to_have_text("Đang giải quyết")

        specialist.goto("/inbox/?tab=queue")
        expect(specialist.locator("tr", has_text=code)).to_be_visible()


class TestClaimRace:
    def test_two_officials_claim_the_same_task_and_exactly_one_wins(self, sessions, desk):
        add_official("chuyenvien2.snv", "specialist@H38.SNV", full_name="Nguyễn Văn Hai")
        db.session.commit()
        code = desk.receive(WORK_PERMIT).dossier.code
        first, second = sessions("chuyenvien.snv").page, sessions("chuyenvien2.snv").page
        for page in (first, second):
            page.goto("/inbox/?tab=queue")
        first.locator("tr", has_text=code).get_by_role("button", name="Nhận xử lý").click()
        first.wait_for_url(re.compile(r".*/tasks/\d+$"))
        second.locator("tr", has_text=code).get_by_role("button", name="Nhận xử lý").click()
        expect(second.locator(".alert-danger")).to_have_text(
            re.compile("Công việc này đã được cán bộ khác nhận xử lý."))
        first.goto("/inbox/?tab=mine")
        expect(first.locator("tr", has_text=code)).to_be_visible()


class TestDiagram:
    def test_diagram_highlights_the_current_and_completed_steps(self, sessions, desk):
        dossier = desk.receive(WORK_PERMIT).dossier
        current = desk.task(dossier, "appraisal").bpmn_id
        page = sessions("chuyenvien.snv").page
        page.goto(f"/dossiers/{dossier.code}")
        page.wait_for_selector("#diagram[data-rendered]")
        expect(page.locator(f'#diagram .djs-element.current[data-element-id="{current}"]')).to_have_count(1)
        assert page.locator("#diagram .djs-element.done").count() >= 1
