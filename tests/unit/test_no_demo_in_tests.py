"""Tests build their world with tests/factories, not with the demo data set: a change to `app/demo` (more dossiers,
other officials) may only break the tests of the demo itself."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# The demo's own tests (`flask demo load`, its citizens' dossiers) are the only ones that may import it.
ALLOWED = {"integration/demo/test_citizen_demo.py", "integration/demo/test_demo_load.py",
           # the synthetic-history generator (`flask demo generate`): tested itself, and the volume of finished
           # dossiers the early-warning calibration is measured on (hundreds of histories, not a hand-built world)
           "integration/demo/test_generate.py", "integration/reports/test_early_warning.py",
           "unit/demo/test_generate_parts.py",
           "integration/ops/test_partitions.py"}  # the generator writes each row into its year's partition


def demo_imports(source: str) -> list[int]:
    """Line numbers of the imports of `app.demo` (or a module below it) in `source`, at any depth."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "app" else [node.module]
        else:
            continue
        if any(name == "app.demo" or name.startswith("app.demo.") for name in names):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_guard_sees_every_form_of_importing_the_demo():
    source = ("import app.demo.data\nfrom app import demo\nfrom app.demo.dossiers import x\n"
              "def f():\n    from app.demo import services\n"
              "import app.demography\nfrom app import dossiers\nfrom .demo import y\n")
    assert demo_imports(source) == [1, 2, 3, 5]


def test_no_test_module_outside_the_demo_tests_imports_app_demo():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS).as_posix()
        if relative not in ALLOWED and (lines := demo_imports(path.read_text(encoding="utf-8"))):
            offenders[relative] = lines
    assert offenders == {}, f"use tests/factories instead of app.demo in {offenders}"


def test_the_allow_list_names_only_existing_files():
    assert all((TESTS / relative).is_file() for relative in ALLOWED)
