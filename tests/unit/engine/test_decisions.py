"""DMN decision tables on their own: identity, checks that name the element, evaluation through the sandbox."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import ModelRegistry, ScriptError, SpecInvalidError
from engine.decisions import check_decisions, evaluate_decision, read_decisions

FEE_FILE = Path(__file__).resolve().parents[3] / "bpmn" / "construction_fee.dmn"


@pytest.fixture(scope="module")
def fee_dmn() -> bytes:
    return FEE_FILE.read_bytes()


@pytest.fixture(scope="module")
def shared_registry() -> ModelRegistry:
    return ModelRegistry()


def fee(dmn: bytes, registry: ModelRegistry, floor_area: float, area_kind: str) -> dict:
    return evaluate_decision(dmn, "construction_fee", {"floor_area": floor_area, "area_kind": area_kind},
                             registry=registry)


class TestIdentity:
    def test_the_shipped_fee_table_describes_its_columns(self, fee_dmn):
        decision = read_decisions(fee_dmn, "construction_fee.dmn").decision("construction_fee")
        assert decision.hit_policy == "FIRST" and decision.rule_count == 6
        assert [column.variable for column in decision.inputs] == ["floor_area", "area_kind"]
        assert [output.name for output in decision.outputs] == ["fee_vnd"]

    def test_whitespace_and_attribute_order_do_not_change_the_hash(self, fee_dmn):
        reformatted = fee_dmn.replace(b"\n      ", b"\n\t\t").replace(
            b'<output id="output_fee_vnd" label="L\xe1\xbb\x87 ph\xc3\xad (\xc4\x91\xe1\xbb\x93ng)" name="fee_vnd"',
            b'<output name="fee_vnd"   id="output_fee_vnd" label="L\xe1\xbb\x87 ph\xc3\xad (\xc4\x91\xe1\xbb\x93ng)"')
        assert reformatted != fee_dmn
        assert read_decisions(reformatted).hash == read_decisions(fee_dmn).hash

    def test_a_changed_cell_changes_the_hash(self, fee_dmn):
        changed = fee_dmn.replace(b"<text>75000</text>", b"<text>80000</text>")
        assert read_decisions(changed).hash != read_decisions(fee_dmn).hash

    def test_a_bpmn_file_is_not_a_decision_file(self):
        with pytest.raises(SpecInvalidError, match="not a DMN document"):
            read_decisions(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')


class TestChecks:
    def test_the_shipped_fee_table_is_valid(self, fee_dmn):
        assert check_decisions(fee_dmn, "construction_fee.dmn") == []

    def test_a_feel_range_the_engine_cannot_run_is_reported_on_its_cell(self, fee_dmn):
        broken = fee_dmn.replace(b'<inputEntry id="rule_urban_medium_area"><text>&lt; 500</text>',
                                 b'<inputEntry id="rule_urban_medium_area"><text>[100..500)</text>')
        issues = check_decisions(broken, "construction_fee.dmn")
        assert [issue.element_id for issue in issues] == ["rule_urban_medium_area"]
        assert "rule_urban_medium" in issues[0].message and "[100..500)" in issues[0].message

    def test_a_feel_list_that_would_never_match_is_reported_on_its_cell(self, fee_dmn):
        broken = fee_dmn.replace(b'<inputEntry id="rule_rural_small_kind"><text>"nong_thon"</text>',
                                 b'<inputEntry id="rule_rural_small_kind"><text>"nong_thon","mien_nui"</text>')
        issues = check_decisions(broken)
        assert [issue.element_id for issue in issues] == ["rule_rural_small_kind"] and "one rule" in issues[0].message

    def test_a_malformed_output_is_reported_on_its_cell(self, fee_dmn):
        issues = check_decisions(fee_dmn.replace(b"<text>150000</text>", b"<text>150 000</text>"))
        assert [issue.element_id for issue in issues] == ["rule_urban_medium_fee"]

    def test_an_output_calling_a_forbidden_name_is_refused_by_the_sandbox(self, fee_dmn):
        issues = check_decisions(fee_dmn.replace(b"<text>150000</text>", b"<text>__import__('os')</text>"))
        assert [issue.element_id for issue in issues] == ["rule_urban_medium_fee"]

    def test_an_unsupported_hit_policy_is_reported_on_the_table(self, fee_dmn):
        issues = check_decisions(fee_dmn.replace(b'hitPolicy="FIRST"', b'hitPolicy="PRIORITY"'))
        assert [issue.element_id for issue in issues] == ["construction_fee_table"]
        assert "PRIORITY" in issues[0].message

    def test_a_doctype_is_refused_before_parsing(self, fee_dmn):
        hostile = fee_dmn.replace(b"<definitions", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                                                   b"<definitions", 1)
        issues = check_decisions(hostile)
        assert len(issues) == 1 and "DOCTYPE" in issues[0].message

    def test_a_schema_error_names_the_file(self, fee_dmn):
        broken = fee_dmn.replace(b'<rule id="rule_urban_small">', b'<rule id="rule_urban_small" x="1">')
        issues = check_decisions(broken, "construction_fee.dmn")
        assert len(issues) == 1 and "construction_fee.dmn" in issues[0].message


class TestEvaluation:
    @pytest.mark.parametrize(("floor_area", "area_kind", "expected"), [
        (60, "do_thi", 75_000),
        (99.9, "do_thi", 75_000),
        (100, "do_thi", 150_000),      # boundary: the first rule stops below 100 m²
        (499, "do_thi", 150_000),
        (500, "do_thi", 300_000),      # boundary between the second and third rule
        (99, "nong_thon", 50_000),
        (100, "nong_thon", 100_000),
        (2000, "nong_thon", 200_000),
    ])
    def test_fee_rows(self, fee_dmn, shared_registry, floor_area, area_kind, expected):
        assert fee(fee_dmn, shared_registry, floor_area, area_kind) == {"fee_vnd": expected}

    def test_no_matching_rule_gives_no_output(self, fee_dmn, shared_registry):
        assert fee(fee_dmn, shared_registry, 80, "hai_dao") == {}

    def test_a_missing_input_fails_with_the_decision_and_the_cause(self, fee_dmn, shared_registry):
        with pytest.raises(ScriptError) as caught:
            evaluate_decision(fee_dmn, "construction_fee", {"area_kind": "do_thi"}, registry=shared_registry)
        assert caught.value.element_id == "construction_fee" and "floor_area" in str(caught.value)

    def test_a_text_where_a_number_is_expected_fails_clearly(self, fee_dmn, shared_registry):
        with pytest.raises(ScriptError, match="TypeError"):
            fee(fee_dmn, shared_registry, "một trăm", "do_thi")

    def test_an_unknown_decision_is_refused(self, fee_dmn, shared_registry):
        with pytest.raises(SpecInvalidError) as caught:
            evaluate_decision(fee_dmn, "routing", {}, registry=shared_registry)
        assert caught.value.element_id == "routing"

    def test_each_content_is_parsed_once_per_registry(self, fee_dmn):
        registry = ModelRegistry()
        fee(fee_dmn, registry, 10, "do_thi")
        fee(fee_dmn, registry, 10, "do_thi")
        assert len(registry._versions) == 1

    def test_the_existing_test_tables_evaluate_too(self, read_bpmn, shared_registry):
        assert evaluate_decision(read_bpmn("fee.dmn"), "fee_decision", {"category": "renewal"},
                                 registry=shared_registry) == {"fee": 450000}
