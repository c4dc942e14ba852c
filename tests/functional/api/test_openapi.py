"""The generated OpenAPI document and the local Swagger UI page."""
from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

CONTRACT = {
    ("get", "/api/v1/procedures"), ("get", "/api/v1/procedures/{code}"), ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"), ("get", "/api/v1/dossiers/{code}"), ("get", "/api/v1/dossiers/{code}/events"),
    ("post", "/api/v1/dossiers/{code}/supplement"), ("post", "/api/v1/dossiers/{code}/withdraw"),
    ("get", "/api/v1/tasks"), ("post", "/api/v1/tasks/{task_id}/claim"), ("post", "/api/v1/tasks/{task_id}/unclaim"),
    ("post", "/api/v1/tasks/{task_id}/complete"), ("post", "/api/v1/tasks/{task_id}/reassign"),
    ("post", "/api/v1/dossiers/{code}/pin"), ("post", "/api/v1/lookup"), ("post", "/api/v1/lookup/events"),
    ("get", "/api/v1/lookup/{code}"), ("post", "/api/v1/lookup/{code}/rating"), ("get", "/api/v1/stats"),
    ("get", "/api/v1/stats/scorecard"),
    ("get", "/api/v1/models"), ("post", "/api/v1/models"), ("get", "/api/v1/models/{process_key}/versions"),
    ("get", "/api/v1/audit/{code}/verify"),
}


class TestSpec:
    def test_spec_documents_every_operation_of_the_contract(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        assert spec["openapi"].startswith("3.") and spec["components"]["securitySchemes"]["bearerAuth"]
        operations = {(m, p) for p, item in spec["paths"].items() for m in item if m in ("get", "post")}
        assert operations == CONTRACT

    def test_public_operations_need_no_token_and_writes_accept_an_idempotency_key(self, client):
        paths = client.get("/api/v1/openapi.json").get_json()["paths"]
        assert paths["/api/v1/procedures"]["get"]["security"] == []
        assert paths["/api/v1/lookup/{code}/rating"]["post"]["security"] == []
        assert paths["/api/v1/lookup"]["post"]["security"] == [] == paths["/api/v1/lookup/events"]["post"]["security"]
        assert paths["/api/v1/lookup/{code}"]["get"]["deprecated"] is True
        assert "410" in paths["/api/v1/lookup/{code}"]["get"]["responses"]
        assert "security" not in paths["/api/v1/dossiers"]["get"]  # the global bearer requirement applies
        for path in ("/api/v1/dossiers", "/api/v1/tasks/{task_id}/complete"):
            names = [p["name"] for p in paths[path]["post"]["parameters"]]
            assert "Idempotency-Key" in names

    def test_errors_are_documented_as_problem_json(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        assert "application/problem+json" in spec["components"]["responses"]["DEFAULT_ERROR"]["content"]


class TestSwaggerUi:
    def test_docs_page_loads_local_assets_and_no_inline_script(self, client):
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "/static/js/swagger-init.js" in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "http" not in html.split("<body>")[1]
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    def test_init_script_is_a_static_file(self, client):
        static = Path(current_app.static_folder)
        assert (static / "js" / "swagger-init.js").is_file()
        assert client.get("/static/js/swagger-init.js").status_code == 200
