"""Engine throughput: raw SpiffWorkflow vs engine/ on the 5-user-task work permit.

Run `python bench/engine_bench.py` (about 30 s) or `--quick` for a CI smoke run (a few seconds).
One lifecycle = start + complete 5 user tasks. Variants:
  raw-memory     Spiff, parsed once, workflow kept in memory (upper bound, no persistence)
  raw-serialize  Spiff, full JSON serialize + deserialize (spec included) after every step
  engine         engine/ public API, state dict JSON-dumped and re-loaded after every step

Then the sandbox cost: model code in a worker process under OS limits (`process`, the default) against
the same code in-process (`inline`): per script / expression / template evaluation, and per lifecycle of
the work permit as is (one gateway condition, bounded, so evaluated inline in both modes) and of a
scripted variant (a post-script calling a helper on every task plus a Jinja instructions template).
CPU per lifecycle counts the parent and the worker processes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine import Engine, ModelRegistry, SandboxSettings  # noqa: E402
from engine.pool import pool_for  # noqa: E402
from engine.scripting import SandboxEnvironment  # noqa: E402
from engine.timers import clock_at  # noqa: E402

MODEL = ROOT / "tests" / "bpmn" / "work_permit.bpmn"
FORM = {"eligible": True, "note": "Hồ sơ đầy đủ"}


def raw_setup() -> tuple:
    """Parse once with Spiff, as any sane integration would."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODEL))
    return parser.get_spec("work_permit"), parser.get_subprocess_specs("work_permit")


def raw_memory(spec, subs) -> int:
    """One lifecycle kept in memory."""
    workflow = BpmnWorkflow(spec, subs)
    workflow.do_engine_steps()
    steps = 0
    while not workflow.is_completed():
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(FORM)
        task.run()
        workflow.do_engine_steps()
        steps += 1
    return steps


def raw_serialize(spec, subs, serializer: BpmnWorkflowSerializer) -> int:
    """One lifecycle with a full Spiff JSON round trip after every step; returns the last state size."""
    workflow = BpmnWorkflow(spec, subs)
    workflow.do_engine_steps()
    text = serializer.serialize_json(workflow)
    while True:
        workflow = serializer.deserialize_json(text)
        if workflow.is_completed():
            return len(text.encode())
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(FORM)
        task.run()
        workflow.do_engine_steps()
        text = serializer.serialize_json(workflow)


def engine_lifecycle(engine: Engine, model_hash: str) -> int:
    """One lifecycle through the public API, persisting state as JSON between calls; returns max state size."""
    result = engine.start(model_hash, "work_permit", {"applicant": "Nguyễn Văn A", "done": 0})
    text = json.dumps(result.state, ensure_ascii=False)
    size = len(text.encode())
    while not result.is_completed:
        state = json.loads(text)
        task_id = result.ready_tasks[0].id
        result = engine.complete_task(state, task_id, FORM, actor="bench")
        text = json.dumps(result.state, ensure_ascii=False)
        size = max(size, len(text.encode()))
    return size


def measure(name: str, func: Callable[[], object], seconds: float) -> float:
    """Run `func` repeatedly for about `seconds` after a short warm-up; return lifecycles per second."""
    for _ in range(3):
        func()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        func()
        count += 1
    rate = count / elapsed
    print(f"  {name:<14} {rate:9.1f} lifecycles/s  ({count} in {elapsed:.1f} s)")
    return rate


MODES = {"inline": SandboxSettings(mode="inline"), "process": SandboxSettings()}
HELPERS = {"fee_for": lambda step: 100_000 * step}
SNIPPETS = {  # (kind, source, context)
    "expression": ("eval", "amount * 2 > limit", {"amount": 3, "limit": 5}),
    "script": ("exec", "total = fee_for(amount) + 1\nlabel = f'{total} VND'", {"amount": 3}),
    "template": ("render", "Hồ sơ của {{ applicant|upper }}: {{ total }} VND", {"applicant": "A", "total": 5}),
}


def scripted_model() -> bytes:
    """The work permit with a helper-calling post-script and an instructions template on every user task."""
    xml = MODEL.read_text()
    xml = re.sub(r'(<bpmn:userTask id="[^"]+" name="[^"]+">)',
                 r"\1<bpmn:documentation>Hồ sơ của {{ applicant }}, bước {{ done }}</bpmn:documentation>", xml)
    script = "<spiffworkflow:postScript>done = done + 1\nlast_fee = fee_for(done)</spiffworkflow:postScript>"
    xml = xml.replace("</spiffworkflow:properties></bpmn:extensionElements>",
                      f"</spiffworkflow:properties>{script}</bpmn:extensionElements>")
    return xml.encode()


def cpu_seconds() -> float:
    """CPU used so far by this process, its live sandbox workers and the retired (reaped) ones."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + children.ru_utime + children.ru_stime
    for pid in pool_for(MODES["process"]).pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def per_call(func: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Microseconds of wall time and of CPU (parent + workers, restarts included) per call of `func`."""
    for _ in range(20):
        func()
    count, cpu, start = 0, cpu_seconds(), time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        func()
        count += 1
    return elapsed / count * 1e6, (cpu_seconds() - cpu) / count * 1e6


def snippet_call(env: SandboxEnvironment, kind: str, source: str, context: dict) -> Callable[[], object]:
    """One evaluation of a snippet, as Spiff would ask for it."""
    if kind == "eval":
        return lambda: env.evaluate(source, context)
    if kind == "exec":
        return lambda: env.execute(source, dict(context))
    return lambda: env.render(source, context)


def sandbox_section(seconds: float) -> dict[str, dict[str, tuple[float, float]]]:
    """Measure every snippet and both lifecycles in both modes; return {row: {mode: (wall us, cpu us)}}."""
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for mode, settings in MODES.items():
        env = SandboxEnvironment(HELPERS, sandbox=settings)
        for name, (kind, source, context) in SNIPPETS.items():
            with clock_at(datetime.now(UTC)):
                rows.setdefault(name, {})[mode] = per_call(snippet_call(env, kind, source, context), seconds / 6)
        for name, model in (("lifecycle", MODEL.read_bytes()), ("scripted lifecycle", scripted_model())):
            registry = ModelRegistry()
            model_hash = registry.load(model, "bench.bpmn").hash
            engine = Engine(registry, helpers=HELPERS, sandbox=settings)
            rows.setdefault(name, {})[mode] = per_call(lambda e=engine, h=model_hash: engine_lifecycle(e, h),
                                                       seconds / 3)
    return rows


def print_sandbox(rows: dict[str, dict[str, tuple[float, float]]]) -> None:
    """Print the in-process vs worker table."""
    print("sandbox: inline (in-process) vs process (worker pool under OS limits), same run:")
    print(f"  {'':<19} {'inline wall/cpu':>18} {'process wall/cpu':>19} {'ratio':>6} {'overhead':>9}")
    for name, modes in rows.items():
        (iw, ic), (pw, pc) = modes["inline"], modes["process"]
        unit, scale = ("ms", 1e-3) if "lifecycle" in name else ("us", 1.0)
        print(f"  {name:<19} {iw * scale:8.2f}/{ic * scale:<7.2f}{unit} {pw * scale:8.2f}/{pc * scale:<7.2f}{unit}"
              f" {pw / iw:5.2f}x {(pw - iw) * scale:+7.2f}{unit}")


def main() -> int:
    """Run all variants and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short CI smoke run")
    args = parser.parse_args()
    seconds = 0.7 if args.quick else 9.0

    print(f"machine: {platform.platform()} | {platform.processor() or platform.machine()} | "
          f"cpus={os.cpu_count()} | python {platform.python_version()}")
    spec, subs = raw_setup()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    registry = ModelRegistry()
    model_hash = registry.load(MODEL.read_bytes(), MODEL.name).hash
    engine = Engine(registry, sandbox=SandboxSettings(mode="inline"))

    assert raw_memory(spec, subs) == 5
    raw_size = raw_serialize(spec, subs, serializer)
    our_size = engine_lifecycle(engine, model_hash)

    print("work_permit, 5 user tasks per lifecycle:")
    measure("raw-memory", lambda: raw_memory(spec, subs), seconds)
    raw_rate = measure("raw-serialize", lambda: raw_serialize(spec, subs, serializer), seconds)
    our_rate = measure("engine", lambda: engine_lifecycle(engine, model_hash), seconds)
    print(f"ratio engine/raw-serialize: {our_rate / raw_rate:.2f}x (target >= 1.0)")
    print(f"state size: raw {raw_size} B, engine {our_size} B (target < 4096 B)")
    rows = sandbox_section(seconds)
    print_sandbox(rows)
    scripted_cpu_ms = rows["scripted lifecycle"]["process"][1] / 1000
    print(f"scripted lifecycle CPU in process mode: {scripted_cpu_ms:.1f} ms (target <= 20 ms)")
    ok = our_rate >= raw_rate and our_size < 4096 and scripted_cpu_ms <= 20
    print("result:", "OK" if ok else "BELOW TARGET")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
