"""The memoised calendar copy gives exactly the shared calendar's working-time answers (it only caches)."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from app.calendar.rules import WorkCalendar
from app.reports.calendar_memo import memoised


def test_same_answers_as_the_calendar_it_copies():
    calendar = WorkCalendar(days_off={date(2026, 2, 16), date(2026, 2, 17), date(2026, 4, 30)},
                            extra_workdays={date(2026, 1, 10)})
    fast, rng = memoised(calendar), random.Random(5)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    for _ in range(3000):
        a = start + timedelta(minutes=rng.randrange(0, 200 * 24 * 60))
        b = a + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        days = rng.choice((0.5, 1, 2.25, 7, 10))
        assert fast.working_hours_between(a, b) == calendar.working_hours_between(a, b)
        assert fast.due(a, days) == calendar.due(a, days)
        assert fast.classify(b, a) == calendar.classify(b, a)
    assert fast.is_working_day(date(2026, 1, 10)) and not fast.is_working_day(date(2026, 2, 16))
