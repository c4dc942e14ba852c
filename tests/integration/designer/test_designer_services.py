"""Designer services: version identity, save as draft, deploy with server lint, import, diff, CLI."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.catalog.services import get_procedure
from app.core.timefmt import LOCAL_TZ
from app.designer import services
from app.designer.cli import migrate as migrate_command
from app.designer.services import ModelInvalidError
from app.designer.simulator import simulate
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.cli import sync as sync_command
from app.workflow.models import ProcessVersion
from tests.integration.designer.variants import (
    NS,
    reformatted,
    set_property,
    with_document_check,
    work_permit_xml,
)


def versions(key: str = "work_permit") -> list[ProcessVersion]:
    return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                                   .order_by(ProcessVersion.number)))


class TestVersionIdentity:
    def test_saving_the_deployed_xml_again_returns_the_same_version(self, designer):
        result = services.save_draft(designer, work_permit_xml(), process_key="work_permit")
        assert not result.created and result.version.number == 1 and len(versions()) == 1

    def test_whitespace_only_change_keeps_the_content_hash(self, designer):
        result = services.save_draft(designer, reformatted(work_permit_xml()), process_key="work_permit")
        assert not result.created and result.version.content_hash == versions()[0].content_hash

    def test_a_real_change_creates_a_numbered_draft(self, designer):
        result = services.save_draft(designer, with_document_check(), process_key="work_permit", comment="v2")
        assert result.created and (result.version.number, result.version.status) == (2, "draft")
        assert result.version.author == "designer" and result.findings == []
        assert workflow.latest_version("work_permit").number == 1


class TestSaveAndDeploy:
    def test_engine_errors_reject_the_save_with_element_ids(self, designer):
        xml = work_permit_xml().replace(b'decision == "refuse"', b'decision == = "refuse"')
        with pytest.raises(ModelInvalidError) as caught:
            services.save_draft(designer, xml, process_key="work_permit")
        [finding] = caught.value.details["errors"]["findings"]
        assert finding["element_id"] == "Flow_gw_appraisal__return_result" and len(versions()) == 1

    def test_saving_another_process_id_under_this_model_is_refused(self, designer):
        with pytest.raises(services.ValidationError):
            services.save_draft(designer, work_permit_xml(), process_key="commendation")

    def test_lint_errors_keep_a_draft_but_block_deploy(self, designer):
        from lxml import etree

        root = etree.fromstring(work_permit_xml())
        set_property(root.xpath("//*[@id='appraisal']")[0], "duration_days", "9")
        result = services.save_draft(designer, etree.tostring(root), process_key="work_permit")
        assert [f.rule for f in result.findings] == ["durations"]
        with pytest.raises(ModelInvalidError):
            services.deploy_version(designer, result.version.id, "thử")
        assert result.version.status == "draft"

    def test_deploy_publishes_with_comment_and_new_dossiers_use_it(self, designer):
        draft = services.save_draft(designer, with_document_check(), process_key="work_permit").version
        with pytest.raises(services.ValidationError):
            services.deploy_version(designer, draft.id, "  ")
        services.deploy_version(designer, draft.id, "Thêm bước kiểm tra")
        assert (draft.status, draft.comment) == ("published", "Thêm bước kiểm tra")
        assert workflow.latest_version("work_permit").id == draft.id


class TestLibraryAndDiff:
    def test_library_lists_every_model_with_running_counts(self, desk, designer, count_queries):
        desk.receive("1.014199")
        count_queries.statements.clear()
        entries = {e.process_key: e for e in services.list_library()}
        assert count_queries.count <= 3
        work_permit = entries["work_permit"]
        assert work_permit.procedure.code == "1.014199" and work_permit.running == {versions()[0].id: 1}
        assert len(entries) == 6  # one entry per file in bpmn/

    def test_diff_reports_the_added_task_and_the_dry_run(self, desk, designer):
        desk.receive("1.014199")
        v2 = services.save_draft(designer, with_document_check(), process_key="work_permit").version
        view = services.diff(versions()[0].id, v2.id)
        assert view.plan.added == ["check_documents"] and view.plan.removed == []
        assert (view.dry_run.total, len(view.dry_run.movable)) == (1, 1)


class TestImport:
    def test_unsupported_elements_are_named_and_kept_as_an_unpublishable_draft(self, designer):
        xml = work_permit_xml().replace(b"<bpmn:exclusiveGateway id=\"gw_approval\"",
                                        b"<bpmn:complexGateway id=\"gw_approval\"").replace(
            b"</bpmn:exclusiveGateway>\n    <bpmn:userTask id=\"stamping\"",
            b"</bpmn:complexGateway>\n    <bpmn:userTask id=\"stamping\"")
        report = services.import_model(designer, xml, "signavio.bpmn")
        assert report.unsupported == ["complexGateway"]
        assert any(f.element_id == "gw_approval" for f in report.findings)
        assert not report.runnable and report.version.status == "draft"
        assert report.version.process_key == "work_permit" and "complexGateway" in report.version.xml
        with pytest.raises(ModelInvalidError):
            services.deploy_version(designer, report.version.id, "as imported")
        assert services.import_model(designer, xml, "signavio.bpmn").version.id == report.version.id  # same file

    def test_a_runnable_file_becomes_a_draft(self, designer):
        report = services.import_model(designer, with_document_check(), "camunda.bpmn")
        assert report.unsupported == [] and report.version.status == "draft"


FOREIGN = Path(__file__).resolve().parents[2] / "fixtures" / "foreign"


class TestForeignImport:
    def test_juel_model_is_converted_stored_as_draft_and_publishes(self, designer):
        data = (FOREIGN / "camunda7_juel_operators.bpmn").read_bytes()
        report = services.import_model(designer, data, "camunda7_juel_operators.bpmn")
        converted = [f for f in report.conversion if f.kind == "converted"]
        assert [(f.element_id, f.original) for f in converted] == [
            ("Flow_yes", "${amount > 1000 && region eq 'north'}"),
            ("Flow_no", "${amount le 1000 || region ne 'north'}")]
        assert report.version.status == "draft" and "region == 'north'" in report.version.xml
        assert {(f.rule, f.element_id) for f in report.findings} == {("lane-role", "Task_review")}

    def test_descriptive_lanes_publish_after_the_suggested_fix(self, designer):
        data = (FOREIGN / "trisotech_descriptive_lanes.bpmn").read_bytes()
        report = services.import_model(designer, data, "triso.bpmn", make_executable=True)
        assert {f.element_id for f in report.findings if f.rule == "lane-role"} == {"triso-t1", "triso-t2"}
        with pytest.raises(ModelInvalidError):
            services.deploy_version(designer, report.version.id, "as imported")
        root = etree.fromstring(report.version.xml.encode())
        for lane, role in (("triso-l1", "receiver"), ("triso-l2", "specialist")):  # the fix the report names
            [element] = root.xpath(f"//bpmn:lane[@id='{lane}']", namespaces=NS)
            ext = etree.Element(f"{{{NS['bpmn']}}}extensionElements")
            props = etree.SubElement(ext, f"{{{NS['spiffworkflow']}}}properties")
            etree.SubElement(props, f"{{{NS['spiffworkflow']}}}property", name="role", value=role)
            element.insert(0, ext)
        fixed = services.save_draft(designer, etree.tostring(root), process_key="triso-proc")
        assert fixed.findings == []
        assert services.deploy_version(designer, fixed.version.id, "roles set").status == "published"

    def test_descriptive_model_is_a_draft_that_runs_only_when_marked_executable(self, designer):
        data = (FOREIGN / "signavio_descriptive.bpmn").read_bytes()
        descriptive = services.import_model(designer, data, "signavio.bpmn")
        assert [f.element_id for f in descriptive.blockers] == ["sid-descr"]
        assert not descriptive.runnable and descriptive.version.process_key == "sid-descr"
        with pytest.raises(ModelInvalidError):
            services.deploy_version(designer, descriptive.version.id, "descriptive")
        accepted = services.import_model(designer, data, "signavio.bpmn", make_executable=True)
        assert accepted.runnable and accepted.version.process_key == "sid-descr" and not accepted.blockers
        assert accepted.version.number == descriptive.version.number + 1

    @pytest.mark.parametrize("path", sorted(FOREIGN.glob("*.bpmn")), ids=lambda p: p.name)
    def test_every_well_formed_foreign_file_is_kept_as_a_draft(self, designer, path):
        report = services.import_model(designer, path.read_bytes(), path.name)
        if path.name.startswith("broken_"):
            assert report.version is None and report.conversion
        else:
            assert report.version is not None and report.version.status == "draft", report.conversion

    @pytest.mark.parametrize("name", ["broken_truncated.bpmn", "camunda7_compensation.bpmn",
                                      "trisotech_relative_namespace.bpmn", "signavio_utf16_declared.bpmn"])
    def test_odd_files_give_a_report_not_an_error(self, designer, name):
        report = services.import_model(designer, (FOREIGN / name).read_bytes(), name, make_executable=True)
        assert report.conversion and all(f.message for f in report.conversion)

    def test_api_deploy_refuses_what_the_designer_refuses(self, designer):
        xml = (FOREIGN / "camunda7_juel_operators.bpmn").read_text()
        with pytest.raises(ModelInvalidError) as raised:
            services.publish_model(designer, xml, "api.bpmn")
        ids = {f["element_id"] for f in raised.value.details["errors"]["findings"]}
        assert {"Flow_yes", "Flow_no"} <= ids


class TestDeadlineSimulator:
    RECEIVED = datetime(2026, 2, 12, 9, 0, tzinfo=LOCAL_TZ)

    def test_main_path_ends_at_the_receipt_appointment(self, world):
        sim = simulate(work_permit_xml().decode(), "work_permit", self.RECEIVED, None)
        main = next(p for p in sim.paths if p.steps[-1].element_id == "return_result" and len(p.steps) == 5)
        assert main.due == sim.appointment and not sim.over_limit
        assert [s.element_id for s in main.steps] == ["intake", "appraisal", "approval", "stamping", "return_result"]

    def test_a_path_longer_than_the_legal_limit_is_flagged(self, world):
        root = etree.fromstring(work_permit_xml())
        [appraisal] = root.xpath("//bpmn:userTask[@id='appraisal']", namespaces=NS)
        set_property(appraisal, "duration_days", "9")
        sim = simulate(etree.tostring(root).decode(), "work_permit", self.RECEIVED, None)
        over = sim.over_limit
        assert over and all(p.due > sim.appointment for p in over)
        assert any(p.steps[-1].element_id == "return_result" and len(p.steps) == 5 for p in over)

    def test_a_return_to_appraisal_is_walked_once_and_shown_with_its_cost(self, world):
        sim = simulate(work_permit_xml().decode(), "work_permit", self.RECEIVED, None)
        returned = [p for p in sim.paths if p.repeated == ["Thẩm định hồ sơ", "Phê duyệt kết quả"]]
        assert len(returned) == 1, [(p.repeated, [s.element_id for s in p.steps]) for p in sim.paths]
        ids = [s.element_id for s in returned[0].steps]
        assert ids == ["intake", "appraisal", "approval", "appraisal", "approval", "stamping", "return_result"]
        assert returned[0].late_if_repeated and not returned[0].over_limit  # a warning, not a blocker
        assert all(p.end_id == "end" for p in sim.paths), "every path reaches an end event (none cut at a loop)"
        assert not sim.over_limit

    def test_the_agencies_offered_are_those_that_can_handle_the_procedure(self, world):
        from app.auth.services import get_agency_by_code
        from app.designer.simulator import candidate_agencies
        work_permit = candidate_agencies("work_permit")
        assert [a.id for a in work_permit] == [get_procedure("1.014199").handling_agency_id]
        communes = candidate_agencies("birth_registration")
        assert communes and all(a.level.value == "commune" for a in communes)
        assert get_agency_by_code(communes[0].code) in communes


class TestCommands:
    def test_models_sync_skips_unchanged_files(self, app, world):
        result = app.test_cli_runner().invoke(sync_command)
        assert result.exit_code == 0 and "deployed" not in result.output
        assert "work_permit\tv1\tunchanged" in result.output

    def test_models_migrate_dry_run_then_apply(self, app, desk, designer):
        desk.receive("1.014199")
        draft = services.save_draft(designer, with_document_check(), process_key="work_permit").version
        services.deploy_version(designer, draft.id, "v2")
        db.session.commit()
        runner = app.test_cli_runner()
        dry = runner.invoke(migrate_command, ["work_permit", "--to", "2", "--dry-run"])
        assert dry.exit_code == 0 and "1 dossier(s) selected, 1 can move, 0 cannot" in dry.output
        applied = runner.invoke(migrate_command, ["work_permit", "--to", "2", "--user", "designer"])
        assert applied.exit_code == 0 and "migrated=1" in applied.output
        again = runner.invoke(migrate_command, ["work_permit", "--to", "2"])
        assert "total=0" in again.output

    def test_models_migrate_to_an_unknown_version_fails_cleanly(self, app, world):
        result = app.test_cli_runner().invoke(migrate_command, ["work_permit", "--to", "9"])
        assert result.exit_code != 0 and "No version 9" in result.output
