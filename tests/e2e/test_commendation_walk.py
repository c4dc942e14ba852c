"""A second full walk through the UI (issue 14): a commendation (1.000775) from the counter of the provincial centre,
through the Department of Home Affairs' specialist and leader, the provincial chairperson and the provincial office's
clerk, back to the counter — each official in their own browser, each step through its form-js form."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.core.timefmt import LOCAL_TZ
from tests.e2e.helpers import choose, claim_from_queue, complete, date, fill, form, shot

pytestmark = pytest.mark.browser

COMMENDATION = "1.000775"
APPLICANT = {"Họ và tên người nộp / tên tổ chức": "Trường THPT Hàm Rồng", "Số điện thoại": "0237385200",
             "Địa chỉ": "Phường Hàm Rồng, Thanh Hóa"}
INTAKE = {"proposing_agency": "Sở Giáo dục và Đào tạo Thanh Hóa", "proposal_document_number": "215/TTr-SGDĐT",
          "nominee_name": "Lê Thị Thu Hà", "nominee_position": "Giáo viên, Trường THPT Hàm Rồng",
          "achievement_period": "Năm học 2024–2025 và 2025–2026",
          "achievements": "Hai năm liền đạt danh hiệu Chiến sĩ thi đua cơ sở; 3 học sinh đạt giải quốc gia."}


def receive_commendation(page) -> str:
    """The receiver finds the procedure without accents, checks the documents and prints the appointment slip."""
    page.goto("/counter/intake")
    page.get_by_label("Tìm theo tên hoặc mã thủ tục (không cần dấu)").fill("bang khen")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile(COMMENDATION)).click()
    for box in page.locator('input[name="documents"]').all():
        box.check()
    page.locator("#applicant_kind").select_option("organisation")
    page.get_by_label(re.compile("^Mã số thuế")).fill("2800123456")
    for label, value in APPLICANT.items():
        page.get_by_label(label, exact=True).fill(value)
    for key, value in INTAKE.items():
        page.locator(f'[name="f.{key}"]').fill(value)
    page.locator('[name="f.proposal_date"]').fill(datetime.now(LOCAL_TZ).date().isoformat())
    for key in ("nominee_type", "award_form"):
        page.locator(f'select[name="f.{key}"]').select_option(index=1)
    page.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    expect(page.locator("#receipt-qr")).to_be_visible()
    expect(page.locator("#receipt-appointment")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    return page.locator("#receipt-code").inner_text()


def test_commendation_walks_from_the_counter_to_the_return_through_every_role(sessions):
    code = receive_commendation(sessions("tiepnhan").page)

    specialist = sessions("chuyenvien.snv").page
    claim_from_queue(specialist, code)
    expect(specialist.locator("#case-panel")).to_contain_text("Lê Thị Thu Hà")  # the declaration, read at a glance
    choose(specialist, "Kết quả thẩm định", "Đủ điều kiện – trình lãnh đạo phê duyệt")
    form(specialist).get_by_label("Đạt tiêu chuẩn theo Luật Thi đua, khen thưởng").check()
    fill(specialist, "Ý kiến thẩm định", "Đủ tiêu chuẩn Bằng khen theo Điều 74 Luật Thi đua, khen thưởng.")
    shot(specialist, "commendation_appraisal")
    complete(specialist)

    department = sessions("lanhdao.snv").page
    claim_from_queue(department, code)
    expect(department.locator("main")).to_contain_text("Đủ tiêu chuẩn Bằng khen")  # the specialist's opinion
    choose(department, "Ý kiến phê duyệt", "Đồng ý, ký duyệt")
    fill(department, "Ý kiến chỉ đạo của lãnh đạo", "Trình Chủ tịch UBND tỉnh.")
    complete(department)

    chairperson = sessions("lanhdao.tinh").page
    claim_from_queue(chairperson, code)
    expect(chairperson.locator("main")).to_contain_text("Trình Chủ tịch UBND tỉnh.")
    choose(chairperson, "Ý kiến phê duyệt", "Đồng ý, ký duyệt")
    shot(chairperson, "commendation_province")
    complete(chairperson)

    clerk = sessions("lanhdao.tinh").page  # the demo's provincial office clerk role is held by the same official
    claim_from_queue(clerk, code)
    fill(clerk, "Số Quyết định khen thưởng", "1234/QĐ-UBND")
    date(clerk, "Ngày ban hành", datetime.now(LOCAL_TZ).strftime("%d/%m/%Y"))
    fill(clerk, "Số Bằng khen in", "1")
    fill(clerk, "Người ký", "Chủ tịch UBND tỉnh")
    complete(clerk)

    returner = sessions("tiepnhan").page
    claim_from_queue(returner, code)
    expect(returner.locator("main")).to_contain_text("1234/QĐ-UBND")  # the clerk's decision number, to hand over
    choose(returner, "Hình thức trả kết quả", "Trực tiếp tại Bộ phận một cửa")
    fill(returner, "Họ và tên người nhận kết quả", "Nguyễn Văn Nam")
    complete(returner)

    returner.goto(f"/dossiers/{code}")
    expect(returner.locator("span.badge[data-status]").first).to_have_text("Đã trả kết quả")
    steps = returner.locator("#steps, table", has_text="Trả Quyết định và Bằng khen").first
    for name in ("Thẩm định hồ sơ khen thưởng", "Lãnh đạo Sở Nội vụ xem xét, trình",
                 "Chủ tịch UBND tỉnh quyết định khen thưởng", "Vào số, đóng dấu Quyết định, in Bằng khen"):
        expect(steps).to_contain_text(name)
    shot(returner, "commendation_returned")
