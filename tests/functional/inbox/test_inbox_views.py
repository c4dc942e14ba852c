"""Inbox tabs, filters, pagination, claiming, reassigning and saved views through the Flask app."""
from __future__ import annotations

import re

from app.extensions import db
from app.inbox.models import SavedView
from app.workflow.models import HumanTask
from tests.functional.ui_world import WORK_PERMIT


def _appraisal(desk):
    dossier = desk.receive(WORK_PERMIT).dossier
    return dossier, desk.task(dossier, "appraisal")


class TestInboxPage:
    def test_queue_lists_the_task_with_its_columns(self, officials, desk, at_office):
        dossier, task = _appraisal(desk)
        page = officials.login("chuyenvien.snv").get("/inbox/?tab=queue")
        assert page.status_code == 200
        assert dossier.code in page.text
        assert "Nguyễn Văn An" in page.text
        assert task.name in page.text
        assert 'data-urgency="ok"' in page.text
        assert "còn 8.0 giờ" in page.text or "còn" in page.text
        assert re.search(r'data-count="queue">1<', page.text)

    def test_officials_of_another_agency_do_not_see_the_task(self, officials, desk, at_office):
        dossier, _task = _appraisal(desk)
        page = officials.login("chuyenvien.sxd").get("/inbox/?tab=queue")
        assert dossier.code not in page.text

    def test_filters_narrow_the_list_and_stay_in_the_url(self, officials, desk, at_office):
        dossier, _task = _appraisal(desk)
        client = officials.login("chuyenvien.snv")
        assert dossier.code in client.get("/inbox/?tab=queue&procedure=1.014199&step=appraisal").text
        assert dossier.code not in client.get("/inbox/?tab=queue&step=approval").text
        assert dossier.code not in client.get("/inbox/?tab=queue&overdue=1").text
        assert dossier.code in client.get("/inbox/?tab=queue&q=nguyen van an").text
        assert dossier.code not in client.get("/inbox/?tab=queue&q=tran thi").text

    def test_overdue_filter_finds_late_tasks_coloured_red(self, officials, desk, clock):
        clock("2026-03-02 09:00")
        dossier, _task = _appraisal(desk)
        clock("2026-03-12 09:00")  # the 7-day appraisal step (Decree 219/2025 permit) is late
        page = officials.login("chuyenvien.snv").get("/inbox/?tab=queue&overdue=1")
        assert dossier.code in page.text
        assert 'data-urgency="late"' in page.text

    def test_keyset_pagination_shows_a_more_link_with_a_cursor(self, app, officials, desk, at_office, monkeypatch):
        codes = [desk.receive(WORK_PERMIT).dossier.code for _ in range(3)]
        monkeypatch.setitem(app.config, "INBOX_PAGE_SIZE", 2)
        client = officials.login("chuyenvien.snv")
        first = client.get("/inbox/?tab=queue")
        more = re.search(r'href="([^"]*after=[^"]+)"', first.text)
        assert more, "no 'Xem thêm' link"
        second = client.get(more.group(1).replace("&amp;", "&"))
        shown = [c for c in codes if c in first.text] + [c for c in codes if c in second.text]
        assert sorted(shown) == sorted(codes)

    def test_inbox_page_uses_a_bounded_number_of_queries(self, officials, desk, at_office, count_queries):
        for _ in range(2):
            desk.receive(WORK_PERMIT)
        client = officials.login("chuyenvien.snv")
        client.get("/inbox/?tab=queue")
        before = count_queries.count
        client.get("/inbox/?tab=queue")
        few = count_queries.count - before
        for _ in range(6):
            desk.receive(WORK_PERMIT)
        before = count_queries.count
        page = client.get("/inbox/?tab=queue")
        many = count_queries.count - before
        assert page.text.count("data-task-id=") == 8
        assert many == few, "queries grow with the number of rows (N+1)"
        assert many <= 15, count_queries.statements[before:]

    def test_counts_fragment_refreshes_with_htmx(self, officials, desk, at_office):
        _appraisal(desk)
        fragment = officials.login("chuyenvien.snv").get("/inbox/counts?tab=queue")
        assert fragment.status_code == 200
        assert 'hx-trigger="every 30s"' in fragment.text
        assert "<html" not in fragment.text

    def test_citizens_are_sent_to_sign_in(self, client):
        assert client.get("/inbox/").status_code == 302



class TestClaiming:
    def test_claim_moves_the_task_to_my_tasks(self, officials, desk, at_office):
        dossier, task = _appraisal(desk)
        client = officials.login("chuyenvien.snv")
        response = client.post(f"/inbox/tasks/{task.id}/claim", data={"next": "/inbox/?tab=queue"})
        assert response.status_code == 302
        mine = client.get("/inbox/?tab=mine")
        assert dossier.code in mine.text
        assert "Bạn đã nhận xử lý công việc" in mine.text

    def test_second_official_racing_for_a_claim_gets_a_clear_message(self, officials, desk, at_office, client):
        _dossier, task = _appraisal(desk)
        from tests.factories.organisation import add_official

        add_official("chuyenvien2.snv", "specialist@H38.SNV", full_name="Chuyên viên Hai")
        db.session.commit()
        first = officials.login("chuyenvien.snv")
        assert first.post(f"/inbox/tasks/{task.id}/claim").status_code == 302
        second = officials.login("chuyenvien2.snv")
        response = second.post(f"/inbox/tasks/{task.id}/claim", data={"next": "/inbox/?tab=queue"},
                               follow_redirects=True)
        assert "Công việc này đã được cán bộ khác nhận xử lý." in response.text
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).assignee_id is not None

    def test_unclaim_returns_the_task_to_the_queue(self, officials, desk, at_office):
        dossier, task = _appraisal(desk)
        client = officials.login("chuyenvien.snv")
        client.post(f"/inbox/tasks/{task.id}/claim")
        client.post(f"/inbox/tasks/{task.id}/unclaim")
        assert dossier.code in client.get("/inbox/?tab=queue").text

    def test_official_of_another_agency_cannot_claim(self, officials, desk, at_office):
        _dossier, task = _appraisal(desk)
        response = officials.login("chuyenvien.sxd").post(f"/inbox/tasks/{task.id}/claim")
        assert response.status_code == 403
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).status == "open"


class TestReassign:
    def test_leader_sees_the_team_tab_and_reassigns_with_a_reason(self, officials, desk, at_office):
        dossier, task = _appraisal(desk)
        client = officials.login("lanhdao.snv")
        team = client.get("/inbox/?tab=team")
        assert dossier.code in team.text
        form = client.get(f"/inbox/tasks/{task.id}/reassign")
        assert form.status_code == 200
        specialist = re.search(r'<option value="(\d+)">Phạm Văn Thụ Lý', form.text).group(1)
        response = client.post(f"/inbox/tasks/{task.id}/reassign",
                               data={"assignee_id": specialist, "reason": "Cán bộ quen hồ sơ"})
        assert response.status_code == 302
        db.session.expire_all()
        refreshed = db.session.get(HumanTask, task.id)
        assert (refreshed.status, refreshed.assignee_id) == ("claimed", int(specialist))

    def test_reassign_requires_a_reason_shown_in_place(self, officials, desk, at_office):
        _dossier, task = _appraisal(desk)
        client = officials.login("lanhdao.snv")
        response = client.post(f"/inbox/tasks/{task.id}/reassign", data={"assignee_id": "1", "reason": ""})
        assert response.status_code == 422
        assert "is-invalid" in response.text

    def test_leader_of_another_agency_cannot_reassign(self, officials, desk, at_office):
        _dossier, task = _appraisal(desk)
        assert officials.login("lanhdao.sxd").get(f"/inbox/tasks/{task.id}/reassign").status_code == 403

    def test_specialists_cannot_reassign(self, officials, desk, at_office):
        _dossier, task = _appraisal(desk)
        assert officials.login("chuyenvien.snv").get(f"/inbox/tasks/{task.id}/reassign").status_code == 403


class TestSavedViews:
    def test_saved_view_keeps_the_filters_and_can_be_deleted(self, officials, desk, at_office):
        client = officials.login("chuyenvien.snv")
        response = client.post("/inbox/views", data={"name": "Quá hạn GPLĐ",
                                                     "query": "tab=queue&procedure=1.014199&overdue=1"})
        assert response.headers["Location"].endswith("?tab=queue&procedure=1.014199&overdue=1")
        page = client.get("/inbox/")
        assert "Quá hạn GPLĐ" in page.text
        view = db.session.query(SavedView).one()
        client.post(f"/inbox/views/{view.id}/delete")
        assert db.session.query(SavedView).count() == 0

    def test_views_are_private_to_their_owner(self, officials, desk, at_office):
        officials.login("chuyenvien.snv").post("/inbox/views", data={"name": "Của tôi", "query": "tab=mine"})
        view = db.session.query(SavedView).one()
        other = officials.login("lanhdao.snv")
        other.get("/inbox/")  # consumes the flash left in the shared test session
        assert ">Của tôi</a>" not in other.get("/inbox/").text
        assert other.post(f"/inbox/views/{view.id}/delete").status_code == 404
