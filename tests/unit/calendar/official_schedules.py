"""The law (holidays.VN) plus the official 2025/2026 schedules, written out independently of the migration
so the two can be checked against each other (helper module; the directory cannot be a package named
`calendar`, which would shadow the standard library)."""
from __future__ import annotations

from datetime import date, timedelta

import holidays

from app.calendar.rules import WorkCalendar


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


OFFICIAL_OFF = {
    date(2025, 1, 1), *_span(date(2025, 1, 27), date(2025, 1, 31)), date(2025, 4, 7), date(2025, 4, 30),
    date(2025, 5, 1), date(2025, 5, 2), date(2025, 9, 1), date(2025, 9, 2),
    date(2026, 1, 1), date(2026, 1, 2), *_span(date(2026, 2, 16), date(2026, 2, 20)), date(2026, 4, 27),
    date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),
}
OFFICIAL_WORK = {date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)}


def official_calendar() -> WorkCalendar:
    """Law holidays 2024–2028 without the unsure Culture Day, plus the announced 2025/2026 schedules."""
    law = holidays.VN(years=range(2024, 2029), language="en_US")
    law_off = {d for d, name in law.items() if "Cultural Day" not in name}
    return WorkCalendar(frozenset(law_off | OFFICIAL_OFF), frozenset(set(law.weekend_workdays) | OFFICIAL_WORK))
