"""In a real browser: a citizen signs in through the sandbox identity provider, files a work permit online with
uploads, pays the fee at the sandbox gateway (its notification reaches the live server), and the center's receiver
accepts the dossier from the intake queue; the citizen then sees it being handled."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from app.catalog.services import get_procedure
from app.extensions import db
from app.payments.models import Payment
from tests.e2e.helpers import claim_from_queue, complete
from tests.e2e.test_dossier_flow import INTAKE, INTAKE_DATES
from tests.functional.citizen.online import PDF
from tests.functional.ui_world import WORK_PERMIT
from tests.integration.documents.test_uploads import png

pytestmark = pytest.mark.browser


def sign_in_with_vneid(page) -> None:
    page.goto("/cong-dan/dang-nhap")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.get_by_label("Nguyễn Văn An (038090001234)").check()
    page.get_by_role("button", name="Đồng ý").click()
    page.wait_for_url("**/cong-dan/ho-so")
    expect(page.locator("#citizen-name")).to_have_text("Nguyễn Văn An")


def file_work_permit(page) -> str:
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    page.locator(f'a[href$="/cong-dan/nop-ho-so/{WORK_PERMIT}"]').click()
    expect(page.get_by_label("Địa chỉ liên hệ (cũng là nơi nhận kết quả qua bưu điện)")).to_have_value(
        "Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa")  # from the population database sandbox
    for key, value in {**INTAKE, **INTAKE_DATES}.items():
        page.locator(f'[name="f.{key}"]').fill(value)
    for key in ("worker_gender", "position"):
        page.locator(f'select[name="f.{key}"]').select_option(index=1)
    for doc in get_procedure(WORK_PERMIT).documents:
        if doc.is_mandatory:
            page.set_input_files(f"#doc-{doc.id}", files=[{"name": f"giay-to-{doc.id}.pdf",
                                                           "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_label("Trực tuyến (kết quả điện tử)").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã nộp hồ sơ")
    return page.locator("#lookup-result .font-monospace").first.inner_text()


def test_a_citizen_files_online_pays_and_is_received(sessions, sandboxes):
    citizen = sessions().page
    citizen.set_viewport_size({"width": 390, "height": 844})  # the portal is used on phones
    sign_in_with_vneid(citizen)
    code = file_work_permit(citizen)
    expect(citizen.locator("#fee-due")).to_have_text("600.000 ₫")

    citizen.get_by_role("button", name="Thanh toán trực tuyến").click()
    expect(citizen.locator("#amount")).to_have_text("600.000 ₫")  # the gateway's own page
    citizen.get_by_role("button", name="Thanh toán", exact=True).click()
    citizen.wait_for_url(re.compile(rf".*/cong-dan/ho-so/{re.escape(code)}.*"))
    expect(citizen.locator("#receipt-link")).to_be_visible()
    expect(citizen.locator("#fee-due")).to_have_count(0)

    receiver = sessions("tiepnhan").page
    claim_from_queue(receiver, code)
    expect(receiver.locator("a.attachment").first).to_be_visible()  # the uploaded files, for the check
    complete(receiver)

    citizen.reload()
    expect(citizen.locator('[data-status="processing"]')).to_be_visible()
    expect(citizen.locator("#my-timeline")).to_contain_text("Đã thanh toán phí, lệ phí")
    db.session.expire_all()
    payment = db.session.scalar(db.select(Payment))
    assert payment.status.value == "paid" and payment.notices >= 1


def _result_ready(desk, code: str) -> None:
    """The handling agency's steps, done through the services (the officials' screens have their own tests)."""
    from app.dossiers.services import get_dossier
    from tests.functional.ui_world import reach

    reach(desk, get_dossier(code), "return")


def test_the_citizen_answers_a_supplement_request_online(sessions, sandboxes, desk):
    citizen = sessions().page
    sign_in_with_vneid(citizen)
    code = file_work_permit(citizen)
    from app.dossiers.services import get_dossier

    dossier = get_dossier(code)
    desk.complete(dossier, "intake")
    desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Ảnh màu 4x6 cm chụp gần đây")
    citizen.reload()
    expect(citizen.locator("#citizen-missing")).to_contain_text("Ảnh màu 4x6 cm chụp gần đây")
    photo = next(d for d in get_procedure(WORK_PERMIT).documents if d.name_vi.startswith("Ảnh màu"))
    citizen.set_input_files(f"#my-supplement #doc-{photo.id}", files=[{
        "name": "anh-4x6.png", "mimeType": "image/png", "buffer": png()}])  # a real image: checked by content
    citizen.get_by_label("Nội dung bổ sung, giải trình (nếu có)").fill("Ảnh chụp tháng này.")
    citizen.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    expect(citizen.locator(".alert-success")).to_contain_text("thời hạn giải quyết được tính lại")
    expect(citizen.locator('[data-status="processing"]')).to_be_visible()
    expect(citizen.locator("#my-files")).to_contain_text("anh-4x6.png")


def test_the_citizen_chooses_post_and_follows_the_parcel(sessions, sandboxes, desk):
    # the sandbox post lives for the whole session and is idempotent on the dossier code, which restarts with
    # every test database: without this the booking could return an earlier test's shipment (the old flake)
    assert requests.post(f"{sandboxes.post.url}/_sandbox/reset", timeout=5).status_code == 204
    citizen = sessions().page
    sign_in_with_vneid(citizen)
    code = file_work_permit(citizen)
    citizen.get_by_label("Qua dịch vụ bưu chính công ích").check()
    citizen.get_by_label("Địa chỉ nhận kết quả qua bưu điện").fill("Số 3 Phan Chu Trinh, phường Hạc Thành")
    citizen.get_by_role("button", name="Lưu hình thức nhận kết quả").click()
    expect(citizen.locator(".alert-success")).to_contain_text("Đã ghi nhận hình thức nhận kết quả")
    _result_ready(desk, code)

    returner = sessions("tiepnhan").page
    returner.on("dialog", lambda dialog: dialog.accept())
    returner.goto(f"/dossiers/{code}")
    returner.get_by_role("button", name="Gửi kết quả qua bưu điện").click()
    expect(returner.locator(".alert-success")).to_contain_text("số hiệu bưu gửi")

    citizen.reload()
    number = citizen.locator("#tracking-number").inner_text()
    assert re.fullmatch(r"EB\d{9}VN", number)
    postman = sessions().page
    postman.goto(f"{sandboxes.post.url}/")
    postman.locator("tr", has_text=number).get_by_role("button", name="Chuyển trạng thái tiếp").click()
    expect(postman.locator("tr", has_text=number)).to_contain_text("in_transit")
    for _ in range(50):  # the post's callback reaches the live server in the background
        citizen.reload()
        if citizen.locator('#shipment-status[data-status="in_transit"]').count():
            break
        citizen.wait_for_timeout(200)
    expect(citizen.locator("#shipment-status")).to_have_text("Đang vận chuyển")
