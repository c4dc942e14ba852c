"""Decision table pages over HTTP: designer-only access, library, save/deploy JSON with element errors, try-it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.workflow.models import DecisionVersion
from tests.integration.designer.test_decision_tables import FEE_FILE, fee_xml

JSON = {"Accept": "application/json"}


def version(number: int) -> DecisionVersion:
    return db.session.scalar(select(DecisionVersion).where(DecisionVersion.decision_key == "construction_fee",
                                                           DecisionVersion.number == number))


def pages() -> list[str]:
    v1 = version(1).id
    return ["/designer/decisions", "/designer/decisions/construction_fee/edit", f"/designer/decision-versions/{v1}.dmn",
            f"/designer/decision-versions/{v1}/try?decision=construction_fee&floor_area=1&area_kind=do_thi"]


class TestAccess:
    @pytest.mark.parametrize("username", ["chuyenvien.snv", "admin", "auditor", "tiepnhan"])
    def test_non_designers_get_403_on_every_page_and_action(self, login, username):
        client = login(username)
        assert [client.get(path).status_code for path in pages()] == [403] * 4
        assert client.post("/designer/decisions/construction_fee/save", json={"xml": "x"}).status_code == 403
        assert client.post(f"/designer/decision-versions/{version(1).id}/deploy",
                           json={"comment": "x"}).status_code == 403
        assert version(1).status == "published" and version(2) is None

    def test_anonymous_is_sent_to_login(self, client, world):
        assert client.get("/designer/decisions").status_code == 302

    def test_designer_sees_every_page(self, login):
        client = login("designer")
        assert [client.get(path).status_code for path in pages()] == [200] * 4


class TestPages:
    def test_library_lists_the_file_and_its_versions(self, login):
        page = login("designer").get("/designer/decisions").get_data(as_text=True)
        assert "construction_fee.dmn" in page and version(1).content_hash[:12] in page
        assert 'data-version="1" data-status="published"' in page

    def test_editor_offers_one_input_per_variable_and_the_bundle(self, login):
        page = login("designer").get("/designer/decisions/construction_fee/edit").get_data(as_text=True)
        assert 'name="floor_area"' in page and 'name="area_kind"' in page
        assert "vendor/designer/decisions.js" in page and "vendor/designer/decisions.css" in page

    def test_the_subnav_links_the_decision_library(self, login):
        assert "/designer/decisions" in login("designer").get("/designer/").get_data(as_text=True)


class TestSaveAndDeploy:
    def test_save_returns_a_draft_and_deploy_publishes_it(self, login):
        client = login("designer")
        saved = client.post("/designer/decisions/construction_fee/save", headers=JSON,
                            json={"xml": fee_xml(rule_urban_small_fee="80000").decode()}).get_json()
        assert saved["created"] and saved["version"]["number"] == 2 and saved["version"]["status"] == "draft"
        deployed = client.post(f"/designer/decision-versions/{saved['version']['id']}/deploy", headers=JSON,
                               json={"comment": "Tăng lệ phí"})
        assert deployed.status_code == 200 and version(2).status == "published"

    def test_saving_unchanged_xml_answers_the_existing_version(self, login):
        saved = login("designer").post("/designer/decisions/construction_fee/save", headers=JSON,
                                       json={"xml": FEE_FILE.read_text()}).get_json()
        assert not saved["created"] and saved["version"]["number"] == 1

    def test_an_invalid_table_is_a_422_naming_the_element(self, login):
        response = login("designer").post("/designer/decisions/construction_fee/save", headers=JSON,
                                          json={"xml": fee_xml(rule_urban_small_fee="75 000").decode()})
        body = response.get_json()
        assert response.status_code == 422 and "rule_urban_small_fee" in body["detail"]
        assert [f["element_id"] for f in body["errors"]["findings"]] == ["rule_urban_small_fee"]
        assert version(2) is None

    def test_deploy_without_comment_is_refused(self, login):
        client = login("designer")
        saved = client.post("/designer/decisions/construction_fee/save", headers=JSON,
                            json={"xml": fee_xml(rule_urban_small_fee="80000").decode()}).get_json()
        response = client.post(f"/designer/decision-versions/{saved['version']['id']}/deploy", headers=JSON,
                               json={"comment": ""})
        assert response.status_code == 422 and version(2).status == "draft"


class TestTryIt:
    def test_the_server_evaluates_the_boundary_row(self, login):
        page = login("designer").get(f"/designer/decision-versions/{version(1).id}/try",
                                     query_string={"decision": "construction_fee", "floor_area": "500",
                                                   "area_kind": "do_thi"}).get_data(as_text=True)
        assert 'data-output="fee_vnd">300000<' in page

    def test_bad_input_is_shown_in_the_result(self, login):
        page = login("designer").get(f"/designer/decision-versions/{version(1).id}/try",
                                     query_string={"decision": "construction_fee", "floor_area": "abc",
                                                   "area_kind": "do_thi"}).get_data(as_text=True)
        assert "alert-danger" in page and "abc" in page

    def test_unknown_decision_is_404(self, login):
        response = login("designer").get(f"/designer/decision-versions/{version(1).id}/try?decision=nope")
        assert response.status_code == 404
