"""In a real browser: scans attached at the counter are previewed on the specialist's task page; a scanned ID
card proposes the applicant's number and name, which only the receiver's click copies into the form."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.documents import ocr
from tests.e2e.helpers import claim_from_queue
from tests.e2e.test_dossier_flow import APPLICANT, INTAKE, INTAKE_DATES
from tests.functional.ui_world import WORK_PERMIT
from tests.integration.documents.test_ocr import id_card
from tests.integration.documents.test_uploads import pdf

pytestmark = pytest.mark.browser


def _fill_intake(page) -> None:
    page.goto(f"/counter/intake/{WORK_PERMIT}")
    for box in page.locator('input[name="documents"]').all():
        box.check()
    for label, value in APPLICANT.items():
        page.get_by_label(label, exact=True).fill(value)
    for key, value in {**INTAKE, **INTAKE_DATES}.items():
        page.locator(f'[name="f.{key}"]').fill(value)
    for key in ("worker_gender", "position"):
        page.locator(f'select[name="f.{key}"]').select_option(index=1)


def test_a_scan_attached_at_intake_is_previewed_at_appraisal(sessions):
    receiver = sessions("tiepnhan").page
    _fill_intake(receiver)
    receiver.locator(".scan-input").first.set_input_files(
        {"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": pdf(2)})
    receiver.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    expect(receiver.locator("#receipt-qr")).to_be_visible()
    code = receiver.locator("#receipt-code").inner_text()

    specialist = sessions("chuyenvien.snv").page
    claim_from_queue(specialist, code)
    preview = specialist.locator("#attachments img.attachment-preview").first
    expect(preview).to_be_visible()
    specialist.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    expect(specialist.locator("#attachments")).to_contain_text("2 trang")
    expect(specialist.locator("#attachments figcaption").first).to_contain_text("Văn bản đề nghị")


@pytest.mark.skipif(not ocr.available(), reason="needs tesseract-ocr and tesseract-ocr-vie (make test)")
def test_an_id_card_scan_proposes_and_the_receiver_confirms(sessions):
    receiver = sessions("tiepnhan").page
    receiver.goto(f"/counter/intake/{WORK_PERMIT}")
    receiver.locator("#id-scan-file").set_input_files(
        {"name": "cccd.png", "mimeType": "image/png", "buffer": id_card(name="TRẦN THỊ BÌNH", number="038190004321",
                                                                         birth="02/05/1990")})
    use = receiver.locator("#id-scan-use")
    expect(use).to_be_visible(timeout=30_000)
    expect(receiver.locator("#id-scan")).to_contain_text("038190004321")
    name = receiver.get_by_label("Họ và tên người nộp / tên tổ chức", exact=True)
    expect(name).to_have_value("")  # proposed, not filled
    use.click()
    expect(name).to_have_value("Trần Thị Bình")
    expect(receiver.locator("#id_number")).to_have_value(re.compile("^038190004321$"))
