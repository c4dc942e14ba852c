"""GET /audit/{code}/verify: the auditor checks a dossier's hash chain."""
from __future__ import annotations

from tests.functional.api.conftest import assert_problem


class TestVerify:
    def test_intact_chain_is_reported_ok(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        body = api.get(f"/audit/{code}/verify", user="auditor").get_json()
        assert body == {"code": code, "ok": True, "checked": 2, "first_broken_seq": None, "problem": None}

    def test_edited_event_is_reported_with_its_sequence(self, api, desk, sql):
        dossier = desk.receive("1.014199").dossier
        sql("UPDATE dossier_events SET comment = 'sửa' WHERE dossier_id = :d AND seq = 2", d=dossier.id)
        body = api.get(f"/audit/{dossier.code}/verify", user="auditor").get_json()
        assert body["ok"] is False and body["first_broken_seq"] == 2 and body["problem"]

    def test_only_auditors_in_scope_may_verify(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        assert_problem(api.get(f"/audit/{code}/verify", user="tiepnhan"), 403)
        assert_problem(api.get(f"/audit/{code}/verify"), 401)
        assert_problem(api.get("/audit/NOPE/verify", user="auditor"), 404)
