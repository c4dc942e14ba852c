"""Auditor screen tests act through the dossier desk (the tests' world, real services, a clock)."""
from __future__ import annotations

from tests.integration.dossiers.conftest import clock, desk, world  # noqa: F401
