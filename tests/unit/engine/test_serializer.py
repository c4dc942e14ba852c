"""State serialisation: compact, exact round trips for arbitrary task data."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine, EngineError, serializer

KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzđươ_", min_size=1, max_size=8)
LEAVES = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(max_size=20)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=12)
DATA = st.dictionaries(KEYS, VALUES, max_size=6)


class TestStateRoundTrip:
    @settings(max_examples=40, deadline=None,  # keeps the profile's suppressions (tests/conftest.py)
              suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])
    @given(start_data=DATA, form_data=DATA)
    def test_any_json_data_round_trips_exactly(
        self, engine: Engine, load, flow, assert_roundtrip, start_data, form_data,
    ) -> None:
        result = engine.start(load("parallel.bpmn").hash, "parallel", start_data)
        assert_roundtrip(result.state)
        result = flow.complete(result, "a", form_data)
        assert result.ready_tasks[0].data == start_data  # branch b does not see a's data yet
        assert_roundtrip(result.state)
        result = flow.complete(result, "b", {"b_done": True})
        assert result.ready_tasks[0].data["b_done"] is True
        assert_roundtrip(result.state)

    def test_datetimes_and_timedeltas_survive_as_typed_values(self, engine: Engine, load, assert_roundtrip) -> None:
        when = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
        result = engine.start(load("parallel.bpmn").hash, "parallel", {"received_at": when, "sla": timedelta(days=5)})
        state = json.loads(json.dumps(result.state))
        [view, _] = engine.ready_tasks(state)
        assert view.data == {"received_at": when, "sla": timedelta(days=5)}
        assert_roundtrip(result.state)

    def test_state_has_no_spec_and_short_ids(self, engine: Engine, load, assert_roundtrip) -> None:
        result = engine.start(load("work_permit.bpmn").hash, "work_permit", {})
        text = json.dumps(result.state)
        assert "spec" not in result.state and "subprocess_specs" not in result.state["wf"]
        assert all(len(node[0]) == 22 for node in result.state["wf"]["t"])
        assert len(text) < 1500
        assert_roundtrip(result.state)


class TestSerializerVersion:
    def test_old_state_is_upgraded_through_registered_steps(self, engine: Engine, load, monkeypatch) -> None:
        current = engine.start(load("work_permit.bpmn").hash, "work_permit", {"a": 1}).state
        old = {**current, "serializer_version": 0, "wf": {**current["wf"], "legacy": True}}

        def from_v0(state: dict) -> dict:
            wf = {k: v for k, v in state["wf"].items() if k != "legacy"}
            return {**state, "serializer_version": 1, "wf": wf}

        monkeypatch.setitem(serializer.UPGRADES, 0, from_v0)
        assert [t.bpmn_id for t in engine.ready_tasks(old)] == ["intake"]
        assert old["serializer_version"] == 0

    def test_unknown_serializer_version_is_refused(self, engine: Engine, load) -> None:
        state = engine.start(load("work_permit.bpmn").hash, "work_permit", {}).state
        with pytest.raises(EngineError, match="serializer_version"):
            engine.ready_tasks({**state, "serializer_version": 99})
