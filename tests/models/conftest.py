"""The model tests need neither the Flask app nor a database: they parse bpmn/ and run the
processes with SpiffWorkflow directly. Override the suite-wide autouse app/database fixture
so they stay fast and independent of the app's state."""
import pytest


@pytest.fixture(autouse=True)
def app_ctx():
    yield
