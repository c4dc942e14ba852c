"""The case panel: every official sees the whole case (declaration, earlier decisions, supplements) to decide."""
from __future__ import annotations

import re

from app.dossiers import lifecycle
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT, official

DECLARATION = {"worker_full_name": "John Smith", "passport_number": "C7654321",
               "employer_name": "Công ty TNHH Nghi Sơn", "employer_tax_code": "2801234567"}


def _received(desk):
    data = {**desk.intake_data(WORK_PERMIT), **DECLARATION}
    return desk.receive(WORK_PERMIT, form_data=data).dossier


def _claim(officials, username, task):
    client = officials.login(username)
    client.post(f"/inbox/tasks/{task.id}/claim")
    return client


def _panel(html: str) -> str:
    match = re.search(r'<section id="case-panel".*?</section>', html, re.S)
    assert match, "no case panel on the page"
    return match.group(0)


class TestDeclaration:
    def test_specialist_sees_the_declaration_typed_at_intake_on_the_task_page(self, officials, desk, at_office):
        dossier = _received(desk)
        task = desk.task(dossier, "appraisal")
        panel = _panel(_claim(officials, "chuyenvien.snv", task).get(f"/tasks/{task.id}").text)
        for label, value in (("Họ và tên (theo hộ chiếu)", "John Smith"), ("Số hộ chiếu", "C7654321"),
                             ("Tên doanh nghiệp / tổ chức", "Công ty TNHH Nghi Sơn"),
                             ("Mã số doanh nghiệp / mã số thuế", "2801234567")):
            assert label in panel and value in panel
        assert "Người lao động nước ngoài" in panel  # the form's section headings
        assert "Thành phần hồ sơ" in panel

    def test_dossier_page_shows_the_declaration_with_option_labels_and_dates(self, officials, desk, at_office):
        dossier = _received(desk)
        panel = _panel(officials.login("tiepnhan").get(f"/dossiers/{dossier.code}").text)
        assert "C7654321" in panel
        assert re.search(r'data-key="work_start">\d\d/\d\d/\d{4}<', panel)
        assert "Nhà quản lý" in panel or "Chuyên gia" in panel or "Lao động kỹ thuật" in panel

    def test_supervisor_sees_the_declaration_masked(self, officials, desk, at_office):
        dossier = _received(desk)
        panel = _panel(officials.login("giamsat.tinh").get(f"/dossiers/{dossier.code}").text)
        assert "C7654321" not in panel and "•••21" in panel
        assert "John Smith" in panel  # names are not personal identifiers in the masking rules


class TestEarlierSteps:
    def test_leader_sees_the_specialists_opinion_and_proposed_term_and_the_term_is_prefilled(
            self, officials, desk, at_office):
        dossier = _received(desk)
        desk.complete(dossier, "appraisal", opinion="Đủ điều kiện cấp 18 tháng.", permit_months=18)
        task = desk.task(dossier, "approval")
        html = _claim(officials, "lanhdao.snv", task).get(f"/tasks/{task.id}").text
        assert "Đủ điều kiện cấp 18 tháng." in _panel(html)
        assert re.search(r'Thời hạn đề nghị cấp \(tháng\)</dt><dd[^>]*>18<', html)
        assert 'id="previous-step-title"' in html and "Đủ điều kiện – trình lãnh đạo phê duyệt" in html
        assert re.search(r'name="f\.permit_months" value="18"', html)  # prefilled from the proposal
        assert re.search(r'name="f\.signer_name" value="[^"]+"', html)  # the leader who signs

    def test_clerk_sees_the_approved_term_and_the_signer_and_the_signer_is_prefilled(
            self, officials, desk, at_office):
        dossier = _received(desk)
        desk.complete(dossier, "appraisal", permit_months=18)
        desk.complete(dossier, "approval", permit_months=12, signer_name="Lê Văn Ký")
        task = desk.task(dossier, "stamping")
        html = _claim(officials, "vanthu.snv", task).get(f"/tasks/{task.id}").text
        panel = _panel(html)
        assert re.search(r'Thời hạn giấy phép được duyệt \(tháng\)</dt><dd[^>]*>12<', panel)
        assert "Lê Văn Ký" in panel
        assert 'name="f.signer_name" value="Lê Văn Ký"' in html


class TestSupplementAtTheCounter:
    def _waiting(self, desk):
        dossier = _received(desk)
        desk.complete(dossier, "appraisal", "supplement", supplement_items="Phiếu lý lịch tư pháp còn hạn 6 tháng")
        db.session.refresh(dossier)
        return dossier

    def test_receiver_sees_the_requested_items_on_the_dossier_page_and_in_the_supplement_form(
            self, officials, desk, at_office):
        dossier = self._waiting(desk)
        html = officials.login("tiepnhan").get(f"/dossiers/{dossier.code}").text
        assert "Đang chờ người nộp bổ sung" in _panel(html)
        form = re.search(r'<details class="mb-2 action-supplement".*?</details>', html, re.S).group(0)
        assert "Phiếu lý lịch tư pháp còn hạn 6 tháng" in form  # listed and prefilled in the form itself

    def test_answered_supplement_shows_what_came_back(self, officials, desk, at_office):
        dossier = self._waiting(desk)
        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Phiếu lý lịch tư pháp số 2"])
        db.session.commit()
        panel = _panel(officials.login("chuyenvien.snv").get(f"/dossiers/{dossier.code}").text)
        assert "Đang chờ người nộp bổ sung" not in panel
        assert "Phiếu lý lịch tư pháp còn hạn 6 tháng" in panel and "Phiếu lý lịch tư pháp số 2" in panel
