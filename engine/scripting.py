"""Spiff script environment: model code runs in a sandbox worker process (or inline, for trusted models).

Every script, pre/post script, condition, timer and DMN expression goes through SandboxEnvironment.
In `process` mode (the default) it runs in a pooled worker under OS limits (engine/pool.py), except
expressions that cannot loop or allocate (see `is_simple_expression`) and templates that only print
variables (`templates.is_simple_template`), which run inline under the instruction budget because a round
trip would cost more than they do.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine import codec
from engine.budget import (
    TEMPLATE_LIMITS,
    ScriptLimitExceeded,
    ScriptLimits,
    check_data,
    evaluate_in,
    execute_in,
    run_budgeted,
)
from engine.pool import SandboxSettings, WorkerLost, pool_for
from engine.sandbox import base_globals, script_problem
from engine.templates import is_simple_template, is_static, render_template, template_problem, template_variables
from engine.timers import engine_now

__all__ = [
    "SandboxEnvironment", "SandboxSettings", "ScriptLimitExceeded", "ScriptLimits", "WorkerLost", "check_data",
    "TextTemplates", "check_template", "is_simple_expression", "make_script_engine", "run_budgeted", "script_problem",
]

MAX_SIMPLE_CHARS = 500
# Nodes that neither loop, call, nor build anything larger than the source: names, literals, comparisons,
# and/or/not, unary minus, subscripts by a name or literal (no slices: they copy), if-else, displays.
_SIMPLE_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp,
    ast.Subscript, ast.Tuple, ast.List, ast.Set, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)


@lru_cache(maxsize=4096)
def is_simple_expression(expression: str) -> bool:
    """Tell expressions whose cost is bounded by their length and their inputs (safe to run inline)."""
    if len(expression) > MAX_SIMPLE_CHARS:
        return False
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    return all(isinstance(node, _SIMPLE_NODES) and not _private_name(node) for node in ast.walk(tree))


def _private_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id.startswith("_")


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate/execute model code with RestrictedPython, in a worker process unless `mode` is inline."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None, limits: ScriptLimits | None = None,
                 sandbox: SandboxSettings | None = None) -> None:
        self.limits = limits or ScriptLimits()
        self.sandbox = sandbox or SandboxSettings()
        self.helpers = {"now": engine_now, **(helpers or {})}
        self._base = {**base_globals(), **self.helpers}
        self._remote_helpers = sorted(set(self.helpers) - {"now"})
        super().__init__(self._base)

    @property
    def inline(self) -> bool:
        return self.sandbox.mode == "inline"

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression (gateway condition, timer, cardinality...) against task data."""
        if self.inline or is_simple_expression(expression):
            return evaluate_in(self._base, self.limits, expression, context, external_context)
        return self._remote("eval", expression, context, external_context, self.limits)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; new and changed variables go back into task data, which must stay storable."""
        self._check_shadowing(context)
        if self.inline:
            result = execute_in(self._base, self.limits, script, context, external_context)
        else:
            result = self._remote("exec", script, context, external_context, self.limits)
            if not isinstance(result, dict):
                raise TypeError("the sandbox worker returned no task data")
            check_data(result, self.limits)  # again here: the worker runs untrusted code, trust nothing it sends
        context.clear()
        context.update(result)
        return True

    def render(self, template: str, data: Mapping[str, Any]) -> str:
        """Render task instructions (Jinja) under the template budget; errors propagate."""
        if is_static(template):
            return template
        if self.inline or is_simple_template(template):
            return render_template(template, dict(data), TEMPLATE_LIMITS)
        return self._remote("render", template, data, None, TEMPLATE_LIMITS)

    def template_problem(self, template: str) -> str | None:
        """Why a template cannot be published (syntax, or a budget blown without data), else None."""
        if is_static(template) or self.inline:
            return template_problem(template, TEMPLATE_LIMITS)
        try:
            return self._remote("check_template", template, {}, None, TEMPLATE_LIMITS)
        except ScriptLimitExceeded as exc:
            return f"template exceeds the sandbox budget: {exc}"

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not part of our dialect: model them as script tasks calling helpers."""
        raise NotImplementedError("service tasks are not supported; call an injected helper from a script task")

    def _remote(self, op: str, source: str, context: Mapping[str, Any], external: Mapping[str, Any] | None,
                limits: ScriptLimits) -> Any:
        """Run one operation in a pooled worker; only plain data crosses, helpers run back here."""
        request = {"op": op, "src": source, "ctx": context, "ext": external, "now": engine_now(),
                   "helpers": self._remote_helpers, "limits": list(_limit_fields(limits))}
        try:
            return pool_for(self.sandbox).call(request, self.helpers, limits.max_seconds)
        except codec.CodecError as exc:
            raise TypeError(f"task data cannot be passed to the sandbox: {exc}") from None

    def _check_shadowing(self, context: Mapping[str, Any]) -> None:
        """Refuse task data that hides a helper, like Spiff does, with a clear message."""
        clash = sorted(set(self.helpers).intersection(context))
        if clash:
            raise ValueError(f"task data overwrites helper function(s) {clash}; rename these fields")


def _limit_fields(limits: ScriptLimits) -> tuple[Any, ...]:
    return limits.max_instructions, limits.max_seconds, limits.max_data_bytes, limits.max_depth


class SandboxScriptEngine(PythonScriptEngine):
    """Spiff's engine, reporting the script line of errors raised in a worker (no local traceback there)."""

    def get_error_line_number_and_content(self, script: str, err: BaseException) -> tuple[int, str]:
        line = getattr(err, "script_line", None)
        if not line:
            return super().get_error_line_number_and_content(script, err)
        lines = script.splitlines()
        return line, lines[line - 1] if 0 < line <= len(lines) else ""


def make_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None, limits: ScriptLimits | None = None,
                       sandbox: SandboxSettings | None = None) -> PythonScriptEngine:
    """Build the Spiff script engine all workflows of one Engine share."""
    return SandboxScriptEngine(environment=SandboxEnvironment(helpers, limits, sandbox))


def check_template(template: str, sandbox: SandboxSettings | None = None) -> str | None:
    """Publish-time check of an instructions template, under the same limits as at run time."""
    return SandboxEnvironment(sandbox=sandbox).template_problem(template)


class TextTemplates:
    """Texts the app lets administrators write (message templates): rendered and checked in the same sandbox as
    model instructions (a worker process unless the template only prints variables)."""

    def __init__(self, sandbox: SandboxSettings | None = None) -> None:
        self.environment = SandboxEnvironment(sandbox=sandbox)

    def render(self, template: str, data: Mapping[str, Any]) -> str:
        """Render with plain data; template errors and blown budgets propagate."""
        return self.environment.render(template, data)

    def problem(self, template: str) -> str | None:
        """Why the template cannot be saved (syntax, a budget blown without data), else None."""
        return self.environment.template_problem(template)

    @staticmethod
    def variables(template: str) -> frozenset[str]:
        """The data names a template reads; raises on a syntax error."""
        return template_variables(template)
