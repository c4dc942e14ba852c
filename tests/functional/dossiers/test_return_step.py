"""'Trả về bước trước': the step goes back to the official who handled it, with one reason box shown up front."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.models import User
from app.dossiers.actions import ACTIONS, DECISION_ACTIONS, reason_for
from app.dossiers.lifecycle import reason_boxes
from app.dossiers.task_forms import fields, load_form
from app.extensions import db
from app.history.models import DossierEvent
from app.notify.models import OfficialNotice
from app.workflow.models import HumanTask, TaskStatus
from tests.functional.ui_world import WORK_PERMIT, reach


def _approval(desk, officials):
    """A work permit at the leader's approval, the appraisal done by the specialist; the leader signed in."""
    dossier = desk.receive(WORK_PERMIT).dossier
    task = reach(desk, dossier, "approval")
    client = officials.login("lanhdao.snv")
    client.post(f"/inbox/tasks/{task.id}/claim")
    appraiser = db.session.scalar(select(HumanTask.completed_by_id).where(
        HumanTask.dossier_id == dossier.id, HumanTask.bpmn_id == "appraisal"))
    return dossier, task, client, db.session.get(User, appraiser)


class TestOneReasonBox:
    def test_the_reason_box_is_on_the_form_before_anything_is_sent(self, officials, desk, at_office):
        _dossier, task, client, _appraiser = _approval(desk, officials)
        page = client.get(f"/tasks/{task.id}").text
        # the box is in the schema (form-js) and in the plain fallback, shown once 'reject' is chosen
        assert page.count('name="f.return_reason"') == 1
        assert re.search(r'data-key="return_reason" data-hide="=decision != &#34;reject&#34;"', page)
        assert '"return_reason"' in page.split('id="form-schema"')[1].split("</script>")[0]
        # the comment box is an optional note here, not a second reason box
        assert 'id="comment-note">Ghi chú (không bắt buộc)' in page and 'id="comment-reason" hidden' in page

    def test_returning_without_a_reason_is_refused_in_that_box_only(self, officials, desk, at_office):
        _dossier, task, client, _appraiser = _approval(desk, officials)
        bad = client.post(f"/tasks/{task.id}", data={"f.decision": "reject", "comment": "chỉ ghi chú"})
        assert bad.status_code == 422
        assert 'id="f-return_reason-err"' in bad.text and 'id="comment-err"' not in bad.text
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).is_open

    def test_every_decision_that_needs_a_reason_has_exactly_one_box_in_every_form(self, app):
        import glob
        from pathlib import Path

        for path in glob.glob(str(Path(app.config["FORMS_DIR"]) / "*" / "*.json")):
            key = str(Path(path).relative_to(app.config["FORMS_DIR"]).with_suffix(""))
            boxes = reason_boxes(key)
            for decision, box in boxes.items():
                marked = [c["key"] for c in fields(load_form(key))
                          if decision in str((c.get("properties") or {}).get("reason_for") or "").split()]
                assert marked == [box], (key, decision, marked)

    def test_the_rule_is_declared_once_on_the_actions(self):
        assert {name for name, action in ACTIONS.items() if action.hands_back} == {"return_step"}
        for decision, name in DECISION_ACTIONS.items():
            assert reason_for(name), decision
        assert reason_for("complete_step") is None


class TestHandBack:
    def test_the_appraisal_goes_back_to_the_specialist_who_did_it(self, officials, desk, at_office):
        dossier, task, client, appraiser = _approval(desk, officials)
        ok = client.post(f"/tasks/{task.id}", data={"f.decision": "reject",
                                                    "f.return_reason": "Làm rõ thời hạn đề nghị"})
        assert ok.status_code == 302
        db.session.expire_all()
        back = desk.task(dossier)
        assert back.step_kind == "appraisal" and back.status == TaskStatus.CLAIMED
        assert back.assignee_id == appraiser.id
        event = db.session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                             DossierEvent.kind == "step_returned"))
        assert event.data["reason"] == "Làm rõ thời hạn đề nghị" and event.is_internal
        assert event.data["to_users"] == {"appraisal": appraiser.id}
        notice = db.session.scalar(select(OfficialNotice).where(OfficialNotice.user_id == appraiser.id,
                                                                OfficialNotice.kind == "returned"))
        assert notice is not None and "Làm rõ thời hạn đề nghị" in notice.body

    def test_the_specialist_finds_it_in_my_tasks_with_the_reason(self, officials, desk, at_office):
        dossier, task, client, appraiser = _approval(desk, officials)
        client.post(f"/tasks/{task.id}", data={"f.decision": "reject", "f.return_reason": "Thiếu thời hạn"})
        mine = officials.login(appraiser.username).get("/inbox/?tab=mine").text
        assert dossier.code in mine
        queue = officials.login(appraiser.username).get("/inbox/?tab=queue").text
        assert dossier.code not in queue
        db.session.expire_all()
        page = officials.login(appraiser.username).get(f"/tasks/{desk.task(dossier).id}").text
        assert "Thiếu thời hạn" in page and "Trả về bước trước" in page

    def test_a_specialist_who_no_longer_may_do_the_step_leaves_it_to_the_queue(self, officials, desk, at_office):
        dossier, task, client, appraiser = _approval(desk, officials)
        appraiser.is_enabled = False
        db.session.commit()
        client.post(f"/tasks/{task.id}", data={"f.decision": "reject", "f.return_reason": "Làm rõ"})
        db.session.expire_all()
        back = desk.task(dossier)
        assert back.status == TaskStatus.OPEN and back.assignee_id is None

    def test_approving_still_goes_to_the_queue(self, officials, desk, at_office):
        dossier, task, client, _appraiser = _approval(desk, officials)
        client.post(f"/tasks/{task.id}", data={"f.decision": "approve", "f.permit_months": "12",
                                               "f.signer_name": "Lãnh đạo"})
        db.session.expire_all()
        stamping = desk.task(dossier)
        assert stamping.step_kind == "stamping" and stamping.status == TaskStatus.OPEN
