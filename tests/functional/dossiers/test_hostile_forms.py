"""Hostile values posted by signed-in officials through the web forms: refused, never a 500."""
from __future__ import annotations

import io

from tests.functional.ui_world import reach


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class TestHostileForms:
    def test_deep_json_in_the_web_form_field_is_no_500(self, officials, desk, at_office):
        receipt = desk.receive("1.014199")
        client = officials.login("chuyenvien.snv")
        task = reach(desk, receipt.dossier, "appraisal")
        response = client.post(f"/tasks/{task.id}", data={"form_json": nested(100_000)})
        assert response.status_code < 500

    def test_import_page_answers_a_fake_xlsx_without_a_500(self, officials):
        client = officials.login("admin")
        response = client.post("/catalog/import", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "catalog.xlsx")},
                               content_type="multipart/form-data", headers={"Referer": "/catalog/"})
        assert response.status_code == 302  # the central handler flashes the 422 and goes back
        assert "không phải là tệp XLSX hợp lệ" in client.get("/catalog/").text
