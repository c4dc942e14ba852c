"""Spiff script environment running model code in the sandbox, within time and size budgets."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.sandbox import SCRIPT_FILENAME, ScriptLimitError, base_globals, compile_script, script_problem
from engine.timers import engine_now

__all__ = ["ScriptLimits", "SandboxEnvironment", "make_script_engine", "run_budgeted", "script_problem"]

TEMPLATE_FILENAME = "<template>"
_TRACED = frozenset({SCRIPT_FILENAME, TEMPLATE_FILENAME})
_UNSET = object()
_LEAVES = (str, int, float, bool, type(None), datetime, date, timedelta, UUID)


@dataclass(frozen=True)
class ScriptLimits:
    """Budgets for one script or expression run."""

    max_instructions: int = 5_000_000
    max_seconds: float = 2.0
    max_data_bytes: int = 512_000
    max_depth: int = 40


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


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate/execute model code with RestrictedPython; helpers are injected as globals."""

    def __init__(
        self, helpers: Mapping[str, Callable[..., Any]] | None = None, limits: ScriptLimits | None = None,
    ) -> None:
        self.limits = limits or ScriptLimits()
        self.helpers = {"now": engine_now, **(helpers or {})}
        self._base = {**base_globals(), **self.helpers}
        super().__init__(self._base)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression (gateway condition, timer, cardinality...) against task data."""
        code = compile_script(expression, "eval")
        scope = {**self._base, **(external_context or {}), **context}
        return run_budgeted(self.limits, eval, code, scope)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; new and changed variables go back into task data, which must stay storable."""
        external = external_context or {}
        self._check_shadowing(context)
        code = compile_script(script, "exec")
        scope = {**self._base, **external, **context}
        run_budgeted(self.limits, exec, code, scope)
        result = self._script_variables(scope, external)
        check_data(result, self.limits)
        context.clear()
        context.update(result)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not part of our dialect: model them as script tasks calling helpers."""
        raise NotImplementedError("service tasks are not supported; call an injected helper from a script task")

    def _check_shadowing(self, context: Mapping[str, Any]) -> None:
        """Refuse task data that hides a helper, like Spiff does, with a clear message."""
        clash = sorted(set(self.helpers).intersection(context))
        if clash:
            raise ValueError(f"task data overwrites helper function(s) {clash}; rename these fields")

    def _script_variables(self, scope: dict[str, Any], external: Mapping[str, Any]) -> dict[str, Any]:
        """The task data after a script: its variables minus functions, modules and internals."""
        return {
            key: value
            for key, value in scope.items()
            if self._base.get(key, _UNSET) is not value and external.get(key, _UNSET) is not value
            and not key.startswith("_") and not callable(value) and not isinstance(value, ModuleType)
        }


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


def make_script_engine(
    helpers: Mapping[str, Callable[..., Any]] | None = None, limits: ScriptLimits | None = None,
) -> PythonScriptEngine:
    """Build the Spiff script engine all workflows of one Engine share."""
    return PythonScriptEngine(environment=SandboxEnvironment(helpers, limits))
