"""Task endpoints: inbox tabs, claim, unclaim, complete, reassign."""
from __future__ import annotations

from app.auth.services import get_agency_by_code
from app.extensions import db
from tests.factories.auth import UserFactory
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import form_data, queued_task


def _appraisal(api, desk) -> tuple[str, dict]:
    code = desk.receive("1.014199").dossier.code
    return code, queued_task(api, "chuyenvien.snv", code)


def _second_specialist() -> str:
    UserFactory(username="chuyenvien2.snv", with_roles=[("specialist", get_agency_by_code("H38.SNV"))])
    db.session.commit()
    return "chuyenvien2.snv"


class TestInbox:
    def test_queue_then_mine_after_claiming(self, api, desk):
        code, task = _appraisal(api, desk)
        assert task["step_kind"] == "appraisal" and task["dossier"]["code"] == code and task["status"] == "open"
        assert api.get("/tasks?scope=mine", user="chuyenvien.snv").get_json()["items"] == []
        api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv")
        assert queued_task(api, "chuyenvien.snv", code, scope="mine")["status"] == "claimed"
        assert api.get("/tasks?scope=queue", user="chuyenvien.snv").get_json()["items"] == []
        assert api.get("/tasks?scope=team", user="lanhdao.snv").get_json()["items"][0]["id"] == task["id"]

    def test_other_agencies_do_not_see_the_task(self, api, desk):
        _appraisal(api, desk)
        assert api.get("/tasks?scope=queue", user="hacthanh").get_json()["items"] == []

    def test_pages_follow_the_step_deadline(self, api, desk):
        ids = [queued_task(api, "chuyenvien.snv", desk.receive("1.014199").dossier.code)["id"] for _ in range(3)]
        first = api.get("/tasks?limit=2", user="chuyenvien.snv").get_json()
        second = api.get(f"/tasks?limit=2&cursor={first['next_cursor']}", user="chuyenvien.snv").get_json()
        assert [t["id"] for t in first["items"] + second["items"]] == ids and second["next_cursor"] is None

    def test_bad_arguments_and_no_token(self, api, world):
        body = assert_problem(api.get("/tasks?scope=everything", user="chuyenvien.snv"), 422)
        assert "scope" in body["errors"]
        assert_problem(api.get("/tasks?cursor=abc", user="chuyenvien.snv"), 422)
        assert_problem(api.get("/tasks"), 401)


class TestClaim:
    def test_exactly_one_of_two_officials_gets_the_task(self, api, desk):
        _code, task = _appraisal(api, desk)
        other = _second_specialist()
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").get_json()["status"] == "claimed"
        assert_problem(api.post(f"/tasks/{task['id']}/claim", user=other), 409, "conflict")

    def test_claim_errors(self, api, desk):
        _code, task = _appraisal(api, desk)
        assert_problem(api.post(f"/tasks/{task['id']}/claim", user="hacthanh"), 403)
        assert_problem(api.post("/tasks/999999/claim", user="chuyenvien.snv"), 404)
        assert_problem(api.post(f"/tasks/{task['id']}/claim"), 401)

    def test_unclaim_returns_the_task_to_the_queue(self, api, desk):
        code, task = _appraisal(api, desk)
        assert_problem(api.post(f"/tasks/{task['id']}/unclaim", user="chuyenvien.snv"), 409)
        api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv")
        assert_problem(api.post(f"/tasks/{task['id']}/unclaim", user=_second_specialist()), 403)
        assert api.post(f"/tasks/{task['id']}/unclaim", user="chuyenvien.snv").get_json()["status"] == "open"
        assert queued_task(api, "chuyenvien.snv", code)["id"] == task["id"]
        assert_problem(api.post("/tasks/999999/unclaim", user="chuyenvien.snv"), 404)


class TestComplete:
    def test_completion_moves_the_dossier_to_the_leader(self, api, desk):
        code, task = _appraisal(api, desk)
        api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv")
        body = {"data": form_data(task["form_key"]), "decision": "approve", "comment": "Đủ điều kiện"}
        result = api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv").get_json()
        assert result["dossier_code"] == code and [t["step_kind"] for t in result["next_tasks"]] == ["approval"]
        assert queued_task(api, "lanhdao.snv", code)["id"] == result["next_tasks"][0]["id"]
        assert_problem(api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv"), 409)

    def test_form_errors_are_reported_per_field(self, api, desk):
        _code, task = _appraisal(api, desk)
        body = assert_problem(api.post(f"/tasks/{task['id']}/complete", {"data": {"decision": "maybe"}},
                                       user="chuyenvien.snv"), 422)
        assert {"decision", "opinion"} <= set(body["errors"])
        assert_problem(api.post(f"/tasks/{task['id']}/complete", {"data": [1]}, user="chuyenvien.snv"), 422)

    def test_task_claimed_by_someone_else_cannot_be_completed(self, api, desk):
        _code, task = _appraisal(api, desk)
        other = _second_specialist()
        api.post(f"/tasks/{task['id']}/claim", user=other)
        body = {"data": form_data(task["form_key"])}
        assert_problem(api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv"), 409)

    def test_complete_errors(self, api, desk):
        _code, task = _appraisal(api, desk)
        body = {"data": form_data(task["form_key"])}
        assert_problem(api.post(f"/tasks/{task['id']}/complete", body, user="hacthanh"), 403)
        assert_problem(api.post("/tasks/999999/complete", body, user="chuyenvien.snv"), 404)
        assert_problem(api.post(f"/tasks/{task['id']}/complete", body), 401)


class TestReassign:
    def test_leader_hands_the_task_to_another_specialist(self, api, desk):
        _code, task = _appraisal(api, desk)
        other = _second_specialist()
        result = api.post(f"/tasks/{task['id']}/reassign", {"assignee": other, "reason": "Cân đối việc"},
                          user="lanhdao.snv").get_json()
        assert result["status"] == "claimed" and result["assignee_id"] is not None
        assert api.get("/tasks?scope=mine", user=other).get_json()["items"][0]["id"] == task["id"]

    def test_reassign_errors(self, api, desk):
        _code, task = _appraisal(api, desk)
        url = f"/tasks/{task['id']}/reassign"
        assert_problem(api.post(url, {"assignee": "chuyenvien.snv", "reason": "x"}, user="chuyenvien.snv"), 403)
        assert_problem(api.post(url, {"assignee": "chuyenvien.snv", "reason": "x"}, user="lanhdao.hacthanh"), 403)
        assert_problem(api.post(url, {"assignee": "nobody", "reason": "x"}, user="lanhdao.snv"), 422)
        assert_problem(api.post(url, {"assignee": "chuyenvien.snv"}, user="lanhdao.snv"), 422)
        assert_problem(api.post("/tasks/999999/reassign", {"assignee": "chuyenvien.snv", "reason": "x"},
                                user="lanhdao.snv"), 404)
        assert_problem(api.post(url, {"assignee": "chuyenvien.snv", "reason": "x"}), 401)

    def test_reassigning_a_finished_task_conflicts(self, api, desk):
        _code, task = _appraisal(api, desk)
        api.post(f"/tasks/{task['id']}/complete", {"data": form_data(task["form_key"])}, user="chuyenvien.snv")
        assert_problem(api.post(f"/tasks/{task['id']}/reassign", {"assignee": "chuyenvien.snv", "reason": "x"},
                                user="lanhdao.snv"), 409)
