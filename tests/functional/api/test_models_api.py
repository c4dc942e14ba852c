"""BPMN models: list, deploy (designer), versions."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from tests.functional.api.conftest import assert_problem


def _bpmn() -> str:
    return (Path(current_app.config["BPMN_DIR"]) / "work_permit.bpmn").read_text(encoding="utf-8")


class TestModels:
    def test_list_shows_each_process_with_its_latest_version(self, api, world):
        items = api.get("/models", user="tiepnhan").get_json()["items"]
        assert "work_permit" in {m["process_key"] for m in items} and len(items) == 6
        page = api.get("/models?limit=4", user="designer").get_json()
        rest = api.get(f"/models?cursor={page['next_cursor']}", user="designer").get_json()
        assert len(page["items"]) == 4 and len(rest["items"]) == 2

    def test_designer_deploys_a_new_version_and_identical_xml_is_not_duplicated(self, api, world):
        xml = _bpmn().replace("Cấp giấy phép lao động", "Cấp giấy phép lao động (v2)", 1)
        assert xml != _bpmn()
        first = api.post("/models", {"xml": xml, "source_name": "work_permit.bpmn", "comment": "v2"}, user="designer")
        assert first.status_code == 201, first.get_data(as_text=True)
        assert first.get_json()["number"] == 2 and first.get_json()["created"] is True
        again = api.post("/models", {"xml": xml}, user="designer")
        assert again.status_code == 200 and again.get_json()["created"] is False
        versions = api.get("/models/work_permit/versions", user="designer").get_json()["items"]
        assert [v["number"] for v in versions] == [2, 1] and versions[0]["xml"] is None
        assert "<bpmn" in api.get("/models/work_permit/versions?include_xml=true", user="designer"
                                  ).get_json()["items"][0]["xml"]

    def test_deploy_errors(self, api, world):
        assert_problem(api.post("/models", {"xml": "<definitions/>"}, user="designer"), 422)
        assert_problem(api.post("/models", {}, user="designer"), 422)
        assert_problem(api.post("/models", {"xml": _bpmn(), "source_name": "../x.bpmn"}, user="designer"), 422)
        assert_problem(api.post("/models", {"xml": _bpmn()}, user="tiepnhan"), 403)
        assert_problem(api.post("/models", {"xml": _bpmn()}), 401)

    def test_versions_of_an_unknown_model_is_404(self, api, world):
        assert_problem(api.get("/models/nope/versions", user="designer"), 404)
        assert_problem(api.get("/models/work_permit/versions"), 401)
