"""A private, memoised copy of a working calendar for computations over many rows (bulk generation, the process
heatmap, the early warning's fit): the same rules, with the day arithmetic cached (the same few thousand days,
looked up millions of times). The shared cached calendar (app.calendar.services) is left as it is."""
from __future__ import annotations

from datetime import datetime

from app.calendar.rules import WorkCalendar


class _MemoCalendar(WorkCalendar):
    """The same working-time rules with the day arithmetic memoised (the same few thousand days, millions of
    times), for one bulk load; the shared cached calendar is left as it is."""

    def _nth_day(self, index: int) -> int:
        found = self._memo_nth.get(index)
        if found is None:
            found = self._memo_nth[index] = super()._nth_day(index)
        return found

    def _elapsed(self, local: datetime) -> int:
        """As WorkCalendar._elapsed, with each day's offset and working flag looked up once."""
        ordinal = local.toordinal()
        day = self._memo_day.get(ordinal)
        if day is None:
            day = self._memo_day[ordinal] = (self._days_before(ordinal) * self._day_us,
                                             self.is_working_day(local.date()))
        base, working = day
        if not working:
            return base
        us = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        for start, end in self._spans:
            if us > start:
                base += (us if us < end else end) - start
        return base

    def _days_before(self, ordinal: int) -> int:
        found = self._memo_before.get(ordinal)
        if found is None:
            found = self._memo_before[ordinal] = super()._days_before(ordinal)
        return found


def memoised(calendar: WorkCalendar) -> WorkCalendar:
    own = object.__new__(_MemoCalendar)
    for klass in type(calendar).__mro__:
        for name in getattr(klass, "__slots__", ()):
            if hasattr(calendar, name):
                object.__setattr__(own, name, getattr(calendar, name))
    own._memo_nth, own._memo_before, own._memo_day = {}, {}, {}
    return own
