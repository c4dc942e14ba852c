"""Model loading: safe XML, content identity, caching, properties and lane roles."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import ModelNotFoundError, ModelRegistry, SpecInvalidError
from engine.xmlsafe import parse_xml

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def bpmn_bytes(name: str) -> bytes:
    """Read a test diagram."""
    return (BPMN_DIR / name).read_bytes()

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://evil.example/bpmn.dtd"><definitions/>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]><d/>"""


class TestSafeXml:
    @pytest.mark.parametrize("payload", [XXE, LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY])
    def test_parse_fails_when_document_declares_a_dtd(self, payload: bytes) -> None:
        with pytest.raises(SpecInvalidError, match="DOCTYPE/ENTITY declarations are not allowed"):
            parse_xml(payload, "hostile.bpmn")

    def test_parse_fails_when_dtd_hides_behind_lowercase_or_spaces(self) -> None:
        with pytest.raises(SpecInvalidError, match="not allowed"):
            parse_xml(b"<?xml version='1.0'?><! doctype x [<!entity a 'b'>]><x/>", "sneaky.bpmn")

    def test_parse_fails_when_file_exceeds_size_limit(self) -> None:
        with pytest.raises(SpecInvalidError, match="too large"):
            parse_xml(b"<a>" + b"x" * 2000 + b"</a>", "big.bpmn", max_bytes=1000)

    @pytest.mark.parametrize("payload, reason", [
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b"not xml at all", "not well-formed"),
        (b"<a>\xff\xfe</a>", "not valid utf-8"),
        (b"<?xml version='1.0' encoding='x-no-such'?><a/>", "unknown character encoding"),
        (b"<a><b></a>", "not well-formed"),
    ])
    def test_parse_fails_with_clear_reason_when_input_is_not_xml(self, payload: bytes, reason: str) -> None:
        with pytest.raises(SpecInvalidError, match=reason):
            parse_xml(payload, "bad.bpmn")

    @pytest.mark.parametrize("payload", [
        "<?xml version='1.0' encoding='ISO-8859-1'?><a>Antrag geprüft</a>".encode("iso-8859-1"),
        "<?xml version='1.0' encoding='UTF-16'?><a>Cấp giấy phép</a>".encode("utf-16"),
        "<?xml version='1.0' encoding='windows-1258'?><a>Giấy phép</a>".encode("cp1258", errors="replace"),
    ])
    def test_parse_reads_any_declared_encoding(self, payload: bytes) -> None:
        assert parse_xml(payload, "enc.bpmn").tag == "a"

    def test_registry_load_explains_c14n_failure_on_relative_namespace(self, registry: ModelRegistry) -> None:
        xml = bpmn_bytes("exclusive.bpmn").replace(b"<bpmn:definitions ", b"<bpmn:definitions xmlns:v='rel/ns' ", 1)
        with pytest.raises(SpecInvalidError, match="v='rel/ns' is a relative URI"):
            registry.load(xml, "rel.bpmn")

    def test_registry_load_fails_when_model_is_hostile(self, registry: ModelRegistry) -> None:
        with pytest.raises(SpecInvalidError, match="DOCTYPE"):
            registry.load(XXE, "xxe.bpmn")


class TestContentIdentity:
    def test_hash_is_same_when_only_whitespace_and_attribute_order_differ(self, registry: ModelRegistry) -> None:
        original = bpmn_bytes("exclusive.bpmn").decode()
        reformatted = original.replace("\n    ", "\n\t\t").replace(
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />',
            '<bpmn:sequenceFlow   targetRef="gw"\n sourceRef="start" id="f1"/>',
        )
        assert reformatted != original
        assert registry.load(original).hash == ModelRegistry().load(reformatted).hash

    def test_normalized_xml_reloads_to_the_same_hash(self, registry: ModelRegistry) -> None:
        version = registry.load(bpmn_bytes("work_permit.bpmn"))
        assert ModelRegistry().load(version.xml).hash == version.hash

    def test_hash_changes_when_content_changes(self, registry: ModelRegistry) -> None:
        original = bpmn_bytes("exclusive.bpmn").decode()
        changed = original.replace("amount &gt; 100", "amount &gt; 200")
        assert registry.load(original).hash != registry.load(changed).hash

    def test_hash_covers_dmn_files_in_any_order(self, registry: ModelRegistry) -> None:
        bpmn = bpmn_bytes("business_rules.bpmn")
        fee, routing = bpmn_bytes("fee.dmn"), bpmn_bytes("routing.dmn")
        one = registry.load(bpmn, dmn=[fee, routing])
        assert ModelRegistry().load(bpmn, dmn=[routing, fee]).hash == one.hash
        assert len(one.dmn) == 2


class TestModelRegistry:
    def test_load_returns_cached_version_when_same_xml_is_loaded_again(self, registry: ModelRegistry) -> None:
        first = registry.load(bpmn_bytes("work_permit.bpmn"), "work_permit.bpmn")
        assert registry.load(bpmn_bytes("work_permit.bpmn")) is first
        assert registry.get(first.hash) is first

    def test_get_fails_when_hash_is_unknown(self, registry: ModelRegistry) -> None:
        with pytest.raises(ModelNotFoundError):
            registry.get("0" * 64)

    def test_register_makes_a_foreign_version_available(self, registry: ModelRegistry) -> None:
        version = ModelRegistry().load(bpmn_bytes("parallel.bpmn"))
        assert registry.register(version) is version
        assert registry.get(version.hash) is version

    def test_version_exposes_process_properties_and_normalized_xml(self, load) -> None:
        version = load("work_permit.bpmn")
        assert version.process_ids == ("work_permit",)
        assert version.main_process_id == "work_permit"
        assert version.properties("work_permit") == {"procedure_code": "1.000105", "legal_days": 5}
        assert version.xml.startswith("<bpmn:definitions")

    def test_user_tasks_carry_lane_roles_and_step_properties(self, load) -> None:
        infos = load("work_permit.bpmn").user_tasks("work_permit")
        assert [(i.bpmn_id, i.role, i.step_kind) for i in infos] == [
            ("intake", "receiver", "intake"),
            ("appraisal", "specialist", "appraisal"),
            ("approval", "leader", "approval"),
            ("stamping", "clerk", "stamping"),
            ("return_result", "receiver", "return"),
        ]
        intake = infos[0]
        assert intake.lane == "Cán bộ tiếp nhận"
        assert intake.duration_days == 0.5
        assert intake.form_key == "work_permit/intake"
        assert intake.agency is None

    def test_user_tasks_include_called_processes_with_agency(self, load) -> None:
        version = load("call_parent.bpmn", includes=("call_child.bpmn",))
        infos = {i.bpmn_id: i for i in version.user_tasks("call_parent")}
        assert set(infos) == {"child_task", "other_task"}
        assert infos["other_task"].agency == "dept_labour"
        assert infos["other_task"].process_id == "child_other"

    def test_properties_fail_when_process_is_unknown(self, load) -> None:
        with pytest.raises(ModelNotFoundError):
            load("work_permit.bpmn").properties("nope")

    def test_load_fails_when_called_process_is_missing(self, registry: ModelRegistry) -> None:
        with pytest.raises(SpecInvalidError, match="child_other"):
            registry.load(bpmn_bytes("call_parent.bpmn"), "call_parent.bpmn")

    def test_load_fails_when_duration_days_is_not_a_number(self, registry: ModelRegistry) -> None:
        broken = bpmn_bytes("work_permit.bpmn").replace(
            b'name="duration_days" value="3"', b'name="duration_days" value="three"')
        with pytest.raises(SpecInvalidError) as info:
            registry.load(broken)
        assert info.value.element_id == "appraisal"

    def test_load_fails_when_no_process_is_executable(self, registry: ModelRegistry) -> None:
        with pytest.raises(SpecInvalidError, match="no executable process"):
            registry.load(bpmn_bytes("foreign/signavio.bpmn"))
