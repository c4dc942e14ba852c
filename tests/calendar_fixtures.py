"""Calendar fixtures shared by the integration and CLI tests: fresh cache, reference tables put back."""
from __future__ import annotations

import pytest

from app.calendar import services
from app.calendar.models import CalendarOverride, WorkingHours
from app.extensions import db
from tests.dbutil import raw_transaction


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """No calendar cached by an earlier test may leak into this one."""
    services.clear_cache()
    yield
    services.clear_cache()


@pytest.fixture
def restore_calendar():
    """Snapshot the overrides and working hours, and restore them after the test (which may commit)."""
    tables = (CalendarOverride.__table__, WorkingHours.__table__)
    with raw_transaction() as conn:
        saved = {table: [dict(row._mapping) for row in conn.execute(table.select())] for table in tables}
    yield
    db.session.rollback()
    with raw_transaction() as conn:
        for table, rows in saved.items():
            conn.execute(table.delete())
            if rows:
                conn.execute(table.insert(), rows)
    services.clear_cache()
