"""Idempotency-Key: a retried write replays its stored response and never acts twice."""
from __future__ import annotations

from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import form_data, queued_task, submission

KEY = {"Idempotency-Key": "3f1c8a4e-retry-1"}


class TestRetriedSubmission:
    def test_same_key_and_body_returns_the_same_dossier_once(self, api, world):
        payload = submission(api)
        first = api.post("/dossiers", payload, user="designer", headers=KEY)
        again = api.post("/dossiers", payload, user="designer", headers=KEY)
        assert first.status_code == again.status_code == 201
        assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
        assert db.session.query(Dossier).count() == 1

    def test_same_key_with_another_body_is_refused(self, api, world):
        payload = submission(api)
        api.post("/dossiers", payload, user="designer", headers=KEY)
        other = {**payload, "return_method": "post"}
        assert_problem(api.post("/dossiers", other, user="designer", headers=KEY), 422, "idempotency_key_reused")
        assert db.session.query(Dossier).count() == 1

    def test_keys_belong_to_their_user(self, api, world):
        payload = submission(api)
        api.post("/dossiers", payload, user="designer", headers=KEY)
        assert api.post("/dossiers", payload, user="admin", headers=KEY).headers.get("Idempotent-Replayed") is None
        assert db.session.query(Dossier).count() == 2

    def test_without_a_key_each_request_acts(self, api, world):
        payload = submission(api)
        api.post("/dossiers", payload, user="designer")
        api.post("/dossiers", payload, user="designer")
        assert db.session.query(Dossier).count() == 2

    def test_a_refused_request_is_not_stored_so_its_retry_runs_again(self, api, world):
        payload = submission(api, received_documents=[])
        assert_problem(api.post("/dossiers", payload, user="designer", headers=KEY), 422)
        fixed = submission(api)
        assert_problem(api.post("/dossiers", payload, user="designer", headers=KEY), 422)
        assert api.post("/dossiers", fixed, user="designer", headers=KEY).status_code == 201

    def test_oversized_key_is_a_validation_error(self, api, world):
        assert_problem(api.post("/dossiers", submission(api), user="designer",
                                headers={"Idempotency-Key": "k" * 300}), 422)


class TestRetriedCompletion:
    def test_completing_twice_with_one_key_completes_once(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        body = {"data": form_data(task["form_key"])}
        first = api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv", headers=KEY)
        again = api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv", headers=KEY)
        assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
        completed = db.session.query(DossierEvent).filter_by(kind="task_completed").count()
        assert completed == 2  # intake at the counter + this appraisal, not a third
