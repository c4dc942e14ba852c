"""Calendar services against the migrated database: seeded schedules, overrides, agencies and the cache."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.calendar import services
from app.calendar.models import CalendarOverride, OverrideKind, OverrideSource
from app.calendar.rules import LOCAL_TZ
from app.core.db import unit_of_work
from app.core.errors import NotFoundError, ValidationError
from app.extensions import db
from tests.factories.auth import AgencyFactory


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def weekdays_off(year: int, agency_id: int | None = None) -> set[date]:
    calendar = services.get_calendar(agency_id)
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return {d for d in days if d.year == year and d.weekday() < 5 and not calendar.is_working_day(d)}


def working_saturdays(year: int) -> set[date]:
    calendar = services.get_calendar()
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return {d for d in days if d.year == year and d.weekday() == 5 and calendar.is_working_day(d)}


class TestSeededSchedules:
    def test_2025_days_off_are_exactly_the_official_schedule(self):
        assert weekdays_off(2025) == {
            date(2025, 1, 1), *(date(2025, 1, d) for d in range(27, 32)), date(2025, 4, 7), date(2025, 4, 30),
            date(2025, 5, 1), date(2025, 5, 2), date(2025, 9, 1), date(2025, 9, 2)}
        assert working_saturdays(2025) == {date(2025, 4, 26)}

    def test_2026_days_off_are_exactly_the_official_schedule(self):
        assert weekdays_off(2026) == {
            date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in range(16, 21)), date(2026, 4, 27),
            date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)}
        assert working_saturdays(2026) == {date(2026, 1, 10), date(2026, 8, 22)}

    def test_2027_follows_the_law_until_announced(self):
        off = weekdays_off(2027)
        assert {date(2027, 1, 1), date(2027, 4, 16), date(2027, 4, 30), date(2027, 5, 3), date(2027, 9, 2),
                date(2027, 9, 3)} <= off
        assert len(off - {date(2027, 1, 1), date(2027, 4, 16), date(2027, 4, 30), date(2027, 5, 3),
                          date(2027, 9, 2), date(2027, 9, 3)}) == 5  # Tết: five weekdays around 6 Feb

    def test_culture_day_is_seeded_disabled_for_2025_to_2027(self):
        rows = [r for r in services.list_overrides() if r.day.month == 11 and r.day.day == 24]
        assert [r.day.year for r in rows] == [2025, 2026, 2027]
        assert not any(r.is_enabled for r in rows)

    def test_seeded_rows_are_nationwide_official_entries(self):
        rows = services.list_overrides(2026)
        assert all(r.agency_id is None for r in rows)
        assert {r.source for r in rows} == {OverrideSource.OFFICIAL, OverrideSource.LAW}


class TestDueDate:
    def test_due_date_uses_the_official_schedule(self):
        assert services.due_date(local(2026, 2, 13, 10), 1) == local(2026, 2, 23, 10)
        assert services.due_date(local(2026, 1, 9, 10), 1) == local(2026, 1, 10, 10)

    def test_due_date_accepts_utc_values_from_the_database(self):
        due = services.due_date(local(2027, 3, 1, 9).astimezone(UTC), 1)
        assert due == datetime(2027, 3, 2, 2, 0, tzinfo=UTC) and due.tzinfo == LOCAL_TZ

    @pytest.mark.parametrize(("start", "days", "policy"), [
        (datetime(2027, 3, 1, 9), 1, "hours"),
        (local(2027, 3, 1, 9), -1, "hours"),
        (local(2027, 3, 1, 9), float("nan"), "hours"),
        (local(2027, 3, 1, 9), 100_000, "hours"),
        (local(2027, 3, 1, 9), 1, "lunar"),
    ], ids=["naive", "negative", "nan", "absurd", "policy"])
    def test_bad_input_is_refused_in_both_languages(self, start, days, policy):
        with pytest.raises(ValidationError) as error:
            services.due_date(start, days, policy)
        assert error.value.message_vi != error.value.message_en

    def test_working_hours_between_skips_tet(self):
        assert services.working_hours_between(local(2026, 2, 13, 7, 30), local(2026, 2, 23, 7, 30)) == 8


class TestOverrides:
    def test_day_off_changes_due_dates_immediately(self):
        assert services.due_date(local(2027, 3, 1, 9), 1) == local(2027, 3, 2, 9)
        services.add_day_off("admin", date(2027, 3, 2), "Nghỉ đột xuất")
        assert services.due_date(local(2027, 3, 1, 9), 1) == local(2027, 3, 3, 9)

    def test_workday_makes_a_saturday_count(self):
        services.add_workday("admin", date(2027, 3, 6), "Làm bù")
        assert services.due_date(local(2027, 3, 5, 16), 1) == local(2027, 3, 6, 16)

    def test_workday_cancels_a_law_holiday(self):
        services.add_workday("admin", date(2027, 4, 16), "Đổi ngày nghỉ")
        assert services.due_date(local(2027, 4, 15, 10), 1) == local(2027, 4, 16, 10)

    def test_setting_the_same_day_twice_replaces_the_entry(self):
        services.add_day_off("admin", date(2027, 3, 2), "Nghỉ")
        row = services.add_workday("admin", date(2027, 3, 2), "Làm lại")
        assert row.kind == OverrideKind.WORK and row.source == OverrideSource.ADMIN
        assert len([r for r in services.list_overrides(2027) if r.day == date(2027, 3, 2)]) == 1

    def test_enabling_culture_day_moves_due_dates(self):
        assert services.due_date(local(2026, 11, 23, 10), 1) == local(2026, 11, 24, 10)
        services.set_override_enabled("admin", date(2026, 11, 24), True)
        assert services.due_date(local(2026, 11, 23, 10), 1) == local(2026, 11, 25, 10)

    def test_removing_an_official_day_off_restores_the_law(self):
        services.remove_override("admin", date(2026, 1, 2))
        assert services.get_calendar().is_working_day(date(2026, 1, 2))

    def test_unknown_override_is_not_found(self):
        with pytest.raises(NotFoundError):
            services.set_override_enabled("admin", date(2027, 3, 2), True)

    @pytest.mark.parametrize(("day", "name"), [(date(2027, 3, 2), "  "), (date(1999, 1, 1), "Cũ")])
    def test_bad_override_is_refused(self, day, name):
        with pytest.raises(ValidationError):
            services.add_day_off("admin", day, name)


class TestAgencies:
    def test_agency_override_applies_to_that_agency_only(self):
        agency = AgencyFactory()
        services.add_day_off("admin", date(2027, 3, 2), "Nghỉ địa phương", agency_id=agency.id)
        assert services.due_date(local(2027, 3, 1, 9), 1, agency_id=agency.id) == local(2027, 3, 3, 9)
        assert services.due_date(local(2027, 3, 1, 9), 1) == local(2027, 3, 2, 9)

    def test_agency_override_wins_over_the_nationwide_entry(self):
        agency = AgencyFactory()
        services.add_workday("admin", date(2026, 1, 2), "Trực", agency_id=agency.id)
        assert services.get_calendar(agency.id).is_working_day(date(2026, 1, 2))
        assert not services.get_calendar().is_working_day(date(2026, 1, 2))

    def test_agency_working_hours_change_the_arithmetic(self):
        agency = AgencyFactory()
        services.set_working_hours("admin", "07:00-11:00,13:30-17:30", agency_id=agency.id,
                                   effective_from=date(2020, 1, 1))
        assert services.due_date(local(2027, 3, 1, 10), 0.5, agency_id=agency.id) == local(2027, 3, 1, 16, 30)

    def test_bad_working_hours_are_refused(self):
        with pytest.raises(ValidationError):
            services.set_working_hours("admin", "17:00-07:00")

    def test_unknown_agency_code_is_not_found(self):
        with pytest.raises(NotFoundError):
            services.get_agency_id("NOPE")


class TestCache:
    def test_cached_calendar_is_reused_without_queries(self, count_queries):
        first = services.get_calendar()
        count_queries.statements.clear()
        assert services.get_calendar() is first
        assert count_queries.count == 0

    def test_committed_change_invalidates_the_cache_at_once(self, restore_calendar):
        services.get_calendar()
        with unit_of_work():
            services.add_day_off("admin", date(2027, 3, 2), "Nghỉ")
        assert not services.get_calendar().is_working_day(date(2027, 3, 2))

    def test_rolled_back_change_leaves_no_trace(self, restore_calendar):
        with pytest.raises(RuntimeError), unit_of_work():
            services.add_day_off("admin", date(2027, 3, 2), "Nghỉ")
            assert not services.get_calendar().is_working_day(date(2027, 3, 2))
            raise RuntimeError("abort")
        assert services.get_calendar().is_working_day(date(2027, 3, 2))

    def test_change_by_another_process_is_seen_after_the_recheck_delay(self, restore_calendar, sql, monkeypatch):
        clock = [1000.0]
        monkeypatch.setattr(services, "monotonic", lambda: clock[0])
        assert services.get_calendar().is_working_day(date(2026, 11, 24))
        sql("UPDATE calendar_overrides SET is_enabled = :on WHERE day = :day", on=True, day=date(2026, 11, 24))
        assert services.get_calendar().is_working_day(date(2026, 11, 24))  # still cached
        clock[0] += services.RECHECK_SECONDS + 1
        assert not services.get_calendar().is_working_day(date(2026, 11, 24))

    def test_new_row_by_another_process_is_seen_after_the_recheck_delay(self, restore_calendar, sql, monkeypatch):
        clock = [1000.0]
        monkeypatch.setattr(services, "monotonic", lambda: clock[0])
        calendar = services.get_calendar()
        with unit_of_work():
            row = CalendarOverride(day=date(2027, 3, 2), kind=OverrideKind.OFF, name="Nghỉ")
            db.session.add(row)  # behind the services' back, like another process would
        clock[0] += services.RECHECK_SECONDS + 1
        assert services.get_calendar() is not calendar
        assert not services.get_calendar().is_working_day(date(2027, 3, 2))
