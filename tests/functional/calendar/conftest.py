"""CLI tests commit overrides: the shared fixtures put the reference tables back after each test."""
from tests.calendar_fixtures import fresh_calendar_cache, restore_calendar  # noqa: F401
