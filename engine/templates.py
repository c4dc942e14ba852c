"""Task instructions: Jinja templates rendered in a sandbox whose operators cannot allocate without bounds.

Jinja folds constant expressions while it compiles a template, outside any budget: `{{ 7 ** 40353607 }}`
would be computed by `from_string`. Operators that can grow a value are therefore *intercepted* (Jinja then
never folds them) and checked like script operators; the worker's OS limits bound everything else.
No SpiffWorkflow import here: the worker process loads this module.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.budget import TEMPLATE_FILENAME, ScriptLimitExceeded, ScriptLimits, run_budgeted
from engine.sandbox import _STR_SIZED, MAX_SEQUENCE, ScriptLimitError, _check_percent, _wrap_str_method, binop

MAX_INSTRUCTIONS_CHARS = 20_000
MAX_TEMPLATE_CHARS = 20_000
_CHECKED_OPS = frozenset({"*", "**", "+", "%"})


def _bounded(name: str, width: Any) -> None:
    """Refuse filter widths that would build a huge string."""
    if isinstance(width, int) and width > MAX_SEQUENCE:
        raise ScriptLimitError(f"{name} width too large")


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size-checked operators, string methods and padding filters."""

    intercepted_binops = _CHECKED_OPS

    def __init__(self, **options: Any) -> None:
        super().__init__(autoescape=False, **options)
        self.globals.pop("lipsum", None)
        center, indent = self.filters["center"], self.filters["indent"]
        self.filters.update(
            center=lambda value, width=80: _bounded("center", width) or center(value, width),
            indent=lambda s, width=4, *a, **k: _bounded("indent", width) or indent(s, width, *a, **k),
            format=lambda value, *args, **kwargs: _check_percent(value, args) or self._format(value, args, kwargs),
            replace=lambda s, old, new, count=None: _wrap_str_method(str(s), "replace")(
                str(old), str(new), -1 if count is None else count),
        )

    def _format(self, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """printf-style formatting without width tricks (checked by the caller)."""
        if args and kwargs:
            raise TemplateError("can't handle positional and keyword arguments at the same time")
        return str(value) % (kwargs or args)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Apply `*`, `**`, `+` and `%` with the script sandbox's size checks."""
        return binop(operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Attribute lookup; string methods whose output size depends on an argument are bounded."""
        return self._sized(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Subscript lookup (Jinja falls back to attributes here too), with the same bounds."""
        return self._sized(obj, argument, super().getitem(obj, argument))

    @staticmethod
    def _sized(obj: Any, name: Any, value: Any) -> Any:
        if isinstance(obj, str) and isinstance(name, str) and name in _STR_SIZED and callable(value):
            return _wrap_str_method(obj, name)
        return value


_ENV = TemplateEnvironment()
_LENIENT = TemplateEnvironment(undefined=ChainableUndefined)


def is_static(source: str) -> bool:
    """Tell text without any Jinja syntax (it renders to itself, no sandbox needed)."""
    return "{" not in source


# Output of plain variables (`{{ applicant }}`, `{{ fee.total }}`, `{{ rows[0] }}`) and literal text: nothing to
# fold, loop or grow, so such templates render inline (under the instruction budget) without a round trip.
_SIMPLE_TEMPLATE_NODES = (nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Const)


@lru_cache(maxsize=1024)
def is_simple_template(source: str) -> bool:
    """Tell templates that only print variables (parsing does not fold constants; compiling would)."""
    if len(source) > MAX_TEMPLATE_CHARS:
        return False
    try:
        tree = _ENV.parse(source)
    except TemplateError:
        return False
    return all(isinstance(node, _SIMPLE_TEMPLATE_NODES) for node in tree.find_all(nodes.Node))


@lru_cache(maxsize=1024)
def _compiled(source: str, lenient: bool = False) -> Any:
    """Compile a template once per source text (compilation itself folds constants: keep it budgeted)."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"template longer than {MAX_TEMPLATE_CHARS} characters")
    return (_LENIENT if lenient else _ENV).from_string(source)


def render_template(source: str, data: dict[str, Any], limits: ScriptLimits) -> str:
    """Render a template under the budget; errors propagate (TemplateError, ScriptLimitExceeded, ...)."""
    text = run_budgeted(limits, _render, source, data)
    return text[:MAX_INSTRUCTIONS_CHARS]


def _render(source: str, data: dict[str, Any], lenient: bool = False) -> str:
    return _compiled(source, lenient).render(data)


def template_problem(source: str, limits: ScriptLimits) -> str | None:
    """Why a template cannot be published: syntax errors, or a budget blown even without any data."""
    if is_static(source):
        return None
    try:
        _ENV.parse(source)
        run_budgeted(limits, _render, source, {}, True)
    except ScriptLimitExceeded as exc:
        return f"template exceeds the sandbox budget: {exc}"
    except MemoryError:
        return "template exceeds the sandbox memory budget"
    except TemplateError as exc:
        if isinstance(exc, TemplateSyntaxError):
            return f"template syntax error: {exc}"
    except Exception:  # noqa: BLE001, S110 - data-dependent errors (types, undefined) are for run time
        pass
    return None


def template_variables(source: str) -> frozenset[str]:
    """The names a template reads from its data (parsing only: nothing is folded or run); syntax errors raise."""
    if is_static(source):
        return frozenset()
    return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))


__all__ = ["MAX_INSTRUCTIONS_CHARS", "TEMPLATE_FILENAME", "TemplateEnvironment", "is_simple_template", "is_static",
           "render_template", "template_problem", "template_variables"]
