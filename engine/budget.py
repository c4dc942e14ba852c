"""Budgets for sandboxed code: an instruction/time budget inside the interpreter and storable task data.

No SpiffWorkflow import here: the worker process (engine/worker.py) loads this module without the engine.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from uuid import UUID

from engine.sandbox import SCRIPT_FILENAME, ScriptLimitError, compile_script

TEMPLATE_FILENAME = "<template>"
_TRACED = frozenset({SCRIPT_FILENAME, TEMPLATE_FILENAME})
_UNSET = object()
_LEAVES = (str, int, float, bool, type(None), datetime, date, timedelta, UUID)


@dataclass(frozen=True)
class ScriptLimits:
    """Budgets for one script or expression run (memory is a worker-process limit, see WorkerSettings)."""

    max_instructions: int = 5_000_000
    max_seconds: float = 2.0
    max_data_bytes: int = 512_000
    max_depth: int = 40


TEMPLATE_LIMITS = ScriptLimits(max_instructions=2_000_000, max_seconds=1.0)


class ScriptLimitExceeded(RuntimeError):
    """Raised outside the script once a budget ran out (so Spiff can attach the task)."""


class _Budget:
    """sys.settrace hook counting bytecode instructions of sandboxed frames; works in any thread.

    Opcode events rather than line events: `while True: pass` never emits a second line event.
    """

    def __init__(self, limits: ScriptLimits) -> None:
        self.count = 0
        self.max_instructions = limits.max_instructions
        self.deadline = time.perf_counter() + limits.max_seconds

    def __call__(self, frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
        if frame.f_code.co_filename not in _TRACED:
            return None
        frame.f_trace_opcodes = True
        return self._step

    def _step(self, frame: Any, event: str, arg: Any) -> Callable[..., Any]:
        if event == "opcode":
            self.count += 1
            if self.count > self.max_instructions:
                raise ScriptLimitError(f"script exceeded {self.max_instructions} instructions")
            if not self.count & 4095 and time.perf_counter() > self.deadline:
                raise ScriptLimitError("script exceeded its time budget")
        return self._step


def run_budgeted(limits: ScriptLimits, func: Callable[..., Any], *args: Any) -> Any:
    """Run sandboxed code under a line/time budget, turning budget errors into normal ones."""
    previous = sys.gettrace()
    sys.settrace(_Budget(limits))
    try:
        return func(*args)
    except ScriptLimitError as exc:
        # Re-raise with the script's traceback so Spiff can still report the line number.
        raise ScriptLimitExceeded(str(exc)).with_traceback(exc.__traceback__) from None
    finally:
        sys.settrace(previous)


def evaluate_in(base: Mapping[str, Any], limits: ScriptLimits, expression: str, context: Mapping[str, Any],
                external: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a sandboxed expression over `base` globals, external context and task data."""
    code = compile_script(expression, "eval")
    return run_budgeted(limits, eval, code, {**base, **(external or {}), **context})


def execute_in(base: Mapping[str, Any], limits: ScriptLimits, script: str, context: Mapping[str, Any],
               external: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run a sandboxed script and return the task data it leaves (checked to be plain and small)."""
    external = external or {}
    code = compile_script(script, "exec")
    scope = {**base, **external, **context}
    run_budgeted(limits, exec, code, scope)
    result = {
        key: value
        for key, value in scope.items()
        if base.get(key, _UNSET) is not value and external.get(key, _UNSET) is not value
        and not key.startswith("_") and not callable(value) and not isinstance(value, ModuleType)
    }
    check_data(result, limits)
    return result


def check_data(data: Mapping[str, Any], limits: ScriptLimits) -> None:
    """Make sure task data is plain, storable and not larger than the budget."""
    size = _measure(data, limits.max_depth, "data")
    if size > limits.max_data_bytes:
        raise ValueError(f"task data too large after script ({size} bytes > {limits.max_data_bytes})")


def _measure(value: Any, depth: int, path: str) -> int:
    """Approximate the JSON size of a value, rejecting types the state cannot hold."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, _LEAVES):
        return 8
    if depth <= 0:
        raise ValueError(f"task data nested too deeply at {path}")
    if isinstance(value, dict):
        total = 2
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"task data key {key!r} at {path} must be a string")
            total += len(key) + 4 + _measure(item, depth - 1, f"{path}.{key}")
        return total
    if isinstance(value, (list, tuple)):
        return 2 + sum(_measure(item, depth - 1, f"{path}[{i}]") + 1 for i, item in enumerate(value))
    raise ValueError(f"task data at {path} holds a {type(value).__name__}, which cannot be stored")
