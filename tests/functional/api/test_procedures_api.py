"""Public procedure catalogue."""
from __future__ import annotations

from tests.functional.api.conftest import assert_problem


class TestProcedures:
    def test_catalogue_is_public_and_paginated_by_code(self, api, world):
        first = api.get("/procedures?limit=4").get_json()
        rest = api.get(f"/procedures?limit=4&cursor={first['next_cursor']}").get_json()
        codes = [p["code"] for p in first["items"] + rest["items"]]
        assert codes == sorted(codes) and len(codes) == 7 and rest["next_cursor"] is None  # in force today
        assert first["items"][0]["handling_agency"]["code"]

    def test_search_ignores_accents(self, api, world):
        items = api.get("/procedures?q=giay phep lao dong").get_json()["items"]
        assert [p["code"] for p in items] == ["1.014199"]

    def test_detail_lists_required_documents_and_fees(self, api, world):
        body = api.get("/procedures/1.014199").get_json()
        assert body["legal_days"] == 10 and body["documents"]  # Decree 219/2025
        assert {"id", "name", "mandatory"} <= set(body["documents"][0])

    def test_errors(self, api, world):
        assert_problem(api.get("/procedures/9.999999"), 404, "not_found")
        body = assert_problem(api.get("/procedures?limit=1000&cache=1"), 422)
        assert set(body["errors"]) == {"limit"}  # unknown query parameters (cache busters) are ignored
