"""Designer pages over HTTP: access rules, library, save/deploy JSON, import, diff, migration batches, forms."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.workflow.models import ProcessVersion
from tests.integration.designer.variants import with_document_check, work_permit_xml

PAGES = ["/designer/", "/designer/models/work_permit/edit", "/designer/forms", "/designer/migrations",
         "/designer/import", "/designer/forms/work_permit/appraisal/edit"]


def version(number: int) -> ProcessVersion:
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "work_permit",
                                                          ProcessVersion.number == number))


class TestAccess:
    @pytest.mark.parametrize("path", PAGES)
    @pytest.mark.parametrize("username", ["chuyenvien.snv", "admin", "auditor"])
    def test_non_designers_get_403(self, login, username, path):
        assert login(username).get(path).status_code == 403

    def test_non_designer_cannot_save_or_deploy(self, login):
        client = login("lanhdao.snv")
        assert client.post("/designer/models/work_permit/save", json={"xml": "x"}).status_code == 403
        assert client.post(f"/designer/versions/{version(1).id}/deploy", json={"comment": "x"}).status_code == 403

    def test_anonymous_is_sent_to_login(self, client, world):
        assert client.get("/designer/").status_code == 302

    @pytest.mark.parametrize("path", PAGES)
    def test_designer_sees_every_page(self, login, forms_dir, path):
        assert login("designer").get(path).status_code == 200


class TestLibrary:
    def test_library_shows_versions_with_running_dossiers_in_few_queries(self, login, desk, count_queries):
        desk.receive("1.014199")
        client = login("designer")
        count_queries.statements.clear()
        page = client.get("/designer/").get_data(as_text=True)
        assert count_queries.count <= 8
        assert "work_permit" in page and version(1).content_hash[:12] in page


class TestSaveAndDeploy:
    def test_save_returns_the_draft_and_deploy_publishes_it(self, login):
        client = login("designer")
        saved = client.post("/designer/models/work_permit/save", json={"xml": with_document_check().decode()},
                            headers={"Accept": "application/json"}).get_json()
        assert saved["version"]["number"] == 2 and saved["version"]["status"] == "draft" and saved["findings"] == []
        deployed = client.post(f"/designer/versions/{saved['version']['id']}/deploy", json={"comment": "v2"},
                               headers={"Accept": "application/json"})
        assert deployed.status_code == 200 and version(2).status == "published"

    def test_broken_model_is_a_422_problem_with_the_element(self, login):
        xml = work_permit_xml().decode().replace('decision == "refuse"', 'decision == = "refuse"')
        response = login("designer").post("/designer/models/work_permit/save", json={"xml": xml},
                                          headers={"Accept": "application/json"})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert response.get_json()["errors"]["findings"][0]["element_id"] == "Flow_gw_appraisal__return_result"

    def test_version_xml_is_served_for_the_editor(self, login):
        response = login("designer").get(f"/designer/versions/{version(1).id}.bpmn")
        assert response.mimetype == "application/xml" and b'id="work_permit"' in response.data


class TestImportAndDiff:
    def test_import_names_unsupported_elements(self, login):
        xml = work_permit_xml().replace(b'<bpmn:exclusiveGateway id="gw_approval"',
                                        b'<bpmn:complexGateway id="gw_approval"')
        xml = xml.replace(b"</bpmn:exclusiveGateway>\n    <bpmn:userTask id=\"stamping\"",
                          b"</bpmn:complexGateway>\n    <bpmn:userTask id=\"stamping\"")
        page = login("designer").post("/designer/import", data={"file": (io.BytesIO(xml), "signavio.bpmn")},
                                      content_type="multipart/form-data").get_data(as_text=True)
        assert "bpmn:complexGateway" in page

    def test_an_unrunnable_import_opens_in_the_editor_and_cannot_be_published(self, login):
        xml = work_permit_xml().replace(b'<bpmn:exclusiveGateway id="gw_approval"',
                                        b'<bpmn:complexGateway id="gw_approval"')
        xml = xml.replace(b"</bpmn:exclusiveGateway>\n    <bpmn:userTask id=\"stamping\"",
                          b"</bpmn:complexGateway>\n    <bpmn:userTask id=\"stamping\"")
        client = login("designer")
        page = client.post("/designer/import", data={"file": (io.BytesIO(xml), "signavio.bpmn")},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert 'id="import-unrunnable"' in page and "chưa chạy được mô hình này" in page
        draft = version(2)
        assert draft.status == "draft" and f"/designer/models/work_permit/edit?version={draft.id}" in page
        assert client.get(f"/designer/models/work_permit/edit?version={draft.id}").status_code == 200
        assert b"complexGateway" in client.get(f"/designer/versions/{draft.id}.bpmn").data
        refused = client.post(f"/designer/versions/{draft.id}/deploy", json={"comment": "as is"},
                              headers={"Accept": "application/json"})
        assert refused.status_code == 422 and version(2).status == "draft"
        diff = client.get(f"/designer/diff?old={version(1).id}&new={draft.id}")
        assert diff.status_code == 422 and "chưa chạy được" in diff.get_data(as_text=True)
        simulated = client.get(f"/designer/models/work_permit/simulate?version={draft.id}"
                               "&received=12/02/2026 09:00")
        assert simulated.status_code == 200

    def test_diff_page_shows_engine_plan_and_dry_run(self, login, desk):
        desk.receive("1.014199")
        client = login("designer")
        client.post("/designer/models/work_permit/save", json={"xml": with_document_check().decode()})
        page = client.get(f"/designer/diff?old={version(1).id}&new={version(2).id}").get_data(as_text=True)
        assert "check_documents" in page and "1 chuyển được, 0 không chuyển được" in page


    def test_diff_lists_old_and_new_values_of_changed_fields(self, login):
        client = login("designer")
        xml = work_permit_xml().replace('<bpmn:userTask id="appraisal" name="Thẩm định hồ sơ">'.encode(),
                                        '<bpmn:userTask id="appraisal" name="Thẩm định hồ sơ lao động">'.encode())
        assert client.post("/designer/models/work_permit/save", json={"xml": xml.decode()}).status_code == 200
        page = client.get(f"/designer/diff?old={version(1).id}&new={version(2).id}").get_data(as_text=True)
        row = page[page.index('<tr data-element="appraisal">'):]
        row = row[:row.index("</tr>")]
        assert "<td>name</td>" in row and "<del>Thẩm định hồ sơ</del>" in row
        assert "<ins>Thẩm định hồ sơ lao động</ins>" in row


class TestBulkMigration:
    def test_batch_is_processed_by_polling_steps(self, login, desk):
        desk.receive("1.014199")
        client = login("designer")
        saved = client.post("/designer/models/work_permit/save",
                            json={"xml": with_document_check().decode()}).get_json()
        client.post(f"/designer/versions/{saved['version']['id']}/deploy", data={"comment": "v2"})
        query = {"process_key": "work_permit", "to_version": saved["version"]["id"]}
        assert "1 hồ sơ được chọn: 1 chuyển được" in client.get("/designer/migrations", query_string=query).get_data(
            as_text=True)
        created = client.post("/designer/migrations", data=query)
        batch_url = created.headers["Location"]
        step = client.post(f"{batch_url}/step").get_data(as_text=True)
        assert 'data-status="done"' in step and "hx-post" not in step
        assert 'data-status="migrated"' in client.get(batch_url).get_data(as_text=True)


class TestForms:
    def test_saving_a_valid_form_writes_the_file(self, login, forms_dir):
        field = {"type": "textfield", "key": "note", "label": "Ghi chú", "id": "f1"}
        schema = {"type": "default", "components": [field]}
        response = login("designer").post("/designer/forms/work_permit/verify", json={"schema": schema})
        assert response.status_code == 200
        assert json.loads((forms_dir / "work_permit" / "verify.json").read_text()) == schema

    @pytest.mark.parametrize("schema, problem", [
        ({"components": []}, '"type": "default"'),
        ({"type": "default", "components": [{"type": "textfield", "key": "a"}, {"type": "number", "key": "a"}]},
         'duplicate field key "a"'),
        ({"type": "default", "components": [{"type": "textfield", "label": "Tên"}]}, "needs a key"),
    ])
    def test_invalid_forms_are_refused_and_not_written(self, login, forms_dir, schema, problem):
        response = login("designer").post("/designer/forms/work_permit/bad", json={"schema": schema},
                                          headers={"Accept": "application/json"})
        assert response.status_code == 422 and problem in " ".join(response.get_json()["errors"]["schema"])
        assert not (forms_dir / "work_permit" / "bad.json").exists()

    @pytest.mark.parametrize("key", ["../secrets", "work_permit/../../x", "Work/Permit", "a" * 80])
    def test_unsafe_form_keys_are_refused(self, login, forms_dir, key):
        schema = {"type": "default", "components": []}
        response = login("designer").post(f"/designer/forms/{key}", json={"schema": schema},
                                          headers={"Accept": "application/json"})
        assert response.status_code in (404, 422)
        assert not any(p.name.endswith(".json") for p in forms_dir.parent.glob("*.json"))
