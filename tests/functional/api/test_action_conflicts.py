"""Every caller gets the same validation, and a lost race is a 409 — never a 500 — on every action."""
from __future__ import annotations

import threading

import pytest

from app.auth.services import get_agency_by_code
from app.extensions import db
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
    """Fire the (path, token, body, headers) requests at once from threads; return their status codes."""
    barrier, statuses = threading.Barrier(len(requests)), []

    def fire(path, token, body, headers):
        barrier.wait()
        response = client.post("/api/v1" + path, json=body,
                               headers={"Authorization": f"Bearer {token}", **headers})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=fire, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.skipif(not is_postgres(), reason="row-level races need PostgreSQL (SQLite serialises writers)")
class TestLostRacesAreConflicts:
    N = 8

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
        _code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        statuses = _race(app, client, [(f"/tasks/{task['id']}/complete", token, body, {})] * self.N)
        assert sorted(statuses) == [200] + [409] * (self.N - 1)

    def test_parallel_claims_by_different_officials(self, app, client, api, appraisal):
        _code, task = appraisal
        tokens = self._specialists(api)
        statuses = _race(app, client, [(f"/tasks/{task['id']}/claim", t, {}, {}) for t in tokens])
        assert sorted(statuses) == [200] + [409] * (self.N - 1)

    def test_parallel_unclaim_and_complete(self, app, client, api, appraisal):
        _code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        requests = [(f"/tasks/{task['id']}/complete", token, body, {}),
                    (f"/tasks/{task['id']}/unclaim", token, {}, {})] * (self.N // 2)
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses

    def test_parallel_reassignments(self, app, client, api, appraisal):
        _code, task = appraisal
        self._specialists(api)
        leader = api.token("lanhdao.snv")
        requests = [(f"/tasks/{task['id']}/reassign", leader, {"assignee": f"cv{i}.snv", "reason": "cân đối"}, {})
                    for i in range(self.N)]
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses

    def test_parallel_replays_of_one_idempotency_key(self, app, client, api, appraisal):
        _code, task = appraisal
        token = api.token("chuyenvien.snv")
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        body = {"data": form_data(task["form_key"])}
        requests = [(f"/tasks/{task['id']}/complete", token, body, {"Idempotency-Key": "k-1"})] * self.N
        statuses = _race(app, client, requests)
        assert set(statuses) <= {200, 409} and 200 in statuses
