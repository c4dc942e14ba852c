"""SQL statements per hot API request stay within a fixed budget (the API is benchmarked end to end)."""
from __future__ import annotations

from tests.functional.api.flows import form_data, queued_task

# Measured (issue 15): list 3 (token, roles, one joined page query); claim 3 (token, the task context, one
# conditional UPDATE); complete 7 (token, the task context, then one flush: event, closed task, new task, engine
# state, dossier); +2 with an Idempotency-Key (its lookup and insert).
TASK_LIST_BUDGET = 3
CLAIM_BUDGET = 3
COMPLETE_BUDGET = 7
IDEMPOTENT_COMPLETE_BUDGET = 9


class TestQueryBudget:
    def test_task_list_is_a_fixed_number_of_queries_whatever_the_page_size(self, api, desk, count_queries):
        for _ in range(5):
            desk.receive("1.014199")
        api.get("/tasks", user="chuyenvien.snv")  # token issued and last use recorded: not part of the budget
        count_queries.statements.clear()
        assert len(api.get("/tasks?limit=50", user="chuyenvien.snv").get_json()["items"]) == 5
        assert count_queries.count <= TASK_LIST_BUDGET

    def test_claim_and_complete_stay_within_budget(self, api, desk, count_queries):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        body = {"data": form_data(task["form_key"])}
        count_queries.statements.clear()
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        claim = count_queries.count
        count_queries.statements.clear()
        assert api.post(f"/tasks/{task['id']}/complete", body, user="chuyenvien.snv").status_code == 200
        assert claim <= CLAIM_BUDGET, count_queries.statements
        assert count_queries.count <= COMPLETE_BUDGET, count_queries.statements

    def test_idempotent_completion_adds_only_the_key_lookup_and_insert(self, api, desk, count_queries):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        count_queries.statements.clear()
        response = api.post(f"/tasks/{task['id']}/complete", {"data": form_data(task["form_key"])},
                            user="chuyenvien.snv", headers={"Idempotency-Key": "k-1"})
        assert response.status_code == 200 and count_queries.count <= IDEMPOTENT_COMPLETE_BUDGET
