"""The bulk generator's shortcuts give exactly what the calendar and the history chain give: instants counted in
working time (Clock) and event hashes filled into a template (Hasher)."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.calendar.rules import WorkCalendar
from app.demo.generate import Clock, Hasher
from app.history.chain import GENESIS, HASHED_FIELDS, canonical_at, event_hash
from app.reports.calendar_memo import memoised

CALENDAR = WorkCalendar(days_off={date(2026, 2, 16), date(2026, 2, 17), date(2026, 4, 30)},
                        extra_workdays={date(2026, 1, 10)})


def test_counted_instants_are_the_calendars_instants():
    calendar, rng = memoised(CALENDAR), random.Random(7)
    for sqlite in (False, True):
        clock = Clock(calendar, sqlite=sqlite)
        start = clock.of(datetime(2025, 12, 1, tzinfo=UTC))
        for _ in range(3000):
            total = start + rng.randrange(1, 200 * calendar._day_us)
            instant = CALENDAR._instant(total)
            assert clock.of(instant) == total
            day, time_of_day, stamp = clock.utc(total)
            assert f"{day}T{time_of_day}Z" == canonical_at(instant)
            utc = instant.astimezone(UTC)
            assert stamp == (utc.strftime("%Y-%m-%d %H:%M:%S.%f") + ("" if sqlite else "+00"))
            assert clock.day(total) == instant.toordinal() and clock.month(total) == instant.month
            days = rng.choice((0.5, 1, 2.25, 7, 10))  # a step's budget is an addition
            due = total + int(days * calendar._day_us)
            assert CALENDAR._instant(due) == CALENDAR.due(instant, Decimal(str(days)))
            finished = total + rng.randrange(1, 12 * calendar._day_us)
            assert clock.classify(finished, due) == CALENDAR.classify(CALENDAR._instant(finished),
                                                                       CALENDAR._instant(due))
            clock.forget()


def test_period_ends_and_day_boundaries():
    clock = Clock(memoised(CALENDAR))
    friday_close = datetime(2026, 1, 9, 17, 0, tzinfo=CALENDAR.tz)  # then Saturday 10 Jan is a working day
    total = clock.of(friday_close)
    assert clock.utc(total)[:2] == ("2026-01-09", "10:00:00.000000")
    assert clock.utc(total + 1)[:2] == ("2026-01-10", "00:30:00.000001")
    assert clock.utc(clock.of(datetime(2026, 1, 12, 11, 30, tzinfo=CALENDAR.tz)))[1] == "04:30:00.000000"


def test_templated_hashes_are_the_chains_hashes():
    hasher, rng = Hasher(), random.Random(3)
    names = ("Tiếp nhận hồ sơ", 'Thẩm định "hồ sơ" \\ 100%', None, "Trả kết quả\tngay", "{x}")
    at = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
    prev = GENESIS
    for seq in range(1, 200):
        rating = rng.choice((None, "very_satisfied", "satisfied", "unsatisfied"))
        fields = {name: None for name in HASHED_FIELDS} | {
            "seq": seq, "kind": rng.choice(("received", "task_completed", "rated")), "at": at,
            "agency_id": rng.choice((None, 1, 38)), "role": rng.choice(("receiver", None, "lãnh đạo")),
            "from_step": rng.choice(names), "to_step": rng.choice(names), "is_internal": False,
            "data": {"rating": rating} if rating else {}, "prev_hash": prev}
        fast = hasher.hash(hasher.template(fields["data"] or None), seq, fields["kind"], canonical_at(at),
                           fields["agency_id"], fields["role"], fields["from_step"], fields["to_step"], prev)
        assert fast == event_hash(fields)
        prev, at = fast, at + timedelta(minutes=17)
