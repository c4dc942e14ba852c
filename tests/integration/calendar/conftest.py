"""The calendar tables are reference data kept between tests: tests that commit must put them back."""
from tests.calendar_fixtures import fresh_calendar_cache, restore_calendar  # noqa: F401
