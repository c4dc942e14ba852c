"""`python -m engine validate FILE...` and `python -m engine run FILE --process ID` for designers."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.importer import import_bytes
from engine.registry import ModelRegistry
from engine.runtime import Engine, StepResult
from engine.specinfo import BPMN_NS
from engine.validation import ValidationReport, validate_bytes
from engine.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

MAX_RUN_STEPS = 1000


def _read(path: Path) -> bytes:
    """Read a model file, refusing anything huge before it is read into memory."""
    if not path.is_file():
        raise OSError("no such file" if not path.exists() else "not a regular file")
    if path.stat().st_size > DEFAULT_MAX_BYTES:
        raise OSError(f"file too large ({path.stat().st_size} bytes, limit {DEFAULT_MAX_BYTES})")
    return path.read_bytes()


def _companions(path: Path, data: bytes) -> tuple[list[bytes], list[bytes]]:
    """Find sibling DMN files and BPMN files defining processes this file calls (best effort)."""
    try:
        root = parse_xml(data, path.name)
    except EngineError:
        return [], []
    has_rules = any(True for _ in root.iter(f"{{{BPMN_NS}}}businessRuleTask"))
    dmn = sorted(path.parent.glob("*.dmn")) if has_rules else []
    own = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    called = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")} - own - {None}
    siblings = sorted(path.parent.glob("*.bpmn"))
    includes = [sibling for sibling in siblings if sibling != path and _defines(sibling, called)]
    return _read_all(dmn), _read_all(includes)


def _defines(path: Path, process_ids: set[str]) -> bool:
    """Tell whether a BPMN file defines one of these processes."""
    if not process_ids:
        return False
    try:
        root = parse_xml(_read(path), path.name)
    except (OSError, EngineError):
        return False
    return any(p.get("id") in process_ids for p in root.iter(f"{{{BPMN_NS}}}process"))


def _read_all(paths: Sequence[Path]) -> list[bytes]:
    """Read companion files, skipping unreadable ones."""
    out = []
    for path in paths:
        try:
            out.append(_read(path))
        except OSError:
            continue
    return out


def _one_line(text: str) -> str:
    """Collapse whitespace so each report stays on one line."""
    return " ".join(str(text).split())


def validate_file(name: str, verbose: bool = False) -> bool:
    """Validate one file and print its verdict line; never raises."""
    path = Path(name)
    try:
        data = _read(path)
        dmn, includes = _companions(path, data)
        report = validate_bytes(data, path.name, dmn=dmn, includes=includes)
    except OSError as exc:
        print(f"{name}: INVALID: cannot read file: {_one_line(exc.strerror or str(exc))}")
        return False
    except Exception as exc:  # noqa: BLE001 - the CLI contract is: a verdict, never a traceback
        print(f"{name}: INVALID: internal error: {type(exc).__name__}: {_one_line(str(exc))}")
        return False
    _print_report(name, report, verbose)
    return report.ok


def _print_report(name: str, report: ValidationReport, verbose: bool) -> None:
    """Print `FILE: OK` or `FILE: INVALID: reason; reason`, then warnings if asked."""
    if report.ok:
        print(f"{name}: OK")
    else:
        print(f"{name}: INVALID: " + "; ".join(_one_line(str(issue)) for issue in report.errors))
    if verbose:
        for issue in report.warnings:
            print(f"  warning: {_one_line(str(issue))}")


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate every file; exit 0 only if all are valid."""
    results = [validate_file(name, args.verbose) for name in args.files]
    return 0 if all(results) else 1


def cmd_import(args: argparse.Namespace) -> int:
    """Convert a diagram from another modeler into a draft and print the conversion report.

    Exit 0 when the draft is publishable, 1 when the report lists blockers, 2 when nothing could be read.
    """
    path = Path(args.file)
    try:
        data = _read(path)
    except OSError as exc:
        print(f"{args.file}: ERROR: cannot read file: {_one_line(exc.strerror or str(exc))}")
        return 2
    result = import_bytes(data, path.name, make_executable=args.executable)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in result.findings:
            print(_one_line(str(finding)))
    if result.xml is None:
        print(f"{args.file}: NOT IMPORTED")
        return 2
    if args.output:
        Path(args.output).write_bytes(result.xml)
    verdict = "publishable" if result.publishable else f"draft, {len(result.blockers)} blocker(s) before publishing"
    print(f"{args.file}: IMPORTED ({verdict})")
    return 0 if result.publishable else 1


def _print_step(result: StepResult) -> None:
    """Show the events of one step the way a designer reads them."""
    for event in result.events:
        if event.kind in ("task_ready", "timer_fired", "timer_scheduled", "message_awaited", "message_sent"):
            due = f" due {event.due_at.isoformat()}" if event.due_at else ""
            print(f"  {event.kind}: {event.name or event.bpmn_id}{due}")


def cmd_run(args: argparse.Namespace) -> int:
    """Drive a process to its end, completing each ready user task with the given data."""
    path = Path(args.file)
    try:
        data = json.loads(args.data) if args.data else {}
        if not isinstance(data, dict):
            raise ValueError("--data must be a JSON object")
        source = _read(path)
        dmn, includes = _companions(path, source)
        registry = ModelRegistry()
        version = registry.load(source, path.name, dmn=dmn, includes=includes)
        return _drive(Engine(registry), version.hash, args.process or version.main_process_id, data)
    except (OSError, ValueError, EngineError) as exc:
        print(f"{args.file}: ERROR: {_one_line(str(exc))}")
        return 1


def _drive(engine: Engine, model_hash: str, process_id: str, data: dict[str, Any]) -> int:
    """Complete tasks and fire timers until the instance ends or only external events can move it."""
    clock = datetime.now(UTC)
    result = engine.start(model_hash, process_id, data, now=clock)
    _print_step(result)
    for step in range(1, MAX_RUN_STEPS + 1):
        if result.is_completed:
            print("completed; final data:")
            print(json.dumps(_final_data(engine, result), ensure_ascii=False, indent=2, sort_keys=True, default=str))
            return 0
        if result.ready_tasks:
            task = result.ready_tasks[0]
            where = " / ".join(x for x in (task.lane, task.role) if x) or "-"
            print(f"[{step}] {task.name} ({task.step_kind or 'no step_kind'}) lane/role: {where}")
            result = engine.complete_task(result.state, task.id, data, actor="cli", now=clock)
        elif result.timers:
            clock = max(clock, result.timers[0].due_at)
            result = engine.fire_timers(result.state, clock)
        else:
            print(f"stopped: waiting for message(s) {', '.join(result.awaiting_messages) or '(none)'}")
            return 1
        _print_step(result)
    print(f"stopped after {MAX_RUN_STEPS} steps")
    return 1


def _final_data(engine: Engine, result: StepResult) -> dict[str, Any]:
    """The data of the last task that ran, which is where Spiff leaves the process data."""
    workflow = engine.restore(result.state)
    last = workflow.last_task or workflow.task_tree
    return {**workflow.data, **last.data}


def build_parser() -> argparse.ArgumentParser:
    """Command-line interface definition."""
    parser = argparse.ArgumentParser(prog="python -m engine", description="Motcua BPMN engine tools")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check BPMN/DMN files")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("-v", "--verbose", action="store_true", help="also print warnings")
    validate.set_defaults(func=cmd_validate)
    imp = sub.add_parser("import", help="convert a diagram from another modeler into a draft, with a report")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("-o", "--output", help="write the converted draft here")
    imp.add_argument("--executable", action="store_true", help="mark descriptive processes executable")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.set_defaults(func=cmd_import)
    run = sub.add_parser("run", help="run a process to the end, completing every user task")
    run.add_argument("file", metavar="FILE")
    run.add_argument("--process", help="process id (default: the main process)")
    run.add_argument("--data", help="JSON object used as start data and merged into every task")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
