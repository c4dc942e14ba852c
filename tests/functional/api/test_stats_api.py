"""GET /stats: counts, early / on time / late against the legal due date, overdue, per agency and procedure."""
from __future__ import annotations

from tests.functional.api.conftest import assert_problem


def _history(desk, clock):
    """Two work permits and a commune birth registration received on Monday 2 March 2026."""
    clock("2026-03-02 09:00")
    finished = desk.receive("1.014199").dossier
    desk.receive("1.014199")
    desk.receive("1.001193", "14797")
    desk.run_to_end(finished)
    clock("2026-03-20 09:00")  # after every legal due date


class TestStats:
    def test_counts_and_on_time_rate_for_an_official_of_the_center(self, api, desk, clock):
        _history(desk, clock)
        body = api.get("/stats?from=2026-03-01&to=2026-03-31", user="tiepnhan").get_json()
        overall = body["overall"]
        assert body["from"] == "2026-03-01" and overall["total"] == 2
        assert overall["by_status"] == {"returned": 1, "processing": 1}
        assert overall["finished"] == 1 and overall["early"] + overall["on_time"] == 1 and overall["late"] == 0
        assert overall["on_time_rate"] == 1.0 and overall["overdue_open"] == 1
        assert [row["agency_code"] for row in body["by_agency"]] == ["H38.TTPVHCC"]
        assert [row["procedure_code"] for row in body["by_procedure"]] == ["1.014199"]

    def test_province_wide_view_for_auditors_with_filters(self, api, desk, clock):
        _history(desk, clock)
        assert api.get("/stats", user="auditor").get_json()["overall"]["total"] == 3
        assert api.get("/stats?agency=14797", user="auditor").get_json()["overall"]["total"] == 1
        body = api.get("/stats?procedure=1.014199", user="auditor").get_json()
        assert body["overall"]["total"] == 2 and body["overall"]["on_time_rate"] == 1.0
        assert api.get("/stats?from=2026-04-01", user="auditor").get_json()["overall"]["total"] == 0

    def test_no_finished_dossier_means_no_rate(self, api, world):
        assert api.get("/stats", user="tiepnhan").get_json()["overall"]["on_time_rate"] is None

    def test_errors(self, api, world):
        body = assert_problem(api.get("/stats?from=2026-03-02&to=2026-03-01", user="tiepnhan"), 422)
        assert "to" in body["errors"]
        assert_problem(api.get("/stats?from=02/03/2026", user="tiepnhan"), 422)
        assert_problem(api.get("/stats?agency=14797", user="tiepnhan"), 403)
        assert_problem(api.get("/stats?agency=NOPE", user="tiepnhan"), 404)
        assert_problem(api.get("/stats?procedure=9.999", user="tiepnhan"), 404)
        assert_problem(api.get("/stats"), 401)
