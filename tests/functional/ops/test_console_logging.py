"""`make run`'s one console shows our warnings and events: the libraries that log every step at INFO (the engine's
task states, the scheduler's job runs, WeasyPrint's layout steps for every slip) stay at WARNING unless asked."""
from __future__ import annotations

import logging

import pytest

from app import create_app


@pytest.mark.parametrize("name", ["spiff.task", "apscheduler.scheduler", "weasyprint.progress", "fontTools.subset"])
def test_chatty_libraries_are_quiet_by_default_and_can_be_brought_back(name):
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING  # (a logger may be `disabled` by a
    # migration's fileConfig in this test process, so the level is what is checked, not isEnabledFor)
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "LIBRARY_LOG_LEVEL": "INFO"})
    assert logging.getLogger(name).getEffectiveLevel() == logging.INFO
    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
