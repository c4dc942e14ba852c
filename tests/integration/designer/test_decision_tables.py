"""DMN decision tables stored like process models: identity, draft/deploy, evaluation, sync from bpmn/."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from app.core.errors import ConflictError, ValidationError
from app.designer import decision_tables as services
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.cli import sync as sync_command
from app.workflow.decisions import DecisionInvalidError
from app.workflow.models import DecisionVersion
from tests.integration.designer.variants import ROOT

FEE_FILE = ROOT / "bpmn" / "construction_fee.dmn"


def fee_xml(**cells: str) -> bytes:
    """The shipped fee table with some output cells replaced: fee_xml(rule_urban_small_fee="80000")."""
    data = FEE_FILE.read_bytes()
    for entry_id, text in cells.items():
        start = data.index(f'<outputEntry id="{entry_id}"><text>'.encode())
        head, tail = data[:start], data[start:]
        end = tail.index(b"</text>")
        data = head + tail[:tail.index(b"<text>") + 6] + text.encode() + tail[end:]
    return data


def versions() -> list[DecisionVersion]:
    return list(db.session.scalars(select(DecisionVersion).where(DecisionVersion.decision_key == "construction_fee")
                                   .order_by(DecisionVersion.number)))


class TestVersionIdentity:
    def test_the_world_has_the_shipped_table_published_as_v1(self, designer):
        (v1,) = versions()
        assert v1.status == "published" and v1.author == "models-sync" and len(v1.content_hash) == 64

    def test_saving_the_same_xml_returns_the_same_version(self, designer):
        version, created = services.save_decision_draft(designer, FEE_FILE.read_bytes(), "construction_fee")
        assert not created and version.number == 1 and len(versions()) == 1

    def test_a_whitespace_only_change_is_the_same_version(self, designer):
        spaced = FEE_FILE.read_bytes().replace(b"\n      <rule", b"\n\n          <rule")
        version, created = services.save_decision_draft(designer, spaced, "construction_fee")
        assert not created and version.number == 1

    def test_a_changed_cell_becomes_draft_v2(self, designer):
        version, created = services.save_decision_draft(designer, fee_xml(rule_urban_small_fee="80000"),
                                                        "construction_fee", comment="thử")
        assert created and (version.number, version.status, version.author) == (2, "draft", "designer")


class TestValidation:
    def test_an_invalid_cell_is_rejected_with_a_message_naming_the_element(self, designer):
        with pytest.raises(DecisionInvalidError) as caught:
            services.save_decision_draft(designer, fee_xml(rule_rural_large_fee="200 000"), "construction_fee")
        findings = caught.value.details["errors"]["findings"]
        assert [f["element_id"] for f in findings] == ["rule_rural_large_fee"]
        assert "rule_rural_large_fee" in caught.value.message_vi and "rule_rural_large_fee" in caught.value.message_en
        assert len(versions()) == 1

    def test_unsafe_xml_is_rejected(self, designer):
        hostile = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions/>'
        with pytest.raises(DecisionInvalidError, match="DOCTYPE"):
            workflow.store_decision("designer", hostile, "construction_fee")

    def test_a_bad_key_is_refused(self, designer):
        with pytest.raises(ValidationError):
            services.save_decision_draft(designer, FEE_FILE.read_bytes(), "../etc")


class TestDeploy:
    def test_deploy_requires_a_comment_then_publishes(self, designer):
        draft, _ = services.save_decision_draft(designer, fee_xml(rule_urban_small_fee="80000"), "construction_fee")
        with pytest.raises(ValidationError):
            services.deploy_decision(designer, draft.id, "  ")
        published = services.deploy_decision(designer, draft.id, "Tăng lệ phí đô thị")
        assert (published.status, published.comment) == ("published", "Tăng lệ phí đô thị")
        with pytest.raises(ConflictError):
            services.deploy_decision(designer, draft.id, "lần nữa")

    def test_decide_uses_the_latest_published_version_not_a_draft(self, designer):
        inputs = {"floor_area": 50, "area_kind": "do_thi"}
        draft, _ = services.save_decision_draft(designer, fee_xml(rule_urban_small_fee="80000"), "construction_fee")
        assert workflow.decide("construction_fee", "construction_fee", inputs) == {"fee_vnd": 75000}
        services.deploy_decision(designer, draft.id, "v2")
        assert workflow.decide("construction_fee", "construction_fee", inputs) == {"fee_vnd": 80000}


class TestTryIt:
    @pytest.mark.parametrize(("area", "kind", "fee"), [("99,5", "do_thi", 75000), ("100", "do_thi", 150000),
                                                       ("500", "nong_thon", 200000)])
    def test_typed_values_are_converted_and_evaluated(self, designer, area, kind, fee):
        result = services.try_decision(versions()[0], "construction_fee", {"floor_area": area, "area_kind": kind})
        assert result.outputs == {"fee_vnd": fee} and result.error_vi is None

    def test_a_non_number_is_explained_not_raised(self, designer):
        result = services.try_decision(versions()[0], "construction_fee", {"floor_area": "abc", "area_kind": "do_thi"})
        assert result.outputs is None and "abc" in result.error_vi

    def test_a_missing_value_is_explained(self, designer):
        result = services.try_decision(versions()[0], "construction_fee", {"area_kind": "do_thi"})
        assert not result.matched and "floor_area" in result.error_en

    def test_no_matching_rule_is_not_an_error(self, designer):
        result = services.try_decision(versions()[0], "construction_fee", {"floor_area": "10", "area_kind": "khac"})
        assert result.outputs == {} and not result.matched and result.error_vi is None


class TestSync:
    def test_models_sync_reports_the_decision_unchanged(self, app, designer):
        result = app.test_cli_runner().invoke(sync_command)
        assert result.exit_code == 0 and "construction_fee.dmn\tv1\tunchanged" in result.output
        assert "work_permit\tv1\tunchanged" in result.output

    def test_models_sync_imports_a_changed_dmn_file_as_a_new_published_version(self, app, designer, tmp_path):
        shutil.copy(ROOT / "bpmn" / "work_permit.bpmn", tmp_path)
        (tmp_path / "construction_fee.dmn").write_bytes(fee_xml(rule_rural_small_fee="55000"))
        result = app.test_cli_runner().invoke(sync_command, ["--dir", str(tmp_path)])
        assert result.exit_code == 0 and "construction_fee.dmn\tv2\tdeployed" in result.output
        db.session.expire_all()
        assert [(v.number, v.status) for v in versions()] == [(1, "published"), (2, "published")]
        assert workflow.decide("construction_fee", "construction_fee",
                               {"floor_area": 10, "area_kind": "nong_thon"}) == {"fee_vnd": 55000}

    def test_models_sync_refuses_an_invalid_dmn_file(self, app, designer, tmp_path):
        (tmp_path / "construction_fee.dmn").write_bytes(fee_xml(rule_rural_small_fee="55 000"))
        result = app.test_cli_runner().invoke(sync_command, ["--dir", str(tmp_path)])
        assert result.exit_code != 0 and "rule_rural_small_fee" in result.output
