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


class TestDeployRunsThePublishChecks:
    """POST /models runs the designer's publish checks (issue 13.3): nothing unsafe or broken is published."""

    def _post(self, api, xml: str):
        return api.post("/models", {"xml": xml, "source_name": "work_permit.bpmn", "comment": "api"}, user="designer")

    def _findings(self, response) -> list[dict]:
        body = assert_problem(response, 422, "model_invalid")
        return body["errors"]["findings"]

    def test_script_that_does_not_compile_in_the_sandbox_is_refused(self, api, world):
        xml = _bpmn().replace('tFormalExpression">decision', 'tFormalExpression">().__class__ or decision', 1)
        assert xml != _bpmn()
        findings = self._findings(self._post(api, xml))
        assert any("__class__" in f["message_en"] for f in findings)

    def test_documentation_template_over_budget_is_refused_fast(self, api, world):
        import time

        xml = _bpmn().replace("của {{ applicant_name }}", "của {{ applicant_name }}, phí {{ 7 ** 40353607 }}", 1)
        assert xml != _bpmn()
        started = time.monotonic()
        findings = self._findings(self._post(api, xml))
        assert time.monotonic() - started < 5
        assert [f["element_id"] for f in findings] == ["intake"]
        assert "too large" in findings[0]["message_en"]

    def test_template_that_does_not_parse_is_refused(self, api, world):
        xml = _bpmn().replace("của {{ applicant_name }}", "của {{ applicant_name", 1)
        assert xml != _bpmn()
        assert "syntax" in self._findings(self._post(api, xml))[0]["message_en"]

    def test_lint_errors_block_the_api_deploy_as_they_block_publish(self, api, world):
        xml = _bpmn().replace('<spiffworkflow:property name="role" value="specialist"/>',
                              '<spiffworkflow:property name="role" value="nobody"/>', 1)
        assert xml != _bpmn()
        findings = self._findings(self._post(api, xml))
        assert findings and all(f["rule"] != "engine" for f in findings)
        assert api.get("/models/work_permit/versions", user="designer").get_json()["items"][0]["number"] == 1


FOREIGN = Path(__file__).resolve().parents[2] / "fixtures" / "foreign"


class TestForeignModelsThroughTheApi:
    """The API deploy runs the designer's checks: a foreign file gets the same per-element 422, never a 500."""

    def _deploy(self, api, name: str):
        xml = (FOREIGN / name).read_bytes().decode("utf-8")
        return api.post("/models", {"xml": xml, "source_name": name, "comment": "api"}, user="designer")

    def test_juel_conditions_are_refused_per_element(self, api, world):
        response = self._deploy(api, "camunda7_juel_operators.bpmn")
        assert_problem(response, 422)
        ids = {f["element_id"] for f in response.get_json()["errors"]["findings"]}
        assert {"Flow_yes", "Flow_no"} <= ids

    def test_relative_namespace_is_a_clear_422(self, api, world):
        response = self._deploy(api, "trisotech_relative_namespace.bpmn")
        assert_problem(response, 422)
        assert "relative URI" in response.get_data(as_text=True)
