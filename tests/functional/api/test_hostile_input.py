"""Hostile bodies and values get 400/413/422, never a 500; no existence oracles on dossier codes and tasks."""
from __future__ import annotations

import io

import pytest

from app.catalog.services import read_table
from app.core.errors import ValidationError
from tests.functional.api.conftest import assert_problem
from tests.functional.api.flows import form_data, queued_task, submission

JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class TestNulBytes:
    """PostgreSQL text cannot hold a NUL character: anywhere in a request it is a 400 with a message in both
    languages, before any query (it was a 500 from the public lookup)."""

    def test_in_a_json_string(self, client):
        response = client.post("/api/v1/lookup", data='{"code": "HS\\u0000X", "pin": "123456"}', headers=JSON)
        assert_problem(response, 400)

    def test_in_the_path_and_the_query(self, client):
        assert_problem(client.get("/api/v1/procedures/1.0%0014199"), 400)
        assert client.get("/tra-cuu?code=HS%00X").status_code == 400
        assert client.get("/tra-cuu?code=HS1&code=HS%00X").status_code == 400  # the second of a repeated key

    def test_in_a_form_field(self, client):
        response = client.post("/tra-cuu", data={"code": "HS\x00X", "pin": "123456"}, follow_redirects=True)
        assert "Yêu cầu chứa ký tự NUL không hợp lệ." in response.get_data(as_text=True)  # shown on the form


class TestJsonGuard:
    @pytest.mark.parametrize("depth", [100, 100_000])
    def test_deeply_nested_json_on_an_anonymous_endpoint_is_a_400(self, client, depth):
        body = '{"code": "X", "pin": "123456", "x": ' + nested(depth) + "}"
        response = client.post("/api/v1/lookup", data=body, headers=JSON)
        assert response.status_code in (400, 413) and response.mimetype == "application/problem+json"

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "1" * 5000])
    def test_non_finite_and_huge_numbers_are_refused_by_the_parser(self, client, literal):
        body = '{"code": "X", "pin": "123456", "limit": ' + literal + "}"
        assert_problem(client.post("/api/v1/lookup/events", data=body, headers=JSON), 400)

    def test_deep_json_in_a_signed_in_task_completion_is_a_400(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        body = '{"data": ' + nested(50_000) + "}"
        response = api.client.post(f"/api/v1/tasks/{task['id']}/complete", data=body,
                                   headers={**JSON, **api.headers("chuyenvien.snv")})
        assert_problem(response, 400)


class TestBodySize:
    def test_a_60_mb_anonymous_body_is_refused_unread(self, client):
        response = client.post("/api/v1/lookup", data=b"x" * (60 * 1024 * 1024), headers=JSON)
        assert_problem(response, 413)

    def test_a_60_mb_signed_in_body_is_refused(self, api, world):
        response = api.client.post("/api/v1/dossiers", data=b"x" * (60 * 1024 * 1024),
                                   headers={**JSON, **api.headers("tiepnhan")})
        assert_problem(response, 413)

    def test_anonymous_json_has_a_smaller_limit(self, client):
        body = '{"code": "X", "pin": "' + "1" * (400 * 1024) + '"}'
        assert_problem(client.post("/api/v1/lookup", data=body, headers=JSON), 413)

    def test_a_big_anonymous_web_form_is_refused(self, client):
        response = client.post("/tra-cuu", data={"code": "X", "pin": "1" * (1024 * 1024)})
        assert response.status_code == 413


class TestFormData:
    @pytest.mark.parametrize("key", ["_private", "working_days_after", "working_hours_from"])
    def test_intake_keys_that_shadow_script_helpers_are_refused(self, api, world, key):
        payload = submission(api)
        payload["form_data"][key] = "x"
        body = assert_problem(api.post("/dossiers", payload, user="tiepnhan"), 422)
        assert key in body["errors"]["form_data"]

    @pytest.mark.parametrize("value", [10 ** 25, 10 ** 4000])
    def test_intake_huge_integers_are_refused(self, api, world, value):
        payload = submission(api)
        payload["form_data"]["extra_number"] = value
        response = api.post("/dossiers", payload, user="tiepnhan")
        assert response.status_code in (400, 422), response.get_data(as_text=True)

    @pytest.mark.parametrize("value", ["NaN", "Infinity", "1" * 4000, "123456789012345678901"])
    def test_task_number_fields_refuse_nan_and_huge_numbers(self, api, desk, value):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        assert api.post(f"/tasks/{task['id']}/claim", user="chuyenvien.snv").status_code == 200
        data = {**form_data(task["form_key"]), "permit_months": value}
        body = assert_problem(api.post(f"/tasks/{task['id']}/complete", {"data": data}, user="chuyenvien.snv"), 422)
        assert "permit_months" in body["errors"]


class TestUploadsByContent:
    def test_csv_named_xlsx_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            read_table("catalog.xlsx", b"code,name_vi\n1.0001,Test\n")
        assert refused.value.status == 422

    def test_binary_named_csv_is_refused(self):
        with pytest.raises(ValidationError):
            read_table("catalog.csv", bytes(range(256)) * 10)
        with pytest.raises(ValidationError):
            read_table("catalog.csv", b"code,name\x00\x01\x02\n")

    def test_zip_without_a_workbook_named_xlsx_is_refused(self):
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        with pytest.raises(ValidationError):
            read_table("catalog.xlsx", buffer.getvalue())

    def test_a_real_xlsx_is_read(self):
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["code", "name_vi"])
        book.active.append(["1.0001", "Thủ tục"])
        buffer = io.BytesIO()
        book.save(buffer)
        assert read_table("catalog.xlsx", buffer.getvalue()) == [{"code": "1.0001", "name_vi": "Thủ tục"}]


class TestNoExistenceOracle:
    def test_another_agencys_dossier_answers_like_an_unknown_code(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        other = api.get(f"/dossiers/{code}", user="hacthanh")
        unknown = api.get("/dossiers/000.00.12.H38-000000-0001", user="hacthanh")
        assert other.status_code == unknown.status_code == 404
        assert other.get_json()["type"] == unknown.get_json()["type"]

    def test_unclaim_by_an_outsider_is_refused_before_the_state_is_told(self, api, desk):
        code = desk.receive("1.014199").dossier.code
        task = queued_task(api, "chuyenvien.snv", code)
        assert_problem(api.post(f"/tasks/{task['id']}/unclaim", user="hacthanh"), 403)
        assert_problem(api.post(f"/tasks/{task['id']}/unclaim", user="chuyenvien.snv"), 409)
