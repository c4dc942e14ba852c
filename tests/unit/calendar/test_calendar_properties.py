"""Properties of the working-time arithmetic, checked with hypothesis against a slow day-by-day reference."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from official_schedules import official_calendar

from app.calendar.rules import LOCAL_TZ, WorkCalendar

VN = official_calendar()
PLAIN = WorkCalendar()

instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 6, 30),
                        timezones=st.just(LOCAL_TZ))
eighths = st.integers(min_value=0, max_value=160).map(lambda k: k / 8)  # up to 20 days, in whole hours
positive = st.integers(min_value=1, max_value=160).map(lambda k: k / 8)
calendars = st.sampled_from([VN, PLAIN])
days_2026 = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
random_calendars = st.builds(
    lambda off, work: WorkCalendar(frozenset(off), frozenset(work)),
    st.sets(days_2026, max_size=60), st.sets(days_2026, max_size=20))


def in_working_time(calendar: WorkCalendar, t: datetime) -> bool:
    """Inside a period, or exactly at a period end, on a working day."""
    local = t.astimezone(calendar.tz)
    if not calendar.is_working_day(local.date()):
        return False
    return any(start <= local.time() <= end for start, end in calendar.periods)


def reference_add_hours(calendar: WorkCalendar, start: datetime, hours: float) -> datetime:
    """Walk period by period: obviously right, too slow for production."""
    t = calendar.start_of_work(start)
    left = timedelta(hours=hours)
    day = t.date()
    while True:
        if calendar.is_working_day(day):
            for begin, end in calendar.periods:
                lo = max(datetime.combine(day, begin, tzinfo=calendar.tz), t)
                hi = datetime.combine(day, end, tzinfo=calendar.tz)
                if lo < hi:
                    if hi - lo >= left:
                        return lo + left
                    left -= hi - lo
        day += timedelta(days=1)


class TestDueProperties:
    @given(calendars, instants, positive, positive)
    def test_due_is_additive(self, calendar, t, a, b):
        assert calendar.due(calendar.due(t, a), b) == calendar.due(t, a + b)

    @given(calendars, instants, st.sampled_from(["hours", "civil"]))
    def test_zero_days_is_the_close_of_the_working_day_the_clock_starts(self, calendar, t, policy):
        # 0 = the same day (issue 20.4): not an amount of time, so it is outside the additive property.
        begin = calendar.start_of_work(t)
        due = calendar.due(t, 0, policy)
        assert due.date() == begin.date() and due.time() == calendar.periods[-1][1]

    @given(calendars, instants, eighths, st.sampled_from(["hours", "civil"]))
    def test_due_never_lands_outside_working_time(self, calendar, t, days, policy):
        assert in_working_time(calendar, calendar.due(t, days, policy))

    @given(calendars, instants, positive, positive)
    def test_due_is_monotonic_in_days(self, calendar, t, a, b):
        low, high = sorted((a, b))
        assert calendar.due(t, low) <= calendar.due(t, high)

    @given(calendars, instants, instants, eighths)
    def test_due_is_monotonic_in_receipt_time(self, calendar, t1, t2, days):
        early, late = sorted((t1, t2))
        assert calendar.due(early, days) <= calendar.due(late, days)

    @given(calendars, instants, st.integers(min_value=0, max_value=40))
    def test_hours_policy_is_never_later_than_civil(self, calendar, t, days):
        assert calendar.due(t, days, "hours") <= calendar.due(t, days, "civil")

    @given(calendars, instants, positive)
    def test_working_hours_between_start_and_due_is_the_limit(self, calendar, t, days):
        elapsed = calendar.working_hours_between(calendar.start_of_work(t), calendar.due(t, days))
        assert elapsed == days * calendar.hours_per_day

    @given(random_calendars, st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                                          timezones=st.just(LOCAL_TZ)), eighths)
    @settings(max_examples=200)
    def test_fast_arithmetic_agrees_with_the_day_by_day_reference(self, calendar, t, days):
        assume(days > 0)
        assert calendar.due(t, days) == reference_add_hours(calendar, t, days * 8)

    @given(calendars, instants, st.integers(min_value=1, max_value=40))
    def test_civil_counts_the_receipt_day_out_once(self, calendar, t, days):
        due = calendar.due(t, days, "civil")
        local = t.astimezone(calendar.tz).date()
        assert due.date() == calendar.add_working_days(local, days)


class TestIntervalProperties:
    @given(calendars, instants, instants, instants)
    def test_working_hours_between_adds_up(self, calendar, a, b, c):
        a, b, c = sorted((a, b, c))
        total = calendar.working_hours_between(a, c)
        assert abs(calendar.working_hours_between(a, b) + calendar.working_hours_between(b, c) - total) < 1e-9

    @given(random_calendars, days_2026)
    def test_next_working_day_agrees_with_a_day_by_day_walk(self, calendar, day):
        expected = day + timedelta(days=1)
        while not calendar.is_working_day(expected):
            expected += timedelta(days=1)
        assert calendar.next_working_day(day) == expected

    @given(calendars, instants, instants)
    def test_classification_is_consistent_with_overdue(self, calendar, finished, due):
        status = calendar.classify(finished, due)
        assert (status == "late") == calendar.is_overdue(finished, due)
