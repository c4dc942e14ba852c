"""Sandbox for model scripts: known escapes are blocked, ordinary data work is allowed."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from engine.scripting import SandboxEnvironment, ScriptLimits
from engine.timers import clock_at
from engine.validation import validate_bytes

ESCAPES = {
    "subclasses walk": "().__class__.__bases__[0].__subclasses__()",
    "dunder import": "__import__('os')",
    "import statement": "import os",
    "from import": "from os import system",
    "open file": "open('/etc/passwd')",
    "eval": "eval('1')",
    "exec": "exec('x = 1')",
    "compile": "compile('1', 'x', 'eval')",
    "getattr dunder": "getattr(x, '__class__')",
    "format attribute": "'{0.__class__}'.format(1)",
    "format_map": "'{a.__class__}'.format_map({'a': 1})",
    "type builtin": "type(1)",
    "globals": "globals()",
    "locals": "locals()",
    "vars": "vars()",
    "dir": "dir()",
    "generator frame": "g = (i for i in []); f = g.gi_frame",
    "generator code": "g = (i for i in []); c = g.gi_code",
    "lambda code": "f = lambda: 1; c = f.__code__",
    "helper globals": "g = fee.__globals__",
    "helper attribute": "g = fee.func_globals",
    "bound method self": "s = [].append.__self__",
    "exit": "exit()",
    "quit": "quit()",
    "breakpoint": "breakpoint()",
    "class statement": "class A: pass",
    "huge string": "s = 'a' * 10**9",
    "huge list": "l = [0] * 10**9",
    "huge power": "n = 10 ** 10 ** 9",
    "huge pow builtin": "n = pow(10, 10**9)",
    "huge shift": "n = 1 << 10**9",
    "doubling string": "s = 'ab'\nwhile True:\n    s = s + s",
    "doubling list": "l = [1]\nfor i in range(64):\n    l.extend(l)",
    "replace blowup": "s = 'a' * 1000\ns = s.replace('a', s)\ns = s.replace('a', s)",
    "ljust blowup": "s = 'x'.ljust(10**9)",
    "fstring width": "s = f'{1:>1000000000}'",
    "percent width": "s = '%1000000000d' % 1",
    "sum of lists": "s = sum([[1]] * 1000, [])",
    "infinite loop": "while True: pass",
    "infinite loop swallowed": "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass",
    "bare except": "try:\n    while True: pass\nexcept:\n    pass",
    "finally runs after budget": "try:\n    pass\nfinally:\n    while True: pass",
    "wall clock": "t = datetime.now()",
    "class attribute walk": "m = str.maketrans('a', 'b')",
    "mro walk": "m = int.mro()",
    "recursion": "def f():\n    return f()\nf()",
    "leaked generator": "g = (i for i in range(3))",
}

LIMITS = ScriptLimits(max_instructions=200_000, max_seconds=2.0)


@pytest.fixture
def env() -> SandboxEnvironment:
    return SandboxEnvironment({"fee": lambda amount: amount * 2}, LIMITS)


class TestEscapesAreBlocked:
    @pytest.mark.parametrize("script", ESCAPES.values(), ids=ESCAPES.keys())
    def test_script_fails_when_it_tries_to_escape(self, env: SandboxEnvironment, script: str) -> None:
        context = {"x": {"a": 1}}
        with pytest.raises((SyntaxError, NameError, AttributeError, TypeError, ValueError, RuntimeError)):
            env.execute(script, context)
        assert set(context) <= {"x", "s", "l", "n", "i"}
        assert all(len(v) <= 1_000_000 for v in context.values() if isinstance(v, (str, list)))

    def test_escape_attempts_are_reported_at_design_time(self) -> None:
        bpmn = _script_model("x = ().__class__")
        report = validate_bytes(bpmn, "escape.bpmn")
        assert not report.ok
        assert any(issue.element_id == "s" and "__class__" in issue.message for issue in report.errors)

    def test_budget_also_works_in_a_worker_thread(self, env: SandboxEnvironment) -> None:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                env.execute("while True: pass", {})
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert "instructions" in str(errors[0])


class TestOrdinaryScripts:
    def test_script_can_use_data_helpers_datetime_math_and_strings(self, env: SandboxEnvironment) -> None:
        context = {"amount": 3, "items": [1, 2, 3], "name": "nguyễn văn a"}
        with clock_at(datetime(2027, 1, 1, tzinfo=UTC)):
            env.execute(
                "total = fee(amount) + sum(items)\n"
                "big = [i * 2 for i in items if i > 1]\n"
                "due = now() + timedelta(days=5)\n"
                "day = datetime.fromisoformat('2027-02-03').day\n"
                "upper = name.title()\n"
                "rounded = math.ceil(2.1)\n"
                "counts = {k: len(k) for k in ['ab', 'c']}\n"
                "amount += 1\n"
                "label = f'{amount:>4}|' + ', '.join(str(i) for i in items)\n",
                context,
            )
        assert context["total"] == 12
        assert context["big"] == [4, 6]
        assert context["due"] == datetime(2027, 1, 6, tzinfo=UTC)
        assert context["day"] == 3
        assert context["upper"] == "Nguyễn Văn A"
        assert context["rounded"] == 3
        assert context["counts"] == {"ab": 2, "c": 1}
        assert context["label"] == "   4|1, 2, 3"

    def test_expression_sees_task_data(self, env: SandboxEnvironment) -> None:
        assert env.evaluate("amount > 100 and kind in ('new', 'renewal')", {"amount": 150, "kind": "new"}) is True

    def test_script_can_delete_variables_and_drops_functions(self, env: SandboxEnvironment) -> None:
        context = {"tmp": 1, "keep": 2}
        env.execute("del tmp\ndef helper_fn(v):\n    return v + 1\nkeep = helper_fn(keep)", context)
        assert context == {"keep": 3}

    def test_data_named_like_a_global_survives_a_script(self, env: SandboxEnvironment) -> None:
        context = {"date": "2027-01-01", "math": 5}
        env.execute("x = math + 1", context)
        assert context == {"date": "2027-01-01", "math": 5, "x": 6}

    def test_script_fails_when_data_shadows_a_helper(self, env: SandboxEnvironment) -> None:
        with pytest.raises(ValueError, match="fee"):
            env.execute("x = 1", {"fee": 3})

    def test_script_fails_when_output_data_is_too_large(self) -> None:
        env = SandboxEnvironment(limits=ScriptLimits(max_data_bytes=1000))
        with pytest.raises(ValueError, match="too large"):
            env.execute("blob = 'x' * 5000", {})

    def test_compiled_code_is_cached_by_source(self, env: SandboxEnvironment) -> None:
        from engine.sandbox import compile_script

        assert compile_script("a + 1", "eval") is compile_script("a + 1", "eval")
        assert env.evaluate("a + 1", {"a": 1}) == 2

    def test_wall_clock_is_replaced_by_engine_clock(self, env: SandboxEnvironment) -> None:
        context: dict = {}
        with clock_at(datetime(2030, 5, 6, 7, 8)):
            env.execute("t = now()", context)
        assert context["t"] == datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
        assert timedelta(0) == context["t"].utcoffset()


def _script_model(script: str) -> bytes:
    """A one-script-task process."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="s"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s" />
    <bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()
