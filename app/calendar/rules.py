"""Working-time arithmetic (domain.md §3): pure, no database, no Flask.

Every input must be timezone-aware; every datetime returned is aware and expressed in the calendar's
local zone (Asia/Ho_Chi_Minh by default), so it compares and stores correctly next to the UTC values
the database hands back.

Speed: working days are counted with O(log n) arithmetic (Mon–Fri per whole week, corrected by
bisecting the sorted exceptions), never by walking day by day, because this runs for every inbox row.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))

Policy = Literal["hours", "civil"]
Status = Literal["early", "on_time", "late"]
Urgency = Literal["ok", "soon", "late"]
POLICIES: tuple[str, ...] = ("hours", "civil")

US_PER_HOUR = 3_600_000_000
_MIN_ORDINAL = 1
_MAX_ORDINAL = date.max.toordinal()


def _us_of_day(t: time) -> int:
    """Microseconds since midnight: integer arithmetic keeps due(due(t, a), b) exact."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _time_of_us(us: int) -> time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _weekdays_before(ordinal: int) -> int:
    """Count Mondays–Fridays with a smaller ordinal (ordinal 1, 1 Jan year 1, is a Monday)."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def to_us(amount: float | int | Decimal, unit_us: int) -> int:
    """Convert days or hours to whole microseconds via Decimal so 0.1 day does not drift."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not value.is_finite():
        raise ValueError(f"not a finite number: {amount!r}")
    return int((value * unit_us).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_periods(text: str) -> tuple[tuple[time, time], ...]:
    """Parse "07:30-11:30,13:00-17:00" (the working_hours.periods column) into validated periods."""
    try:
        pairs = [part.strip().split("-") for part in text.split(",") if part.strip()]
        periods = tuple((time.fromisoformat(a.strip()), time.fromisoformat(b.strip())) for a, b in pairs)
    except ValueError as error:
        raise ValueError(f"invalid working periods {text!r}: expected HH:MM-HH:MM,...") from error
    return check_periods(periods)


def format_periods(periods: Iterable[tuple[time, time]]) -> str:
    """Inverse of parse_periods."""
    return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in periods)


def check_periods(periods: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Refuse empty, reversed or overlapping periods: the arithmetic relies on sorted disjoint spans."""
    result = tuple((a, b) for a, b in periods)
    if not result:
        raise ValueError("at least one working period is required")
    previous_end: time | None = None
    for start, end in result:
        if start.tzinfo or end.tzinfo or start >= end or (previous_end is not None and start < previous_end):
            raise ValueError("working periods must be naive local times, sorted, non-empty and disjoint")
        previous_end = end
    return result


class WorkCalendar:
    """Working days and hours of one agency; immutable, so one instance is safely shared by threads."""

    __slots__ = ("days_off", "extra_workdays", "periods", "tz", "_spans", "_day_us", "_off", "_extra")

    def __init__(self, days_off: Iterable[date] = frozenset(), extra_workdays: Iterable[date] = frozenset(),
                 periods: Iterable[tuple[time, time]] = DEFAULT_PERIODS, tz: ZoneInfo = LOCAL_TZ) -> None:
        self.days_off = frozenset(days_off)
        self.extra_workdays = frozenset(extra_workdays)
        self.periods = check_periods(periods)
        self.tz = tz
        self._spans = tuple((_us_of_day(a), _us_of_day(b)) for a, b in self.periods)
        self._day_us = sum(end - start for start, end in self._spans)
        # Only exceptions that change the Mon–Fri rule matter; overrides (extra workdays) win.
        self._off = sorted(d.toordinal() for d in self.days_off - self.extra_workdays if d.weekday() < 5)
        self._extra = sorted(d.toordinal() for d in self.extra_workdays if d.weekday() >= 5)

    def __repr__(self) -> str:
        return (f"<WorkCalendar {len(self._off)} weekdays off, {len(self._extra)} extra workdays, "
                f"{format_periods(self.periods)} {self.tz}>")

    @property
    def hours_per_day(self) -> float:
        """Length of one working day (8 h by default): the unit of `days` in due()."""
        return self._day_us / US_PER_HOUR

    # -- days ---------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri unless a day off, or any day declared a working day (make-up Saturday)."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def _days_before(self, ordinal: int) -> int:
        """Working days with a smaller ordinal, in O(log n)."""
        return _weekdays_before(ordinal) - bisect_left(self._off, ordinal) + bisect_left(self._extra, ordinal)

    def _nth_day(self, index: int) -> int:
        """Ordinal of the working day that has `index` working days before it (binary search)."""
        estimate = 1 + (index // 5) * 7 + index % 5
        slack = 2 * (len(self._off) + len(self._extra)) + 14
        lo, hi = max(_MIN_ORDINAL, estimate - slack), min(_MAX_ORDINAL, estimate + slack)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._days_before(mid + 1) > index:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def next_working_day(self, day: date) -> date:
        """First working day strictly after `day`."""
        return date.fromordinal(self._nth_day(self._days_before(day.toordinal() + 1)))

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (day itself not counted, Civil Code art. 147)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        if count == 0:
            return day
        return date.fromordinal(self._nth_day(self._days_before(day.toordinal() + 1) + count - 1))

    # -- instants ------------------------------------------------------------------------------

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given; pass a timezone-aware value")
        return value.astimezone(self.tz)

    def _at(self, ordinal: int, us: int) -> datetime:
        return datetime.combine(date.fromordinal(ordinal), _time_of_us(us), tzinfo=self.tz)

    def _within_day(self, us: int) -> int:
        """Working microseconds of a working day elapsed before time-of-day `us`."""
        return sum(min(max(us - start, 0), end - start) for start, end in self._spans)

    def _elapsed(self, local: datetime) -> int:
        """Working microseconds from the origin of time to `local`: flat outside working periods."""
        ordinal = local.toordinal()
        total = self._days_before(ordinal) * self._day_us
        if self.is_working_day(local.date()):
            total += self._within_day(_us_of_day(local.time()))
        return total

    def _instant(self, total: int) -> datetime:
        """Earliest instant with `total` elapsed working microseconds (a period end when exact)."""
        index, rest = divmod(total - 1, self._day_us)
        rest += 1
        ordinal = self._nth_day(index)
        for start, end in self._spans:
            if rest <= end - start:
                return self._at(ordinal, start + rest)
            rest -= end - start
        raise AssertionError("unreachable: rest never exceeds one working day")

    def _day_start(self, ordinal: int) -> datetime:
        return self._at(ordinal, self._spans[0][0])

    def start_of_work(self, t: datetime, cutoff: time | None = None) -> datetime:
        """When the clock starts: `t` inside a period, else the next period start; at/after `cutoff` the next day."""
        local = self._local(t)
        ordinal = local.toordinal()
        if self.is_working_day(local.date()) and (cutoff is None or local.time() < cutoff):
            now = _us_of_day(local.time())
            for start, end in self._spans:
                if now < start:
                    return self._at(ordinal, start)
                if now < end:
                    return local
        return self._day_start(self._nth_day(self._days_before(ordinal + 1)))

    def add_working_hours(self, start: datetime, hours: float | int | Decimal) -> datetime:
        """Instant when `hours` of working time have elapsed after `start` (negative: before it)."""
        amount = to_us(hours, US_PER_HOUR)
        if amount == 0:
            return self.start_of_work(start)
        total = self._elapsed(self._local(start)) + amount
        if total <= 0:
            raise ValueError("result before the start of the calendar")
        return self._instant(total)

    def due(self, start: datetime, days: float | int | Decimal, policy: Policy = "hours",
            cutoff: time | None = None, *, deem_next_day: bool = False) -> datetime:
        """Due instant of a limit of `days` working days received at `start` (domain.md §3.5).

        0 days = the same day: the close of the working day on which the clock starts (the receipt day when
        received before the cut-off and inside working hours, else the next working day).
        `civil`: the receipt day is not counted, day 1 is the next working day, due at the close of day N; an
        after-hours or after-cut-off receipt counts from its calendar date unless `deem_next_day` (then it is
        deemed received on the next working day, whose close is day 0) [unsure in domain.md: a rule-set setting].
        """
        amount = to_us(days, self._day_us)
        if amount < 0:
            raise ValueError("days must be >= 0")
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; expected one of {POLICIES}")
        begin = self.start_of_work(start, cutoff)
        if amount == 0:
            return self._day_end(begin.toordinal())
        if policy == "hours":
            return self._instant(self._elapsed(begin) + amount)
        whole_days = -(-amount // self._day_us)  # fractions round up to whole days
        received = begin.toordinal() if deem_next_day else self._local(start).toordinal()
        return self._day_end(self._nth_day(self._days_before(received + 1) + whole_days - 1))

    def _day_end(self, ordinal: int) -> datetime:
        return self._at(ordinal, self._spans[-1][1])

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Hours of working time in [a, b); 0 when b <= a."""
        if b <= a:
            return 0.0
        return (self._elapsed(self._local(b)) - self._elapsed(self._local(a))) / US_PER_HOUR

    # -- status --------------------------------------------------------------------------------

    def classify(self, finished_at: datetime, due_at: datetime) -> Status:
        """Early = an earlier local day than the due day; on time = due day up to the due instant; else late."""
        finished, due = self._local(finished_at), self._local(due_at)
        if finished > due:
            return "late"
        return "early" if finished.date() < due.date() else "on_time"

    def is_overdue(self, now: datetime, due_at: datetime) -> bool:
        """Open after the due instant."""
        return now > due_at

    def time_left_hours(self, now: datetime, due_at: datetime) -> float:
        """Working hours left until due (negative: working hours late)."""
        if now <= due_at:
            return self.working_hours_between(now, due_at)
        return -self.working_hours_between(due_at, now)

    def urgency(self, now: datetime, due_at: datetime) -> Urgency:
        """Colour of an open item: late (red), within one working day (amber), else ok (green)."""
        if now > due_at:
            return "late"
        return "soon" if self.working_hours_between(now, due_at) <= self.hours_per_day else "ok"
