"""Deadlines (issue 14.5): working days and hours in words, colours that show, the return step due at the
appointment."""
from __future__ import annotations

import re

from app.inbox.presenters import format_time_left
from tests.functional.ui_world import WORK_PERMIT, reach


class TestWording:
    def test_time_left_is_in_working_days_and_hours(self, app):
        with app.test_request_context():
            assert format_time_left(19.0) == "còn 2 ngày 3 giờ"
            assert format_time_left(24.0) == "còn 3 ngày"
            assert format_time_left(0.75) == "còn 45 phút"
            assert format_time_left(-10.0) == "trễ 1 ngày 2 giờ"
            assert format_time_left(None) == "—"

    def test_inbox_shows_no_decimal_hours(self, officials, desk, at_office):
        desk.receive(WORK_PERMIT)
        page = officials.login("chuyenvien.snv").get("/inbox/?tab=queue").text
        assert not re.search(r"còn \d+\.\d giờ", page)
        assert re.search(r'data-urgency="(ok|soon|late)">(còn|trễ) \d+ (ngày|giờ|phút)', page)


class TestReturnStep:
    def test_the_return_step_is_due_at_the_appointment(self, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = reach(desk, dossier, "return")
        assert task.due_at == dossier.due_at


class TestNoDeadEnds:
    def test_team_tab_offers_no_claim_on_steps_the_leader_cannot_take(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = desk.task(dossier, "appraisal")  # a specialist's step in the leader's agency
        page = officials.login("lanhdao.snv").get("/inbox/?tab=team").text
        row = re.search(rf'<tr data-task-id="{task.id}">.*?</tr>', page, re.S).group(0)
        assert "Nhận xử lý" not in row and "Phân công" in row

    def test_unclaim_is_called_back_to_the_queue(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = desk.task(dossier, "appraisal")
        client = officials.login("chuyenvien.snv")
        client.post(f"/inbox/tasks/{task.id}/claim")
        page = client.get("/inbox/?tab=mine").text
        assert "Trả lại hàng chờ" in page and ">Trả lại<" not in page
