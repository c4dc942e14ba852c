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
        rows = {row["agency_code"]: row for row in body["by_agency"]}
        assert sorted(rows) == ["H38.SNV", "H38.TTPVHCC"]  # the department handles them, the center received them
        assert (rows["H38.SNV"]["total"], rows["H38.SNV"]["counter_received"]) == (2, 0)
        assert (rows["H38.TTPVHCC"]["total"], rows["H38.TTPVHCC"]["counter_received"]) == (0, 2)
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


class TestDepartmentStatistics:
    """Issue 20.2: `GET /stats?agency=H38.SNV` on a hand-built data set whose answers are written here.

    Five work permits received at the provincial center on Mon 02/03/2026 09:00 (10 working days: due Mon 16/03
    09:00; a refusal within 3 working days: Thu 05/03 09:00), handled by the Department of Home Affairs:
      A  result stamped and handed over on 02/03          -> early
      B  result stamped on the due day 16/03 08:00, never collected -> on time, not an overdue open dossier
      C  result stamped on 17/03                          -> late
      D  supplement requested on 03/03, still waiting      -> paused, not overdue
      E  refusal decided on 04/03 (day 3), handed over on 27/03 -> early (counted at the decision)
    """

    def _build(self, desk, clock):
        clock("2026-03-02 09:00")
        a, b, c, d, e = (desk.receive("1.014199").dossier for _ in range(5))
        desk.run_to_end(a)
        clock("2026-03-03 09:00")
        desk.complete(d, "appraisal", decision="supplement", supplement_items="Hộ chiếu")
        clock("2026-03-04 09:00")
        desk.complete(e, "appraisal", decision="refuse", refusal_reason="Không đủ điều kiện",
                      comment="Không đủ điều kiện")
        clock("2026-03-16 08:00")
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(b, kind)
        clock("2026-03-17 09:00")
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(c, kind)
        clock("2026-03-27 09:00")
        desk.run_to_end(e)
        clock("2026-03-30 09:00")

    def test_department_sees_its_own_dossiers_with_the_right_split(self, api, desk, clock):
        self._build(desk, clock)
        body = api.get("/stats?agency=H38.SNV&from=2026-03-01&to=2026-03-31", user="lanhdao.snv").get_json()
        overall = body["overall"]
        assert overall["total"] == 5
        assert (overall["finished"], overall["early"], overall["on_time"], overall["late"]) == (4, 2, 1, 1)
        assert (overall["overdue_open"], overall["paused"]) == (0, 1)
        assert overall["on_time_rate"] == 0.75
        assert [row["agency_code"] for row in body["by_agency"]] == ["H38.SNV"]
        assert body["by_agency"][0]["steps"]["finished"] > 0  # the department's own steps

    def test_the_center_keeps_only_its_counter_figures(self, api, desk, clock):
        self._build(desk, clock)
        body = api.get("/stats?agency=H38.TTPVHCC&from=2026-03-01&to=2026-03-31", user="tiepnhan").get_json()
        assert (body["overall"]["total"], body["overall"]["late"], body["overall"]["counter_received"]) == (0, 0, 5)
