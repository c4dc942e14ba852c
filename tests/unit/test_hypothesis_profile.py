"""Under load (two cores, several workers) generating inputs is slow but correct: every property test keeps the
profile's suppression of the speed health checks (tests/conftest.py), including those that set their own settings."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import HealthCheck

TESTS = Path(__file__).resolve().parents[1]
SPEED_CHECKS = {HealthCheck.too_slow, HealthCheck.data_too_large}


def _property_tests():
    """(name, settings) of every Hypothesis test of the suite, from the modules as pytest imports them."""
    for path in sorted(TESTS.rglob("test_*.py")):
        if "@given" not in path.read_text(encoding="utf-8"):
            continue
        spec = importlib.util.spec_from_file_location(f"_property_scan_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent))  # sibling helpers, as pytest's prepend import mode gives them
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent))
        candidates = [*vars(module).values()]
        classes = [value for value in candidates if isinstance(value, type)]
        candidates += [member for cls in classes for member in vars(cls).values()]
        for test in candidates:
            chosen = getattr(test, "_hypothesis_internal_use_settings", None)
            if chosen is not None:
                yield f"{path.relative_to(TESTS)}::{test.__name__}", chosen


def test_every_property_test_tolerates_slow_input_generation():
    found = dict(_property_tests())
    assert len(found) >= 3  # the scan sees the serializer, importer and calendar properties
    slow = {name: s.suppress_health_check for name, s in found.items()
            if not SPEED_CHECKS <= set(s.suppress_health_check)}
    assert slow == {}
