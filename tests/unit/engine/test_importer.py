"""Importing diagrams from other modelers: every corpus file gives a report, never an internal error."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import ModelRegistry, validate_bytes
from engine.__main__ import main
from engine.importer import BLOCKER, CONVERTED, Unconvertible, feel_to_python, import_bytes, juel_to_python
from engine.runtime import Engine

FOREIGN = Path(__file__).resolve().parents[2] / "fixtures" / "foreign"
CORPUS = sorted(FOREIGN.glob("*.bpmn"))
NOW = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
# Files that publish once imported with "mark executable": the rest keep named blockers.
CONVERTIBLE = {
    "adonis_parallel_descriptive.bpmn", "bizagi_relative_namespace.bpmn", "bizagi_windows1252.bpmn",
    "bpmnio_subprocess_inclusive.bpmn", "camunda7_iso8859_1.bpmn", "camunda7_juel_boolean.bpmn",
    "camunda7_juel_empty.bpmn", "camunda7_juel_operators.bpmn", "camunda7_lanes_no_layout.bpmn",
    "camunda7_link_events.bpmn", "camunda7_timer_boundary.bpmn", "camunda7_utf16_bom.bpmn",
    "camunda8_feel_and_or.bpmn", "camunda8_feel_comparison.bpmn", "camunda8_feel_in_list.bpmn",
    "camunda8_message_timer.bpmn", "signavio_collaboration_pools.bpmn", "signavio_descriptive.bpmn",
    "signavio_no_executable_attr.bpmn", "signavio_utf16_declared.bpmn", "trisotech_descriptive_lanes.bpmn",
    "trisotech_feel_language.bpmn", "trisotech_relative_namespace.bpmn", "visio_descriptive_no_layout.bpmn",
}


def test_corpus_has_at_least_thirty_diagrams_from_other_modelers() -> None:
    assert len(CORPUS) >= 30
    assert CONVERTIBLE <= {p.name for p in CORPUS}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_corpus_file_imports_or_explains_itself(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(path), "--executable"])
    out = capsys.readouterr().out
    assert "internal error" not in out and "Traceback" not in out
    result = import_bytes(path.read_bytes(), path.name, make_executable=True)
    assert result.publishable == (path.name in CONVERTIBLE), [str(f) for f in result.blockers]
    assert code == (0 if result.publishable else 2 if result.xml is None else 1)
    for finding in result.blockers:
        assert finding.message and (finding.fix or finding.element_id is None)


@pytest.mark.parametrize("name", sorted(CONVERTIBLE))
def test_convertible_diagrams_load_in_the_engine_after_import(name: str) -> None:
    result = import_bytes((FOREIGN / name).read_bytes(), name, make_executable=True)
    version = ModelRegistry().load(result.xml, name)
    assert version.process_ids


def test_validate_names_the_relative_namespace_instead_of_a_c14n_internal_error(capsys) -> None:
    assert main(["validate", str(FOREIGN / "trisotech_relative_namespace.bpmn")]) == 1
    out = capsys.readouterr().out
    assert "relative URI" in out and "internal error" not in out


def test_descriptive_process_blocks_until_marked_executable() -> None:
    data = (FOREIGN / "signavio_descriptive.bpmn").read_bytes()
    blocked = import_bytes(data, "s.bpmn")
    assert [(f.element_id, f.kind) for f in blocked.blockers][:1] == [("sid-descr", BLOCKER)]
    assert "mark executable" in blocked.blockers[0].fix
    assert import_bytes(data, "s.bpmn", make_executable=True).publishable


def _run(xml: bytes, data: dict) -> set[str]:
    """Run a model completing every user task with `data`; return the ids of the end events reached."""
    registry = ModelRegistry()
    version = registry.load(xml, "m.bpmn")
    engine = Engine(registry)
    result = engine.start(version.hash, None, data, now=NOW)
    for _ in range(20):
        if result.is_completed or not result.ready_tasks:
            break
        result = engine.complete_task(result.state, result.ready_tasks[0].id, data, actor="t", now=NOW)
    assert result.is_completed
    workflow = engine.restore(result.state)
    return {t.task_spec.bpmn_id for t in workflow.get_tasks() if t.task_spec.bpmn_id and "End" in t.task_spec.bpmn_id}


@pytest.mark.parametrize("name, data, end", [
    ("camunda7_juel_operators.bpmn", {"amount": 2000, "region": "north"}, "End_ok"),
    ("camunda7_juel_operators.bpmn", {"amount": 2000, "region": "south"}, "End_no"),
    ("camunda7_juel_boolean.bpmn", {"approved": False}, "End_no"),
    ("camunda8_feel_in_list.bpmn", {"risk": "medium"}, "End_ok"),
    ("camunda8_feel_and_or.bpmn", {"status": "approved", "fee": 10, "exempt": True}, "End_ok"),
    ("camunda8_feel_and_or.bpmn", {"status": "approved", "fee": 10, "exempt": False}, "End_no"),
])
def test_converted_conditions_route_like_the_original(name: str, data: dict, end: str) -> None:
    result = import_bytes((FOREIGN / name).read_bytes(), name)
    assert result.publishable
    assert end in _run(result.xml, data)


def test_link_events_become_a_sequence_flow_and_run() -> None:
    result = import_bytes((FOREIGN / "camunda7_link_events.bpmn").read_bytes(), "l.bpmn")
    link = [f for f in result.findings if f.kind == CONVERTED and f.element_id == "Link_throw"]
    assert link and link[0].converted == "Flow_link_Link_throw_Link_catch"
    registry = ModelRegistry()
    engine = Engine(registry)
    state = engine.start(registry.load(result.xml).hash, None, {}, now=NOW)
    assert [t.bpmn_id for t in state.ready_tasks] == ["Task_receive"]
    state = engine.complete_task(state.state, state.ready_tasks[0].id, {}, actor="t", now=NOW)
    assert [t.bpmn_id for t in state.ready_tasks] == ["Task_appraise"]


def test_compensation_is_reported_per_element() -> None:
    result = import_bytes((FOREIGN / "camunda7_compensation.bpmn").read_bytes(), "c.bpmn")
    assert {f.element_id for f in result.blockers} == {"Comp_boundary", "Comp_throw", "Task_cancel"}


def test_camunda_iso_timer_is_quoted_with_the_original_kept() -> None:
    result = import_bytes((FOREIGN / "camunda7_timer_boundary.bpmn").read_bytes(), "t.bpmn")
    timer = next(f for f in result.findings if "timer" in f.message)
    assert (timer.original, timer.converted) == ("PT48H", "'PT48H'")


@pytest.mark.parametrize("juel, python", [
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${amount > 1000 && region eq 'north'}", "amount > 1000 and region == 'north'"),
    ("${a ne 1 || b le 2.5}", "a != 1 or b <= 2.5"),
    ("#{empty reason}", "not reason"),
    ("${ok == true and x != null}", "ok == True and x != None"),
])
def test_juel_converts(juel: str, python: str) -> None:
    assert juel_to_python(juel) == python


@pytest.mark.parametrize("feel, python", [
    ("= x > 5", "x > 5"),
    ('= status = "approved"', 'status == "approved"'),
    ('= not(rejected) or level in ["a", "b"]', 'not (rejected) or level in ["a", "b"]'),
    ("score >= 1 and score < 10", "score >= 1 and score < 10"),
])
def test_feel_converts(feel: str, python: str) -> None:
    assert feel_to_python(feel) == python


@pytest.mark.parametrize("expr, converter", [
    ("${execution.getVariable('x')}", juel_to_python),
    ("${x = 1}", juel_to_python),
    ("= some r in risks satisfies r > 3", feel_to_python),
    ("= x in [1..5]", feel_to_python),
    ("= count(items) > 2", feel_to_python),
    ("= x > ", feel_to_python),
    ("= a # b", feel_to_python),
])
def test_beyond_simple_conditions_stay_flagged(expr: str, converter) -> None:
    with pytest.raises(Unconvertible):
        converter(expr)


SEEDS = [p.read_bytes() for p in CORPUS if p.stat().st_size < 20_000][:12]


@st.composite
def mutated_bpmn(draw: st.DrawFn) -> bytes:
    """A corpus file with a few byte-level edits: deletions, insertions of XML-ish bits, truncation."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "truncate", "replace"]))
        if action == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif action == "insert":
            data[pos:pos] = draw(st.sampled_from([b"<", b">", b'"', b"&", b"&amp;", b"<bpmn:task id='x'/>", b"\x00",
                                                  b"\xff\xfe", b"xmlns:z='rel'", b"${", b"= some", b"]]>", b"\xc3"]))
        elif action == "truncate":
            del data[pos:]
        else:
            data[pos:pos + 1] = bytes([draw(st.integers(0, 255))])
    return bytes(data)


@settings(max_examples=150)  # deadline and health checks: the profile's (tests/conftest.py)
@given(mutated_bpmn())
def test_fuzz_validate_and_import_never_raise(data: bytes) -> None:
    report = validate_bytes(data, "fuzz.bpmn")
    assert report.ok or report.errors
    result = import_bytes(data, "fuzz.bpmn", make_executable=True)
    assert result.xml is not None or result.blockers
