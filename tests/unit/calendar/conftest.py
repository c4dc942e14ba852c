"""Fixtures for the pure rules: a plain Mon–Fri calendar and the Vietnamese official one."""
from __future__ import annotations

import pytest
from official_schedules import official_calendar

from app.calendar.rules import WorkCalendar


@pytest.fixture(scope="module")
def vn() -> WorkCalendar:
    return official_calendar()


@pytest.fixture(scope="module")
def plain() -> WorkCalendar:
    """Mon–Fri only: the arithmetic without any holiday."""
    return WorkCalendar(frozenset(), frozenset())
