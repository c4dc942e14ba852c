"""Task page: summary, form from the schema, server-side validation in place, decisions and reasons."""
from __future__ import annotations

from app.dossiers.models import Dossier, DossierStatus
from app.extensions import db
from app.workflow.models import HumanTask
from tests.functional.ui_world import WORK_PERMIT, reach


def _claimed_appraisal(desk, officials):
    dossier = desk.receive(WORK_PERMIT).dossier
    task = desk.task(dossier, "appraisal")
    client = officials.login("chuyenvien.snv")
    client.post(f"/inbox/tasks/{task.id}/claim")
    return dossier, task, client


class TestTaskPage:
    def test_task_page_shows_summary_documents_history_and_the_form(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        page = client.get(f"/tasks/{task.id}")
        assert page.status_code == 200
        assert dossier.code in page.text
        assert 'id="form-schema"' in page.text and "form-viewer.umd.js" in page.text
        assert 'name="f.decision"' in page.text and "Kết quả thẩm định" in page.text
        assert "Thành phần hồ sơ" in page.text and "Tiếp nhận hồ sơ" in page.text

    def test_official_of_another_agency_is_refused(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = desk.task(dossier, "appraisal")
        assert officials.login("chuyenvien.sxd").get(f"/tasks/{task.id}").status_code == 403
        assert officials.login("chuyenvien.sxd").post(f"/tasks/{task.id}", data={}).status_code == 403

    def test_missing_required_fields_are_shown_in_place(self, officials, desk, at_office):
        _dossier, task, client = _claimed_appraisal(desk, officials)
        response = client.post(f"/tasks/{task.id}", data={"f.decision": "approve"})
        assert response.status_code == 422
        assert 'id="f-opinion-err"' in response.text
        assert "Trường này là bắt buộc." in response.text
        assert 'id="f-supplement_items-err"' not in response.text  # hidden unless a supplement is requested
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).is_open

    def test_refusal_without_a_reason_is_refused_in_place(self, officials, desk, at_office):
        _dossier, task, client = _claimed_appraisal(desk, officials)
        response = client.post(f"/tasks/{task.id}", data={"f.decision": "refuse", "f.opinion": "x"})
        assert response.status_code == 422
        assert 'id="f-refusal_reason-err"' in response.text

    def test_approving_moves_the_dossier_to_the_leader(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        response = client.post(f"/tasks/{task.id}", data={"f.decision": "approve", "f.opinion": "Đủ điều kiện",
                                                          "f.permit_months": "24", "comment": ""})
        assert response.status_code == 302
        db.session.expire_all()
        assert desk.task(dossier).step_kind == "approval"

    def test_form_js_json_submission_is_accepted(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        payload = '{"decision": "approve", "opinion": "OK", "health_certificate_valid": true}'
        assert client.post(f"/tasks/{task.id}", data={"form_json": payload}).status_code == 302
        db.session.expire_all()
        assert desk.task(dossier).step_kind == "approval"

    def test_supplement_request_needs_the_items_and_pauses_the_dossier(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        bad = client.post(f"/tasks/{task.id}", data={"f.decision": "supplement", "f.opinion": "Thiếu"})
        assert bad.status_code == 422 and 'id="f-supplement_items-err"' in bad.text
        ok = client.post(f"/tasks/{task.id}", data={"f.decision": "supplement", "f.opinion": "Thiếu",
                                                    "f.supplement_items": "Phiếu lý lịch tư pháp"})
        assert ok.status_code == 302
        db.session.expire_all()
        assert db.session.get(Dossier, dossier.id).status is DossierStatus.WAITING_SUPPLEMENT

    def test_task_claimed_by_someone_else_cannot_be_completed(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = reach(desk, dossier, "approval")
        client = officials.login("lanhdao.snv")
        client.post(f"/inbox/tasks/{task.id}/claim")
        from tests.factories.organisation import add_official

        add_official("lanhdao2.snv", "leader@H38.SNV", full_name="Phó Giám đốc")
        db.session.commit()
        other = officials.login("lanhdao2.snv")
        assert "Công việc đang do cán bộ khác xử lý." in other.get(f"/tasks/{task.id}").text
        response = other.post(f"/tasks/{task.id}", data={"f.decision": "approve"}, follow_redirects=True)
        assert "Công việc đang do cán bộ khác xử lý." in response.text


class TestDecisionsOffered:
    """The task page offers only the decisions and actions `available_actions` allows this official now."""

    def _schema(self, page: str) -> dict:
        import json

        return json.loads(page.split('id="form-schema">')[1].split("</script>")[0])

    def _decisions(self, page: str) -> list[str]:
        decision = next(c for c in self._schema(page)["components"] if c.get("key") == "decision")
        return [v["value"] for v in decision["values"]]

    def test_no_second_supplement_request_is_offered(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        assert "supplement" in self._decisions(client.get(f"/tasks/{task.id}").text)
        desk.complete(dossier, "appraisal", "supplement", supplement_items="Phiếu lý lịch tư pháp")
        from tests.functional.ui_world import lifecycle, official

        lifecycle.receive_supplement(official("receiver", dossier.receiving_agency_id), dossier.code,
                                     documents=["Phiếu lý lịch tư pháp"])
        db.session.commit()
        again = desk.task(dossier, "appraisal")
        client.post(f"/inbox/tasks/{again.id}/claim")
        page = client.get(f"/tasks/{again.id}").text
        assert self._decisions(page) == ["approve", "refuse"]
        refused = client.post(f"/tasks/{again.id}", data={"f.decision": "supplement", "f.opinion": "Thiếu",
                                                          "f.supplement_items": "Ảnh"}, follow_redirects=True)
        assert "Chỉ được yêu cầu bổ sung hồ sơ 1 lần" in refused.text  # the pipeline says no all the same
        db.session.expire_all()
        assert db.session.get(HumanTask, again.id).is_open

    def test_the_button_names_the_action_of_the_decision(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = reach(desk, dossier, "approval")
        client = officials.login("lanhdao.snv")
        client.post(f"/inbox/tasks/{task.id}/claim")
        page = client.get(f"/tasks/{task.id}").text
        import html
        import json
        import re

        labels = json.loads(html.unescape(re.search(r'data-labels="([^"]*)"', page).group(1)))
        assert labels == {"reject": "Trả về bước trước"}
        assert 'id="complete-btn"' in page and ">Hoàn thành bước</button>" in page
        bad = client.post(f"/tasks/{task.id}", data={"f.decision": "reject"})
        assert ">Trả về bước trước</button>" in bad.text

    def test_other_actions_are_those_the_official_holds(self, officials, desk, at_office):
        dossier, task, client = _claimed_appraisal(desk, officials)
        page = client.get(f"/tasks/{task.id}").text
        assert "Trả lại hàng chờ" in page and "Phân công lại" not in page  # a specialist reassigns nothing
        assert "#action-verification" not in page  # the work permit's law has no verification extension
        approval = reach(desk, dossier, "approval")
        leader = officials.login("lanhdao.snv")
        page = leader.get(f"/tasks/{approval.id}").text
        assert "Phân công lại" in page and "#action-apology" in page
        assert "Trả lại hàng chờ" not in page  # not claimed by the leader yet
