"""The sandbox worker process: runs model scripts, expressions and templates under OS limits.

Started by engine/pool.py as `python -I -c BOOT <engine dir> <memory bytes>`. It imports only the Spiff-free
modules (sandbox, budget, templates, codec), closes every inherited descriptor, then locks itself down
before reading the first request: address space (RLIMIT_AS), CPU seconds (RLIMIT_CPU, re-armed per call),
no new file descriptors (RLIMIT_NOFILE = 3: stdin, stdout, /dev/null as stderr), so no files or sockets,
no child processes (RLIMIT_NPROC = 0), no file writes, no core dumps. The parent kills it on its wall-clock
deadline. Frames are a 4-byte big-endian length and a codec (JSON) body; helper functions the app injects
run back in the parent: the worker sends {"call": name, ...} and waits for the answer.
"""
from __future__ import annotations

import math
import os
import resource
import struct
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine import codec
from engine.budget import ScriptLimitExceeded, ScriptLimits, evaluate_in, execute_in
from engine.sandbox import SCRIPT_FILENAME, base_globals, compile_script
from engine.templates import TEMPLATE_FILENAME, render_template, template_problem

HEADER = struct.Struct(">I")
MAX_FRAME = 16 * 1024 * 1024
CPU_LIFETIME = 3600  # hard RLIMIT_CPU: a worker is retired (asks to be) after half of it
_ERRORS: dict[str, type[BaseException]] = {cls.__name__: cls for cls in (
    NameError, UnboundLocalError, TypeError, ValueError, AttributeError, KeyError, IndexError, LookupError,
    ZeroDivisionError, ArithmeticError, OverflowError, RecursionError, AssertionError, RuntimeError,
    NotImplementedError, StopIteration, UnicodeError, SyntaxError,
)}


class Channel:
    """Length-prefixed frames over a pair of file descriptors."""

    def __init__(self, rfd: int, wfd: int) -> None:
        self.rfd, self.wfd = rfd, wfd

    def send(self, message: Any) -> None:
        body = codec.dumps(message)
        if len(body) > MAX_FRAME:
            body = codec.dumps({"err": _error(ValueError("result too large to return from the sandbox"))})
        view = memoryview(HEADER.pack(len(body)) + body)
        while view:
            view = view[os.write(self.wfd, view):]

    def receive(self) -> Any:
        (size,) = HEADER.unpack(self._exact(HEADER.size))
        return codec.loads(self._exact(size))

    def _exact(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = os.read(self.rfd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def rebuild_error(info: dict[str, Any]) -> BaseException:
    """Turn an error description from the other side into an exception of a safe builtin type."""
    message = str(info.get("msg", ""))
    if info.get("limit"):
        exc: BaseException = ScriptLimitExceeded(message)
    else:
        exc = _ERRORS.get(str(info.get("type")), RuntimeError)(message)
    line = info.get("line")
    exc.script_line = line if isinstance(line, int) else None  # type: ignore[attr-defined]
    if isinstance(exc, SyntaxError):
        exc.lineno = exc.script_line  # type: ignore[attr-defined]
    return exc


def _error(exc: BaseException) -> dict[str, Any]:
    """Describe an exception raised by sandboxed code (type, message, script line, whether a budget)."""
    limit = isinstance(exc, (ScriptLimitExceeded, MemoryError))
    message = "script exceeded the sandbox memory budget" if isinstance(exc, MemoryError) else str(exc)
    return {"type": type(exc).__name__, "msg": message[:2000], "line": _script_line(exc), "limit": limit}


def _script_line(exc: BaseException) -> int | None:
    """Line in the script where the error happened (Spiff reports it to designers)."""
    if isinstance(exc, SyntaxError):
        return exc.lineno
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (SCRIPT_FILENAME, TEMPLATE_FILENAME):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Worker:
    """The request loop of one worker process."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.now: datetime | None = None
        self._bases: dict[tuple[str, ...], dict[str, Any]] = {}

    def serve(self) -> None:
        """Answer requests until the parent closes the pipe."""
        self.channel.send({"ready": os.getpid()})
        while True:
            try:
                request = self.channel.receive()
            except EOFError:
                return
            self.channel.send(self.handle(request))

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one request under a fresh CPU allowance; never raises."""
        limits = ScriptLimits(*request["limits"])
        _arm_cpu(limits.max_seconds)
        self.now = request.get("now")
        try:
            reply = {"ok": self._run(request, limits)}
        except BaseException as exc:  # noqa: BLE001 - every failure of sandboxed code is reported, not raised
            reply = {"err": _error(exc), "retire": isinstance(exc, MemoryError)}
        if _cpu_used() > CPU_LIFETIME / 2:
            reply["retire"] = True
        return reply

    def _run(self, request: dict[str, Any], limits: ScriptLimits) -> Any:
        op, source, context = request["op"], request["src"], request.get("ctx") or {}
        if op == "exec":
            return execute_in(self._base(request), limits, source, context, request.get("ext"))
        if op == "eval":
            value = evaluate_in(self._base(request), limits, source, context, request.get("ext"))
            codec.dumps(value)  # fail here, as a script error, if the result cannot leave the sandbox
            return value
        if op == "render":
            return render_template(source, context, limits)
        if op == "check_template":
            return template_problem(source, limits)
        raise ValueError(f"unknown operation {op!r}")

    def _base(self, request: dict[str, Any]) -> dict[str, Any]:
        """Script globals with `now` and one stub per helper the app injected (cached per helper set)."""
        names = tuple(request.get("helpers") or ())
        if names not in self._bases:
            stubs = {name: self._stub(name) for name in names}
            self._bases[names] = {**base_globals(), "now": self._now, **stubs}
        return self._bases[names]

    def _now(self) -> datetime:
        """The engine clock of the current call (scripts never read the wall clock)."""
        if self.now is None:
            raise RuntimeError("no engine clock in this call")
        return self.now

    def _stub(self, name: str) -> Callable[..., Any]:
        """A function that runs the real helper in the parent and returns its (plain) result."""

        def call_helper(*args: Any, **kwargs: Any) -> Any:
            try:
                self.channel.send({"call": name, "args": list(args), "kwargs": kwargs})
            except codec.CodecError as exc:
                raise TypeError(f"{name}() only accepts plain values: {exc}") from None
            answer = self.channel.receive()
            if "err" in answer:
                raise rebuild_error(answer["err"])
            return answer["ok"]

        call_helper.__name__ = name
        return call_helper


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _arm_cpu(seconds: float) -> None:
    """Allow this call `seconds` (rounded up, plus one) more CPU seconds; SIGXCPU ends the process after."""
    soft = min(int(_cpu_used()) + math.ceil(seconds) + 1, CPU_LIFETIME)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, CPU_LIFETIME))


def _warm_up() -> None:
    """Import and compile everything lazily loaded, while opening files is still possible."""
    import _strptime  # noqa: F401  (datetime.strptime imports it on first use)
    import textwrap  # noqa: F401

    import jinja2.debug  # noqa: F401  (Jinja imports it when a template fails)

    limits = ScriptLimits()
    execute_in(base_globals(), limits, "x = [i for i in range(3)]\ny = datetime.fromisoformat('2027-01-01')", {})
    compile_script("a == 1", "eval")
    render_template("{{ a|default('')|center(3)|wordwrap(5)|indent(2)|truncate(9)|title|tojson }}", {}, limits)
    for broken in ("{{ broken", "{{ 1 / 0 }}"):
        template_problem(broken, limits)


def lock_down(memory_bytes: int) -> None:
    """Close inherited descriptors and apply the OS limits; from here on no new fd, process or file."""
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    for limit, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_NOFILE, 3),
                         (resource.RLIMIT_NPROC, 0), (resource.RLIMIT_AS, memory_bytes)):
        resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIFETIME, CPU_LIFETIME))


def main(argv: list[str]) -> None:
    """Entry point in the worker process."""
    channel = Channel(sys.stdin.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr  # stray prints from library code must not corrupt the frames
    _warm_up()
    lock_down(int(argv[0]))
    Worker(channel).serve()


# Run in the worker: make `engine` a bare namespace so engine/__init__ (and SpiffWorkflow) is never imported.
BOOT = (
    "import sys, types\n"
    "pkg = types.ModuleType('engine'); pkg.__path__ = [sys.argv[1]]; sys.modules['engine'] = pkg\n"
    "from engine.worker import main\n"
    "main(sys.argv[2:])\n"
)
