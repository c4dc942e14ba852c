"""Every caller gets the same validation, and a lost race is a 409 — never a 500 — on every action."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.audit.verify import verify_dossier
from app.auth.models import User
from app.auth.services import get_agency_by_code
from app.dossiers.services import get_dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.workflow.models import HumanTask
from tests.dbutil import is_postgres
from tests.factories.auth import UserFactory
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import form_data, queued_task, submission


class TestIntakeValidatedForEveryCaller:
    def test_counter_intake_over_the_api_with_empty_required_fields_is_refused(self, api, world):
        body = submission(api, channel="counter", form_data={key: "" for key in form_data("work_permit/intake")})
        response = api.post("/dossiers", body, user="tiepnhan")
        problem = assert_problem(response, 422)
        assert "worker_full_name" in problem["errors"]

    def test_online_submission_with_a_malformed_passport_is_refused(self, api, world):
        data = {**form_data("work_permit/intake"), "passport_number": "not a passport!"}
        response = api.post("/dossiers", submission(api, form_data=data), user="tiepnhan")
        assert "passport_number" in assert_problem(response, 422)["errors"]


def _race(app, client, requests: list[tuple[str, str, dict, dict]]) -> list[int]:
    """Fire the (path, token, body, headers) requests at once, one client thread each; return their status codes."""
    barrier, statuses = threading.Barrier(len(requests), timeout=60), []

    def fire(path, token, body, headers):
        barrier.wait()
        response = client.post("/api/v1" + path, json=body,
                               headers={"Authorization": f"Bearer {token}", **headers})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=fire, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client is still waiting after 120 s"
    assert len(statuses) == len(requests)
    return statuses


def _events(code: str, kind: str, task_id: int) -> list[DossierEvent]:
    """The dossier's `kind` events about the task `task_id` (the intake's completion is another task)."""
    db.session.rollback()
    dossier = get_dossier(code)
    bpmn_id = db.session.get(HumanTask, task_id).bpmn_id
    events = db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                           DossierEvent.kind == kind).order_by(DossierEvent.seq))
    return [event for event in events if event.data.get("task") == bpmn_id]


def _assert_chain_valid(code: str) -> None:
    db.session.rollback()
    report = verify_dossier(get_dossier(code))
    assert report.ok, report.problem and report.problem.message("en")


@pytest.mark.committing  # parallel clients on their own threads and connections
@pytest.mark.skipif(not is_postgres(), reason="row-level races need PostgreSQL (SQLite serialises writers)")
class TestLostRacesAreConflicts:
    """50 concurrent clients on the same task: one wins, every loser gets a 409, the chain stays valid."""

    N = 50

    @pytest.fixture
    def appraisal(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        return code, task

    def _specialists(self, api) -> list[str]:
        agency = get_agency_by_code("H38.SNV")
        names = [f"cv{i}.snv" for i in range(self.N)]
        for name in names:
            UserFactory(username=name, with_roles=[("specialist", agency)])
        db.session.commit()
        return [api.token(name) for name in names]

    def test_parallel_completions_of_one_task(self, app, client, api, appraisal):
        code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        statuses = _race(app, client, [(f"/tasks/{task['id']}/complete", token, body, {})] * self.N)
        assert sorted(statuses) == [200] + [409] * (self.N - 1)
        assert len(_events(code, "task_completed", task["id"])) == 1
        _assert_chain_valid(code)

    def test_parallel_claims_by_different_officials(self, app, client, api, appraisal):
        code, task = appraisal
        tokens = self._specialists(api)
        statuses = _race(app, client, [(f"/tasks/{task['id']}/claim", t, {}, {}) for t in tokens])
        assert sorted(statuses) == [200] + [409] * (self.N - 1)
        db.session.rollback()
        winner = db.session.get(HumanTask, task["id"])
        assert winner.status == "claimed" and db.session.get(User, winner.assignee_id).username.startswith("cv")
        _assert_chain_valid(code)

    def test_parallel_unclaim_and_complete(self, app, client, api, appraisal):
        code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        requests = [(f"/tasks/{task['id']}/complete", token, body, {}),
                    (f"/tasks/{task['id']}/unclaim", token, {}, {})] * (self.N // 2)
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses
        assert len(_events(code, "task_completed", task["id"])) <= 1
        _assert_chain_valid(code)

    def test_parallel_reassignments(self, app, client, api, appraisal):
        """Reassignments that read the same version lose; later ones may win in turn: every win is one event."""
        code, task = appraisal
        self._specialists(api)
        leader = api.token("lanhdao.snv")
        requests = [(f"/tasks/{task['id']}/reassign", leader, {"assignee": f"cv{i}.snv", "reason": "cân đối"}, {})
                    for i in range(self.N)]
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses
        events = _events(code, "task_reassigned", task["id"])
        assert len(events) == statuses.count(200)
        assert db.session.get(HumanTask, task["id"]).assignee_id == events[-1].data["to_user"]
        _assert_chain_valid(code)

    def test_parallel_completions_claims_and_reassignments_of_one_task(self, app, client, api, appraisal):
        """All three at once on the same task: at most one completion, no 500, a valid chain."""
        code, task = appraisal
        tokens = self._specialists(api)
        leader, holder = api.token("lanhdao.snv"), api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        requests = []
        for i in range(self.N):
            requests.append([(f"/tasks/{task['id']}/complete", holder, body, {}),
                             (f"/tasks/{task['id']}/claim", tokens[i], {}, {}),
                             (f"/tasks/{task['id']}/reassign", leader, {"assignee": f"cv{i}.snv", "reason": "x"}, {}),
                             ][i % 3])
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409, 403}, statuses  # a reassigned task refuses its former holder
        assert len(_events(code, "task_completed", task["id"])) <= 1
        _assert_chain_valid(code)

    def test_parallel_replays_of_one_idempotency_key(self, app, client, api, appraisal):
        code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        requests = [(f"/tasks/{task['id']}/complete", token, body, {"Idempotency-Key": "k-1"})] * self.N
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses
        assert len(_events(code, "task_completed", task["id"])) == 1
        _assert_chain_valid(code)
