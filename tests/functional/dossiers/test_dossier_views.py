"""Dossier page: header, timeline, steps, the exact model version, and the actions around the model."""
from __future__ import annotations

import json
import re

from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow.models import ProcessVersion
from tests.functional.ui_world import WORK_PERMIT, reach


def _markers(page_text: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="diagram-markers">(.*?)</script>',
                                page_text, re.S).group(1))


class TestDossierPage:
    def test_page_shows_status_deadlines_steps_timeline_and_diagram_markers(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = desk.task(dossier, "appraisal")
        page = officials.login("chuyenvien.snv").get(f"/dossiers/{dossier.code}")
        assert page.status_code == 200
        assert "Đang giải quyết" in page.text or "Đã tiếp nhận" in page.text
        assert "Quá trình xử lý từng bước" in page.text and "Diễn biến hồ sơ" in page.text
        assert "bpmn-navigated-viewer.production.min.js" in page.text and "js/diagram.js" in page.text
        markers = _markers(page.text)
        assert markers["current"] == [task.bpmn_id]
        assert markers["done"]  # the intake step, completed at the counter

    def test_late_steps_are_marked(self, officials, desk, clock):
        clock("2026-03-02 09:00")
        dossier = desk.receive(WORK_PERMIT).dossier
        task = desk.task(dossier, "appraisal")
        clock("2026-03-12 09:00")
        page = officials.login("chuyenvien.snv").get(f"/dossiers/{dossier.code}")
        assert task.bpmn_id in _markers(page.text)["late"]
        assert "Trễ hạn" in page.text

    def test_model_endpoint_returns_the_exact_version(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        version = db.session.get(ProcessVersion, dossier.process_version_id)
        response = officials.login("chuyenvien.snv").get(f"/dossiers/{dossier.code}/model.bpmn")
        assert response.status_code == 200 and response.mimetype == "application/xml"
        assert response.text == version.xml

    def test_officials_of_uninvolved_agencies_are_refused(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("chuyenvien.sxd")
        assert client.get(f"/dossiers/{dossier.code}").status_code == 404
        assert client.get(f"/dossiers/{dossier.code}/model.bpmn").status_code == 404

    def test_dossier_page_uses_a_bounded_number_of_queries(self, officials, desk, at_office, count_queries):
        dossier = desk.receive(WORK_PERMIT).dossier
        reach(desk, dossier, "stamping")
        client = officials.login("lanhdao.snv")
        client.get(f"/dossiers/{dossier.code}")
        before = count_queries.count
        client.get(f"/dossiers/{dossier.code}")
        assert count_queries.count - before <= 20, count_queries.statements[before:]


class TestComments:
    def test_internal_comment_appears_in_the_timeline_and_the_inbox_count(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("chuyenvien.snv")
        response = client.post(f"/dossiers/{dossier.code}/comments", data={"comment-text": "Gọi lại cho DN"})
        assert response.status_code == 302
        page = client.get(f"/dossiers/{dossier.code}")
        assert "Gọi lại cho DN" in page.text and "nội bộ" in page.text
        inbox = client.get("/inbox/?tab=queue")
        assert re.search(r'title="Trao đổi nội bộ">1<', inbox.text)

    def test_empty_comment_is_refused_in_place(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        response = officials.login("chuyenvien.snv").post(f"/dossiers/{dossier.code}/comments",
                                                          data={"comment-text": ""})
        assert response.status_code == 422 and "is-invalid" in response.text

    def test_officials_of_other_agencies_cannot_comment(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        response = officials.login("chuyenvien.sxd").post(f"/dossiers/{dossier.code}/comments",
                                                          data={"comment-text": "x"})
        assert response.status_code == 404


class TestLegalActions:
    def test_receiver_records_the_supplement_and_the_clock_restarts(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        desk.complete(dossier, "appraisal", "supplement", supplement_items="Hộ chiếu")
        client = officials.login("tiepnhan")
        assert "Nhận hồ sơ bổ sung" in client.get(f"/dossiers/{dossier.code}").text
        response = client.post(f"/dossiers/{dossier.code}/supplement",
                               data={"supplement-documents": "Hộ chiếu (bản sao)"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).status is DossierStatus.PROCESSING

    def test_withdrawal_needs_a_reason_and_stops_the_dossier(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("tiepnhan")
        page = client.get(f"/dossiers/{dossier.code}")
        assert 'data-confirm="Dừng giải quyết hồ sơ' in page.text
        assert client.post(f"/dossiers/{dossier.code}/withdraw", data={"withdraw-reason": ""}).status_code == 422
        assert client.post(f"/dossiers/{dossier.code}/withdraw",
                           data={"withdraw-reason": "Người nộp xin rút"}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).status is DossierStatus.STOPPED

    def test_specialist_cannot_withdraw(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        response = officials.login("chuyenvien.snv").post(f"/dossiers/{dossier.code}/withdraw",
                                                          data={"withdraw-reason": "x"})
        assert response.status_code == 403

    def test_leader_sends_an_apology_with_a_new_appointment(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("lanhdao.snv")
        response = client.post(f"/dossiers/{dossier.code}/apology", data={
            "apology-reason": "Cần xác minh thêm", "apology-new_date": "2026-03-20", "apology-new_time": "16:00"})
        assert response.status_code == 302
        db.session.expire_all()
        refreshed = db.session.get(Dossier, dossier.id)
        assert refreshed.apology_count == 1
        assert "20/03/2026 16:00" in client.get(f"/dossiers/{dossier.code}").text

    def test_leader_of_another_agency_cannot_apologise(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        response = officials.login("lanhdao.sxd").post(f"/dossiers/{dossier.code}/apology", data={
            "apology-reason": "x", "apology-new_date": "2026-03-20", "apology-new_time": "16:00"})
        assert response.status_code == 404

    def test_transfer_moves_the_open_step_to_another_agency(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("chuyenvien.snv")
        assert "Chuyển đơn vị xử lý" in client.get(f"/dossiers/{dossier.code}").text
        bad = client.post(f"/dossiers/{dossier.code}/transfer", data={"transfer-to_agency": "H38.SXD"})
        assert bad.status_code == 422
        # issue 20.1: the Department of Construction has no competence for a work permit
        refused = client.post(f"/dossiers/{dossier.code}/transfer", follow_redirects=True,
                              data={"transfer-to_agency": "H38.SXD", "transfer-reason": "Nhầm thẩm quyền"})
        assert "không có thẩm quyền" in refused.text
        assert db.session.query(DossierEvent).filter_by(dossier_id=dossier.id, kind="transferred").count() == 0
        commendation = desk.receive("1.000775").dossier  # handled by Home Affairs, decided by the province
        ok = client.post(f"/dossiers/{commendation.code}/transfer",
                         data={"transfer-to_agency": "38", "transfer-reason": "Trình UBND tỉnh"})
        assert ok.status_code == 302
        db.session.expire_all()
        from app.auth.services import get_agency_by_code

        assert desk.task(db.session.get(Dossier, commendation.id)).agency_id == get_agency_by_code("38").id
        assert db.session.query(DossierEvent).filter_by(dossier_id=commendation.id, kind="transferred").count() == 1

    def test_officials_who_do_not_hold_the_step_cannot_transfer(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        response = officials.login("vanthu.snv").post(f"/dossiers/{dossier.code}/transfer", data={
            "transfer-to_agency": "H38.SXD", "transfer-reason": "x"})
        assert response.status_code == 403
