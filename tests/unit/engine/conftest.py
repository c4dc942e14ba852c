"""Fixtures for engine tests: plain diagrams from tests/bpmn, a controllable clock, no app, no DB."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, ModelRegistry, ModelVersion, StepResult

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand, so timers fire without sleeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.start = now
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def bpmn_bytes(name: str) -> bytes:
    """Read a test diagram."""
    return (BPMN_DIR / name).read_bytes()


@pytest.fixture
def read_bpmn():
    """Read a file from tests/bpmn (test modules do not import conftest)."""
    return bpmn_bytes


@pytest.fixture
def bpmn_dir() -> Path:
    return BPMN_DIR


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registry() -> ModelRegistry:
    return ModelRegistry()


@pytest.fixture
def helpers() -> dict[str, Any]:
    return {"fee_for": lambda amount: amount * 10}


@pytest.fixture
def engine(registry: ModelRegistry, clock: FakeClock, helpers: dict[str, Any]) -> Engine:
    return Engine(registry, helpers=helpers, clock=clock)


@pytest.fixture
def load(registry: ModelRegistry):
    """Load a diagram (plus DMN / included BPMN) into the registry."""

    def _load(name: str, dmn: tuple[str, ...] = (), includes: tuple[str, ...] = ()) -> ModelVersion:
        return registry.load(
            bpmn_bytes(name), name,
            dmn=[bpmn_bytes(d) for d in dmn], includes=[bpmn_bytes(i) for i in includes],
        )

    return _load


@pytest.fixture
def assert_roundtrip(engine: Engine):
    """serialize -> JSON -> deserialize -> serialize must be identical, fingerprint included."""

    def _check(state: dict[str, Any]) -> None:
        text = json.dumps(state, sort_keys=True)
        restored = json.loads(text)
        version = engine.registry.get(restored["model_hash"])
        again = engine.dump(engine.restore(restored), version, restored["process_id"])
        assert json.dumps(again, sort_keys=True) == text
        assert engine.state_fingerprint(again) == engine.state_fingerprint(state)

    return _check


class Flow:
    """Small driver for tests: complete tasks by BPMN id the way the app does (by task id)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def complete(self, result: StepResult, bpmn_id: str, data: dict[str, Any] | None = None) -> StepResult:
        """Complete the ready task of one element."""
        task = next(t for t in result.ready_tasks if t.bpmn_id == bpmn_id)
        return self.engine.complete_task(result.state, task.id, data or {}, actor="tester")

    @staticmethod
    def ready(result: StepResult) -> list[str]:
        """BPMN ids of the ready tasks, in engine order."""
        return [t.bpmn_id for t in result.ready_tasks]

    @staticmethod
    def kinds(result: StepResult) -> list[str]:
        """Event kinds of a step."""
        return [e.kind for e in result.events]


@pytest.fixture
def flow(engine: Engine) -> Flow:
    return Flow(engine)
