"""RestrictedPython policy, builtins and guards for model scripts.

Scripts come from process models, which designers edit in a browser. They get plain data,
a few safe builtins, datetime and the injected helpers; no imports, no dunders, no
introspection, no string formatting tricks, and no single operation that can allocate an
unbounded amount of memory in C (where the line budget cannot interrupt it).
"""
from __future__ import annotations

import ast
import math
import operator
import re
import textwrap
import types
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

SCRIPT_FILENAME = "<string>"  # Spiff looks for this name in tracebacks to report line numbers
MAX_SEQUENCE = 1_000_000  # chars or items any single operation may produce
MAX_INT_BITS = 64_000
MAX_FORMAT_WIDTH = 10_000


class ScriptLimitError(BaseException):
    """A budget was exceeded; BaseException so `except Exception:` in a script cannot swallow it."""


def _limit(message: str) -> ScriptLimitError:
    """Build the limit error (a helper keeps the guards one-liners)."""
    return ScriptLimitError(message)


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus size guards on operators and no class statements."""

    _GUARDED_OPS = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """Route operators that can allocate a lot through `_binop_`."""
        node = self.node_contents_visit(node)
        symbol = self._GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        args = [ast.Constant(symbol), node.left, node.right]
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=args, keywords=[])
        copy_locations(call, node)
        return call

    def visit_Import(self, node: ast.Import) -> ast.AST:
        """No imports: everything a script may use is already in its globals."""
        self.error(node, "import statements are not allowed in scripts")
        return node

    visit_ImportFrom = visit_Import

    def visit_Try(self, node: ast.Try) -> ast.AST:
        """No `finally`: code there would run after a budget error, when tracing is already off."""
        if node.finalbody:
            self.error(node, "try/finally is not allowed in scripts")
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        """A bare `except:` would swallow budget errors; scripts must name what they catch."""
        if node.type is None:
            self.error(node, "bare 'except:' is not allowed; catch Exception or a specific error")
        return super().visit_ExceptHandler(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        """Classes are not needed in model scripts and open metaclass tricks."""
        self.error(node, "class definitions are not allowed in scripts")
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """Allow f-strings, but only with literal, modest format specs."""
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(part, ast.Constant) for part in parts):
                self.error(node, "computed format specs in f-strings are not allowed")
            elif _too_wide("".join(str(part.value) for part in parts)):
                self.error(node, f"format width above {MAX_FORMAT_WIDTH} is not allowed")
        return self.node_contents_visit(node)


_WIDTH_RE = re.compile(r"(\d+)")
_PERCENT_RE = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _too_wide(spec: str) -> bool:
    """Tell whether a format spec asks for a huge width or precision."""
    return any(int(number) > MAX_FORMAT_WIDTH for number in _WIDTH_RE.findall(spec))


def _size(value: Any) -> int | None:
    """Length of sequences whose size an operator multiplies, else None."""
    return len(value) if isinstance(value, (str, bytes, bytearray, list, tuple)) else None


def _check_repeat(a: Any, b: Any) -> None:
    """Bound `seq * n` and `int * int`."""
    for seq, count in ((a, b), (b, a)):
        if _size(seq) is not None and isinstance(count, int) and _size(seq) * max(count, 0) > MAX_SEQUENCE:
            raise _limit(f"result of * would exceed {MAX_SEQUENCE} items")
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
        raise _limit("integer result too large")


def _check_pow(a: Any, b: Any) -> None:
    """Bound integer powers by the size of the result."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1 and a.bit_length() * b > MAX_INT_BITS:
        raise _limit("integer power result too large")


def _check_concat(a: Any, b: Any) -> None:
    """Bound sequence concatenation (doubling in a loop grows exponentially)."""
    if _size(a) is not None and _size(b) is not None and _size(a) + _size(b) > MAX_SEQUENCE:
        raise _limit(f"result of + would exceed {MAX_SEQUENCE} items")


def _check_percent(a: Any, b: Any) -> None:
    """Bound printf-style widths, which allocate in C."""
    if isinstance(a, (str, bytes)):
        text = a if isinstance(a, str) else a.decode("latin-1")
        for width, precision in _PERCENT_RE.findall(text):
            if "*" in (width, precision) or _too_wide(f"{width} {precision}"):
                raise _limit("%-format width too large or computed")


def _check_shift(a: Any, b: Any) -> None:
    """Bound left shifts of integers."""
    if isinstance(a, int) and isinstance(b, int) and a and a.bit_length() + b > MAX_INT_BITS:
        raise _limit("integer shift result too large")


_BINOPS: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None]]] = {
    "*": (operator.mul, _check_repeat),
    "**": (operator.pow, _check_pow),
    "<<": (operator.lshift, _check_shift),
    "+": (operator.add, _check_concat),
    "%": (operator.mod, _check_percent),
}
_INPLACE = {
    "+=": "+", "-=": operator.sub, "*=": "*", "/=": operator.truediv, "//=": operator.floordiv,
    "%=": "%", "**=": "**", "<<=": "<<", ">>=": operator.rshift, "&=": operator.and_,
    "|=": operator.or_, "^=": operator.xor, "@=": operator.matmul,
}


def binop(symbol: str, a: Any, b: Any) -> Any:
    """Apply a size-checked binary operator."""
    func, check = _BINOPS[symbol]
    check(a, b)
    return func(a, b)


def inplacevar(op: str, target: Any, value: Any) -> Any:
    """Implement `x op= y` for names with the same checks as the binary operators."""
    impl = _INPLACE.get(op)
    if impl is None:
        raise SyntaxError(f"unsupported augmented assignment {op}")
    return binop(impl, target, value) if isinstance(impl, str) else impl(target, value)


def _wrap_str_method(obj: str | bytes, name: str) -> Callable[..., Any]:
    """Wrap the str/bytes methods whose output size depends on an argument."""
    method = getattr(obj, name)

    def padded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise _limit(f"{name}() width too large")
        return method(width, *args)

    def replace(old: Any, new: Any, count: int = -1) -> Any:
        hits = obj.count(old) if count < 0 else min(count, obj.count(old))
        if len(obj) + hits * max(0, len(new) - len(old)) + (len(new) if not old else 0) * (len(obj) + 1) > MAX_SEQUENCE:
            raise _limit("replace() result too large")
        return method(old, new, count)

    def join(items: Any) -> Any:
        items = list(items)
        if sum(len(item) for item in items if _size(item) is not None) + len(obj) * len(items) > MAX_SEQUENCE:
            raise _limit("join() result too large")
        return method(items)

    def expandtabs(tabsize: int = 8) -> Any:
        if obj.count("\t" if isinstance(obj, str) else b"\t") * max(tabsize, 0) + len(obj) > MAX_SEQUENCE:
            raise _limit("expandtabs() result too large")
        return method(tabsize)

    return {"replace": replace, "join": join, "expandtabs": expandtabs}.get(name, padded)


def _extend_guard(target: list, name: str) -> Callable[..., Any]:
    """Bound list.extend (l.extend(l) in a loop doubles the list)."""
    method = getattr(target, name)

    def extend(items: Any) -> None:
        items = list(items)
        if len(target) + len(items) > MAX_SEQUENCE:
            raise _limit("extend() result too large")
        method(items)

    return extend


_STR_SIZED = frozenset({"ljust", "rjust", "center", "zfill", "replace", "join", "expandtabs"})
_STR_BLOCKED = frozenset({"format", "format_map", "translate", "maketrans"})
_CLOCK_ATTRS = frozenset({"now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp"})
_OPAQUE_TYPES = (
    types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.ModuleType, types.FrameType,
    types.CodeType, types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType, types.TracebackType,
    types.MethodWrapperType, types.WrapperDescriptorType, types.MethodDescriptorType, types.GetSetDescriptorType,
    types.MemberDescriptorType, types.MappingProxyType, types.CellType,
)
_CLASS_ATTRS: dict[type, frozenset[str]] = {
    datetime: frozenset({"fromisoformat", "combine", "strptime", "min", "max"}),
    date: frozenset({"fromisoformat", "min", "max"}),
    timedelta: frozenset({"min", "max", "resolution"}),
    timezone: frozenset({"utc"}),
    dict: frozenset({"fromkeys"}),
}


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """Attribute access for scripts: public data attributes and safe methods only."""
    if type(name) is not str or name.startswith("_") or name in INSPECT_ATTRIBUTES:
        raise AttributeError(f"access to attribute {name!r} is not allowed")
    if isinstance(obj, _OPAQUE_TYPES):
        raise AttributeError(f"attributes of {type(obj).__name__} objects are not accessible in scripts")
    if isinstance(obj, type):
        if name not in _CLASS_ATTRS.get(obj, frozenset()):
            raise AttributeError(f"{obj.__name__}.{name} is not allowed in scripts")
    elif isinstance(obj, (str, bytes)):
        if name in _STR_BLOCKED:
            raise AttributeError(f"str.{name}() is not allowed in scripts (use f-strings)")
        if name in _STR_SIZED:
            return _wrap_str_method(obj, name)
    elif isinstance(obj, list) and name == "extend":
        return _extend_guard(obj, name)
    if isinstance(obj, (date, type)) and name in _CLOCK_ATTRS:
        raise AttributeError(f"{name}() reads the wall clock; use now() in scripts")
    return getattr(obj, name, *default)


def guarded_getitem(obj: Any, key: Any) -> Any:
    """Subscript access; mapping proxies and other internals are never reachable anyway."""
    if isinstance(obj, _OPAQUE_TYPES):
        raise TypeError(f"{type(obj).__name__} objects are not subscriptable in scripts")
    return obj[key]


def safe_range(*args: int) -> range:
    """range() capped at MAX_SEQUENCE items."""
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise _limit(f"range() larger than {MAX_SEQUENCE} items")
    return result


def safe_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    """pow() with the same bound as `**` (modular pow is always small)."""
    if mod is None:
        _check_pow(base, exp)
        return pow(base, exp)
    return pow(base, exp, mod)


def safe_sum(items: Any, start: Any = 0) -> Any:
    """sum() of numbers only (sum of lists would concatenate without bounds)."""
    if not isinstance(start, (int, float)):
        raise TypeError("sum() only adds numbers in scripts")
    total = start
    for item in items:
        total = binop("+", total, item) if not isinstance(item, (int, float)) else total + item
    return total


class _DiscardPrint:
    """print() in scripts goes nowhere: scripts must communicate through task data."""

    def __init__(self, _getattr_: Any = None) -> None:
        self.txt: list[str] = []

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        """Swallow the output."""

    def __call__(self) -> str:
        return ""


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls with *args/**kwargs (RestrictedPython routes them through here)."""
    return func(*args, **kwargs)


_MATH = types.SimpleNamespace(
    **{name: getattr(math, name) for name in (
        "ceil", "floor", "trunc", "sqrt", "fabs", "isclose", "isfinite", "isnan", "log", "log10", "exp",
        "pi", "e", "inf", "fsum", "prod", "gcd",
    )}
)

# BaseException-only classes are removed so no handler can catch a ScriptLimitError.
_REMOVED = {
    "__build_class__", "id", "hash", "setattr", "delattr", "pow", "range",
    "BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit",
}
SAFE_BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _REMOVED}
SAFE_BUILTINS.update(
    range=safe_range, pow=safe_pow, sum=safe_sum, list=list, tuple=tuple, dict=dict, set=set, frozenset=frozenset,
    sorted=sorted, min=min, max=max, enumerate=enumerate, zip=zip, any=any, all=all, reversed=reversed,
    map=map, filter=filter, len=len, isinstance=isinstance,
)


def base_globals() -> dict[str, Any]:
    """Globals every script starts from (helpers and task data are layered on top)."""
    return {
        "__builtins__": SAFE_BUILTINS,
        "__name__": "script",
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": inplacevar,
        "_binop_": binop,
        "_apply_": _apply,
        "_print_": _DiscardPrint,
        "datetime": datetime,
        "date": date,
        "time": time,
        "timedelta": timedelta,
        "timezone": timezone,
        "math": _MATH,
    }


_LINE_RE = re.compile(r"Line (\d+)")


@lru_cache(maxsize=4096)
def compile_script(source: str, mode: str) -> types.CodeType:
    """Compile (and cache by source) a script or expression under the sandbox policy."""
    text = textwrap.dedent(source) if mode == "exec" else source.strip()
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(text, filename=SCRIPT_FILENAME, policy=SandboxPolicy)
    if result.errors:
        error = SyntaxError("; ".join(result.errors))
        match = _LINE_RE.search(result.errors[0])
        error.lineno = int(match.group(1)) if match else None
        raise error
    return result.code


def script_problem(source: str, mode: str) -> str | None:
    """Return why a script would be rejected, or None when it compiles."""
    try:
        compile_script(source, mode)
    except SyntaxError as exc:
        return str(exc.msg if exc.msg else exc)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None
