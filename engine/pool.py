"""A pool of long-lived sandbox worker processes (engine/worker.py), restarted when one is killed.

Hand-rolled on subprocess rather than multiprocessing: each worker is a fresh `python -I` (nothing inherited
from a threaded parent, no pickle on the way back, an exact wall-clock kill), and the pool stays tiny.
Workers are started ahead of need, checked out by one call at a time, and replaced as soon as one dies, is
killed on its deadline, or asks to retire (after a memory error, or once it used half its CPU lifetime).
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import codec
from engine.budget import ScriptLimitExceeded
from engine.worker import BOOT, HEADER, MAX_FRAME, rebuild_error

ENGINE_DIR = str(Path(__file__).resolve().parent)
STARTUP_SECONDS = 20.0  # a cold start on a loaded 2-core machine; only the first call after a restart waits


@dataclass(frozen=True)
class SandboxSettings:
    """How model code runs: `process` (worker pool under OS limits, the default) or `inline` (trusted models).

    `grace_seconds` is added to a call's time budget before the worker is killed: the in-worker instruction
    budget normally stops Python-level loops first, with a clean error and no restart.
    """

    mode: str = "process"
    workers: int = 2
    memory_mb: int = 256
    grace_seconds: float = 0.5
    max_calls: int = 20_000

    def __post_init__(self) -> None:
        if self.mode not in ("process", "inline"):
            raise ValueError(f"sandbox mode must be 'process' or 'inline', not {self.mode!r}")


class WorkerLost(ScriptLimitExceeded):
    """The worker was killed (deadline) or died (CPU limit, crash); the call failed, the pool recovers."""


class _Worker:
    """One worker process and its pipes (parent side)."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv: our interpreter and our boot code
            [sys.executable, "-I", "-c", BOOT, ENGINE_DIR, str(settings.memory_mb * 1024 * 1024)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
            env={}, start_new_session=True, bufsize=0,
        )
        self.wfd, self.rfd = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self._poll = select.poll()  # not select(): descriptors above 1024 are common in a busy server
        self._poll.register(self.rfd, select.POLLIN | select.POLLHUP)
        self.started = time.monotonic()
        self.ready = False
        self.calls = 0
        self.retire = False

    def call(self, request: Mapping[str, Any], helpers: Mapping[str, Callable[..., Any]], seconds: float) -> Any:
        """Send one request, serve helper calls, and return the worker's final answer."""
        if not self.ready:
            self._receive(self.started + STARTUP_SECONDS, "start")
            self.ready = True
        self.calls += 1
        deadline = time.monotonic() + seconds
        self._send(request)
        while True:
            message = self._receive(deadline, "answer")
            if "call" not in message:
                self.retire = bool(message.get("retire"))
                return message
            self._send(_run_helper(helpers, message))

    def kill(self) -> None:
        """Stop the process for good (SIGKILL cannot be caught) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a SIGKILLed process always exits
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()

    def _send(self, message: Any) -> None:
        body = codec.dumps(message)
        view = memoryview(HEADER.pack(len(body)) + body)
        try:
            while view:
                view = view[os.write(self.wfd, view):]
        except OSError as exc:
            raise self._lost(f"sandbox worker unavailable ({type(exc).__name__})") from None

    def _receive(self, deadline: float, what: str) -> Any:
        (size,) = HEADER.unpack(self._exact(HEADER.size, deadline, what))
        if size > MAX_FRAME:
            raise self._lost("sandbox worker sent an oversized message")
        try:
            return codec.loads(self._exact(size, deadline, what))
        except codec.CodecError as exc:
            raise self._lost(f"sandbox worker sent an invalid message: {exc}") from None

    def _exact(self, size: int, deadline: float, what: str) -> bytes:
        chunks, left = [], size
        while left:
            remaining = max(deadline - time.monotonic(), 0.0)  # past the deadline, still take what is there
            if not self._poll.poll(remaining * 1000):
                raise self._lost(self._timeout_message(what))
            chunk = os.read(self.rfd, min(left, 1 << 20))
            if not chunk:
                raise self._lost(self._death_message())
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _lost(self, message: str) -> WorkerLost:
        self.retire = True
        return WorkerLost(message)

    def _timeout_message(self, what: str) -> str:
        if what == "start":
            return "sandbox worker did not start in time"
        return "script exceeded its time budget (the sandbox worker was stopped)"

    def _death_message(self) -> str:
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGXCPU:
            return "script exceeded its CPU time budget (the sandbox worker was stopped)"
        if not self.ready:
            return f"sandbox worker failed to start (exit status {code})"
        return f"script stopped the sandbox worker (exit status {code}; likely its memory budget)"


def _run_helper(helpers: Mapping[str, Callable[..., Any]], message: Mapping[str, Any]) -> dict[str, Any]:
    """Run an app helper on behalf of a script; its result must be plain data."""
    name = message.get("call")
    helper = helpers.get(name) if isinstance(name, str) else None
    if helper is None:
        return {"err": {"type": "NameError", "msg": f"no helper {name!r}"}}
    try:
        result = helper(*message.get("args", ()), **message.get("kwargs", {}))
        codec.dumps(result)
    except Exception as exc:  # noqa: BLE001 - the script sees the helper's error, as it would in-process
        return {"err": {"type": type(exc).__name__, "msg": str(exc)}}
    return {"ok": result}


class WorkerPool:
    """Up to `settings.workers` processes, each serving one call at a time; thread-safe."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._count = 0
        self._pid = os.getpid()

    def call(self, request: Mapping[str, Any], helpers: Mapping[str, Callable[..., Any]], seconds: float) -> Any:
        """Run a request in a worker and return its result; sandboxed errors are re-raised here.

        :raises WorkerLost: the worker was killed on its deadline or died; a fresh one replaces it.
        """
        worker = self._acquire()
        try:
            reply = worker.call(request, helpers, seconds + self.settings.grace_seconds)
        finally:
            self._release(worker)
        if "err" in reply:
            raise rebuild_error(reply["err"])
        return reply["ok"]

    def start(self) -> WorkerPool:
        """Start every worker now (they boot in the background)."""
        with self._cond:
            self._check_fork()
            while self._count < self.settings.workers:
                self._idle.append(_Worker(self.settings))
                self._count += 1
        return self

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their call returns)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()

    @property
    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._cond:
            return [worker.proc.pid for worker in self._idle]

    def _acquire(self) -> _Worker:
        with self._cond:
            self._check_fork()
            while not self._idle and self._count >= self.settings.workers:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        return _Worker(self.settings)

    def _release(self, worker: _Worker) -> None:
        healthy = not worker.retire and worker.calls < self.settings.max_calls
        if not healthy:
            worker.kill()
        with self._cond:
            if os.getpid() != self._pid:
                return
            if healthy:
                self._idle.append(worker)
            else:
                self._idle.append(_Worker(self.settings))  # restart at once: it boots while others work
            self._cond.notify()

    def _check_fork(self) -> None:
        """After os.fork() (gunicorn --preload, multiprocessing) the workers belong to the parent: start over."""
        if os.getpid() != self._pid:
            self._pid, self._idle, self._count = os.getpid(), [], 0


_POOLS: dict[SandboxSettings, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(settings: SandboxSettings) -> WorkerPool:
    """The process-wide pool for these settings, started on first use (one per settings value)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(settings)
        if pool is None:
            pool = _POOLS[settings] = WorkerPool(settings).start()
        return pool
