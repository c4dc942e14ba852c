"""Working time, due dates and status (domain.md §3) on the pure WorkCalendar: no database involved."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from app.calendar.rules import LOCAL_TZ, WorkCalendar, format_periods, parse_periods


def local(*args: int) -> datetime:
    """local(2027, 3, 1, 9) = Monday 1 March 2027 09:00 in Asia/Ho_Chi_Minh."""
    return datetime(*args, tzinfo=LOCAL_TZ)


class TestWorkingDay:
    def test_weekdays_work_and_weekends_rest_without_overrides(self, plain):
        assert [plain.is_working_day(date(2027, 3, d)) for d in range(1, 8)] == [True] * 5 + [False] * 2

    def test_law_holiday_is_not_a_working_day(self, vn):
        assert not vn.is_working_day(date(2025, 9, 2))

    def test_make_up_saturday_is_a_working_day(self, vn):
        assert vn.is_working_day(date(2026, 1, 10)) and vn.is_working_day(date(2025, 4, 26))

    def test_extra_workday_wins_over_the_same_day_off(self):
        day = date(2027, 3, 3)
        assert WorkCalendar(frozenset({day}), frozenset({day})).is_working_day(day)

    def test_culture_day_is_left_to_the_switchable_override(self, vn):
        assert vn.is_working_day(date(2026, 11, 24))

    def test_next_working_day_skips_tet(self, vn):
        assert vn.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)

    def test_add_working_days_does_not_count_the_start_day(self, vn):
        assert vn.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
        assert vn.add_working_days(date(2026, 1, 9), 0) == date(2026, 1, 9)


class TestStartOfWork:
    @pytest.mark.parametrize(("received", "starts"), [
        (local(2027, 3, 1, 9), local(2027, 3, 1, 9)),
        (local(2027, 3, 1, 6, 45), local(2027, 3, 1, 7, 30)),
        (local(2027, 3, 1, 12, 10), local(2027, 3, 1, 13)),
        (local(2027, 3, 1, 11, 30), local(2027, 3, 1, 13)),
        (local(2027, 3, 1, 17), local(2027, 3, 2, 7, 30)),
        (local(2027, 3, 5, 17, 30), local(2027, 3, 8, 7, 30)),
        (local(2027, 3, 6, 10), local(2027, 3, 8, 7, 30)),
    ], ids=["inside", "before-opening", "lunch", "period-end", "closing", "friday-evening", "saturday"])
    def test_start_is_the_instant_or_the_next_period_start(self, plain, received, starts):
        assert plain.start_of_work(received) == starts

    def test_receipt_on_a_holiday_starts_next_working_day(self, vn):
        assert vn.start_of_work(local(2025, 9, 2, 9)) == local(2025, 9, 3, 7, 30)

    def test_receipt_at_or_after_cutoff_starts_next_working_day(self, vn):
        assert vn.start_of_work(local(2027, 3, 1, 15), cutoff=time(15)) == local(2027, 3, 2, 7, 30)
        assert vn.start_of_work(local(2027, 3, 5, 16), cutoff=time(15)) == local(2027, 3, 8, 7, 30)

    def test_receipt_before_cutoff_is_unchanged(self, vn):
        assert vn.start_of_work(local(2027, 3, 1, 14, 59), cutoff=time(15)) == local(2027, 3, 1, 14, 59)

    def test_utc_input_is_read_in_local_time(self, plain):
        started = plain.start_of_work(datetime(2027, 3, 1, 5, 0, tzinfo=UTC))
        assert started == local(2027, 3, 1, 13) and started.tzinfo == LOCAL_TZ

    def test_naive_input_is_refused(self, plain):
        with pytest.raises(ValueError, match="naive"):
            plain.start_of_work(datetime(2027, 3, 1, 9))


class TestDueHoursPolicy:
    @pytest.mark.parametrize(("received", "days", "due"), [
        (local(2027, 3, 1, 9), 1, local(2027, 3, 2, 9)),
        (local(2027, 3, 5, 16), 1, local(2027, 3, 8, 16)),
        (local(2027, 3, 1, 10), 0.5, local(2027, 3, 1, 15, 30)),
        (local(2027, 3, 1, 11, 30), 1, local(2027, 3, 2, 11, 30)),
        (local(2027, 3, 5, 17, 30), 1, local(2027, 3, 8, 17)),
        (local(2027, 3, 1, 9), 5, local(2027, 3, 8, 9)),
        (local(2027, 3, 1, 9), 15, local(2027, 3, 22, 9)),
    ], ids=["mon+1", "fri+1", "half-day-over-lunch", "from-period-end", "after-hours-friday", "week", "3-weeks"])
    def test_due_matches_the_domain_examples(self, vn, received, days, due):
        assert vn.due(received, days) == due

    def test_due_skips_tet_when_received_friday_before(self, vn):
        assert vn.due(local(2026, 2, 13, 10), 1) == local(2026, 2, 23, 10)
        assert vn.due(local(2025, 1, 24, 15), 1) == local(2025, 2, 3, 15)

    def test_due_skips_national_day_and_its_adjacent_day(self, vn):
        assert vn.due(local(2025, 8, 29, 9), 1) == local(2025, 9, 3, 9)
        assert vn.due(local(2026, 8, 28, 9), 1) == local(2026, 9, 3, 9)
        assert vn.due(local(2027, 9, 1, 9), 1) == local(2027, 9, 6, 9)

    def test_due_skips_hung_kings_day_and_its_compensation(self, vn):
        assert vn.due(local(2025, 4, 4, 14), 1) == local(2025, 4, 8, 14)
        assert vn.due(local(2026, 4, 24, 10), 1) == local(2026, 4, 28, 10)
        assert vn.due(local(2027, 4, 15, 10), 1) == local(2027, 4, 19, 10)

    def test_due_lands_on_make_up_saturdays(self, vn):
        assert vn.due(local(2026, 1, 9, 10), 1) == local(2026, 1, 10, 10)
        assert vn.due(local(2025, 4, 25, 10), 1) == local(2025, 4, 26, 10)
        assert vn.due(local(2026, 8, 21, 10), 1) == local(2026, 8, 22, 10)

    def test_due_skips_swapped_days(self, vn):
        assert vn.due(local(2025, 12, 31, 10), 1) == local(2026, 1, 5, 10)
        assert vn.due(local(2027, 4, 29, 10), 1) == local(2027, 5, 4, 10)

    def test_receipt_on_a_holiday_counts_from_the_next_working_day(self, vn):
        assert vn.due(local(2026, 2, 17, 9), 1) == local(2026, 2, 23, 17)

    def test_half_day_may_end_exactly_at_a_period_end(self, plain):
        assert plain.due(local(2027, 3, 1, 7, 30), 0.5) == local(2027, 3, 1, 11, 30)
        assert plain.due(local(2027, 3, 1, 7, 30), 1) == local(2027, 3, 1, 17)
        assert plain.due(local(2027, 3, 1, 14), Decimal("0.5")) == local(2027, 3, 2, 8, 30)

    def test_zero_days_is_the_close_of_that_working_day(self, plain):
        # issue 20.4: Law on Civil Status art. 5(3), same day when received before the cut-off
        assert plain.due(local(2027, 3, 1, 12), 0) == local(2027, 3, 1, 17)
        assert plain.due(local(2027, 3, 1, 14), 0, cutoff=time(15)) == local(2027, 3, 1, 17)
        assert plain.due(local(2027, 3, 1, 15), 0, cutoff=time(15)) == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 5, 17, 30), 0) == local(2027, 3, 8, 17)

    def test_cutoff_moves_late_receipts_to_the_next_morning(self, plain):
        assert plain.due(local(2027, 3, 1, 15, 30), 1, cutoff=time(15)) == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 1, 14, 59), 0.5, cutoff=time(15)) == local(2027, 3, 2, 9, 29)

    def test_agency_periods_change_the_arithmetic(self):
        calendar = WorkCalendar(periods=parse_periods("07:00-11:00,13:30-17:30"))
        assert calendar.due(local(2027, 3, 1, 10), 0.5) == local(2027, 3, 1, 16, 30)

    def test_short_day_agency_counts_days_in_its_own_hours(self):
        calendar = WorkCalendar(periods=parse_periods("08:00-12:00"))
        assert calendar.hours_per_day == 4
        assert calendar.due(local(2027, 3, 1, 10), 1) == local(2027, 3, 2, 10)

    def test_negative_days_and_unknown_policy_are_refused(self, plain):
        with pytest.raises(ValueError):
            plain.due(local(2027, 3, 1, 9), -1)
        with pytest.raises(ValueError, match="policy"):
            plain.due(local(2027, 3, 1, 9), 1, policy="calendar")  # type: ignore[arg-type]


class TestDueCivilPolicy:
    def test_receipt_day_is_not_counted(self, plain):
        assert plain.due(local(2027, 3, 1, 9), 1, "civil") == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 5, 16), 1, "civil") == local(2027, 3, 8, 17)

    def test_fractions_round_up_to_whole_days(self, plain):
        assert plain.due(local(2027, 3, 1, 10), 0.5, "civil") == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 1, 10), 1.2, "civil") == local(2027, 3, 3, 17)

    def test_after_hours_receipt_day_is_not_counted_once(self, plain):
        # issue 20.6: Mon 17:30 + 1 -> Tue (domain.md: day 1 is the next working day), not Wed
        assert plain.due(local(2027, 3, 1, 17, 30), 1, "civil") == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 1, 18), 1, "civil") == local(2027, 3, 2, 17)

    def test_after_hours_receipt_deemed_next_working_day_is_a_setting(self, plain):
        assert plain.due(local(2027, 3, 1, 18), 1, "civil", deem_next_day=True) == local(2027, 3, 3, 17)

    def test_non_working_day_receipt_counts_from_the_next_working_day(self, vn):
        # Sat 14/2/2026 + 1: the next working day after Tết is Mon 23/2
        assert vn.due(local(2026, 2, 14, 14), 1, "civil") == local(2026, 2, 23, 17)

    def test_civil_skips_tet(self, vn):
        assert vn.due(local(2026, 2, 13, 10), 1, "civil") == local(2026, 2, 23, 17)

    def test_zero_days_is_the_close_of_the_receipt_day(self, plain):
        assert plain.due(local(2027, 3, 1, 10), 0, "civil") == local(2027, 3, 1, 17)

    def test_cutoff_does_not_shift_civil_twice(self, plain):
        assert plain.due(local(2027, 3, 1, 15, 30), 1, "civil", cutoff=time(15)) == local(2027, 3, 2, 17)
        assert plain.due(local(2027, 3, 1, 15, 30), 1, "civil", cutoff=time(15),
                         deem_next_day=True) == local(2027, 3, 3, 17)
        assert plain.due(local(2027, 3, 1, 15, 30), 0, "civil", cutoff=time(15)) == local(2027, 3, 2, 17)


class TestWorkingHours:
    @pytest.mark.parametrize(("a", "b", "hours"), [
        (local(2027, 3, 1, 9), local(2027, 3, 1, 10, 30), 1.5),
        (local(2027, 3, 1, 10), local(2027, 3, 1, 14), 2.5),
        (local(2027, 3, 1, 16), local(2027, 3, 2, 9), 2.5),
        (local(2027, 3, 5, 16), local(2027, 3, 8, 8, 30), 2),
        (local(2027, 3, 2, 9), local(2027, 3, 1, 9), 0),
    ], ids=["one-period", "over-lunch", "overnight", "weekend", "reversed"])
    def test_working_hours_between_counts_only_periods(self, plain, a, b, hours):
        assert plain.working_hours_between(a, b) == hours

    def test_tet_week_has_no_working_hours(self, vn):
        assert vn.working_hours_between(local(2026, 2, 13, 7, 30), local(2026, 2, 23, 7, 30)) == 8

    def test_year_2026_has_250_working_days(self, vn):
        assert vn.working_hours_between(local(2026, 1, 1), local(2027, 1, 1)) == 250 * 8

    def test_add_working_hours_forward_and_back(self, plain):
        assert plain.add_working_hours(local(2027, 3, 1, 16), 2) == local(2027, 3, 2, 8, 30)
        assert plain.add_working_hours(local(2027, 3, 2, 9), -2) == local(2027, 3, 1, 16, 30)
        assert plain.add_working_hours(local(2027, 3, 2, 7, 30), -4) == local(2027, 3, 1, 11, 30)

    def test_periods_round_trip_through_text(self):
        assert format_periods(parse_periods(" 07:30-11:30, 13:00-17:00 ")) == "07:30-11:30,13:00-17:00"

    @pytest.mark.parametrize("text", ["", "7h-11h", "11:30-07:30", "07:30-12:00,11:00-17:00"])
    def test_bad_periods_are_refused(self, text):
        with pytest.raises(ValueError):
            parse_periods(text)


class TestStatus:
    due_at = local(2027, 3, 2, 17)

    @pytest.mark.parametrize(("finished", "status"), [
        (local(2027, 3, 1, 16, 59), "early"),
        (local(2027, 2, 28, 10), "early"),
        (local(2027, 3, 2, 0, 1), "on_time"),
        (local(2027, 3, 2, 17), "on_time"),
        (local(2027, 3, 2, 17, 0, 1), "late"),
        (local(2027, 3, 3, 8), "late"),
    ], ids=["day-before", "weekend-before", "due-day-midnight", "at-due-instant", "one-second-late", "next-day"])
    def test_classify_at_the_boundaries(self, plain, finished, status):
        assert plain.classify(finished, self.due_at) == status

    def test_classify_compares_local_days_not_utc_days(self, plain):
        finished_utc = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)  # 2 March 00:30 in Hanoi
        assert plain.classify(finished_utc, self.due_at.astimezone(UTC)) == "on_time"

    def test_overdue_only_after_the_due_instant(self, plain):
        assert not plain.is_overdue(self.due_at, self.due_at)
        assert plain.is_overdue(local(2027, 3, 2, 17, 0, 1), self.due_at)

    def test_time_left_is_negative_when_late(self, plain):
        assert plain.time_left_hours(local(2027, 3, 2, 9), self.due_at) == 6.5
        assert plain.time_left_hours(local(2027, 3, 3, 9), self.due_at) == -1.5

    @pytest.mark.parametrize(("now", "urgency"), [
        (local(2027, 3, 1, 9), "ok"),
        (local(2027, 3, 1, 17), "soon"),
        (local(2027, 3, 2, 16), "soon"),
        (local(2027, 3, 2, 17, 1), "late"),
    ], ids=["more-than-a-day", "exactly-one-day", "within-the-day", "past"])
    def test_urgency_colours(self, plain, now, urgency):
        assert plain.urgency(now, self.due_at) == urgency
