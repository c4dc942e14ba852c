from tests.functional.ui_world import at_office, clock, desk, officials, world  # noqa: F401
