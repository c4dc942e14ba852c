"""Engine throughput: raw SpiffWorkflow vs engine/ on the 5-user-task work permit.

Run `python bench/engine_bench.py` (about 30 s) or `--quick` for a CI smoke run (a few seconds).
One lifecycle = start + complete 5 user tasks. Variants:
  raw-memory     Spiff, parsed once, workflow kept in memory (upper bound, no persistence)
  raw-serialize  Spiff, full JSON serialize + deserialize (spec included) after every step
  engine         engine/ public API, state dict JSON-dumped and re-loaded after every step
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine import Engine, ModelRegistry  # noqa: E402

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
    result = engine.start(model_hash, "work_permit", {"applicant": "Nguyễn Văn A"})
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
    engine = Engine(registry)

    assert raw_memory(spec, subs) == 5
    raw_size = raw_serialize(spec, subs, serializer)
    our_size = engine_lifecycle(engine, model_hash)

    print("work_permit, 5 user tasks per lifecycle:")
    measure("raw-memory", lambda: raw_memory(spec, subs), seconds)
    raw_rate = measure("raw-serialize", lambda: raw_serialize(spec, subs, serializer), seconds)
    our_rate = measure("engine", lambda: engine_lifecycle(engine, model_hash), seconds)
    print(f"ratio engine/raw-serialize: {our_rate / raw_rate:.2f}x (target >= 1.0)")
    print(f"state size: raw {raw_size} B, engine {our_size} B (target < 4096 B)")
    ok = our_rate >= raw_rate and our_size < 4096
    print("result:", "OK" if ok else "BELOW TARGET")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
