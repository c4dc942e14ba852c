"""`flask calendar ...`: deadlines and the official schedules table from the command line.

`due` and `between` are contracts used by other tools: they print exactly one line on stdout
(logs go to stderr) and read/print local time (Asia/Ho_Chi_Minh).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.calendar import services
from app.calendar.models import CalendarOverride
from app.calendar.rules import LOCAL_TZ, POLICIES
from app.core.db import unit_of_work
from app.core.errors import AppError

calendar_cli = AppGroup("calendar", help="Lịch làm việc, ngày nghỉ, hạn xử lý / working calendar and due dates.")

# Negative numbers must reach our validation (bilingual message) instead of looking like options.
_ARGS_LIKE_NUMBERS = {"ignore_unknown_options": True}


def _fail(vi: str, en: str) -> click.ClickException:
    return click.ClickException(f"{vi} / {en}")


@contextmanager
def _bilingual_errors() -> Iterator[None]:
    """Turn domain and database errors into one readable line and a non-zero exit, never a traceback."""
    try:
        yield
    except AppError as error:
        raise _fail(error.message_vi, error.message_en) from error
    except (OperationalError, ProgrammingError) as error:
        raise _fail("Cơ sở dữ liệu chưa sẵn sàng (chạy `flask db upgrade`)",
                    f"database not ready, run `flask db upgrade` ({type(error.orig).__name__})") from error


def parse_local(text: str) -> datetime:
    """Read "YYYY-MM-DD HH:MM" as local time (an explicit offset is honoured)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"Ngày giờ không hợp lệ: '{text}' (định dạng YYYY-MM-DD HH:MM)",
                    f"invalid date-time '{text}' (format YYYY-MM-DD HH:MM)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"Ngày không hợp lệ: '{text}' (định dạng YYYY-MM-DD)",
                    f"invalid date '{text}' (format YYYY-MM-DD)") from None


def _parse_days(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise _fail(f"Số ngày làm việc không hợp lệ: '{text}' (số ≥ 0, ví dụ 1 hoặc 0.5)",
                    f"invalid number of working days '{text}' (a number >= 0, e.g. 1 or 0.5)")
    return value


def _parse_cutoff(text: str | None) -> time | None:
    if text is None:
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"Giờ chốt không hợp lệ: '{text}' (định dạng HH:MM)",
                    f"invalid cut-off time '{text}' (format HH:MM)") from None


def _check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise _fail(f"Cách tính hạn không hợp lệ: '{policy}' (hours hoặc civil)",
                    f"unknown policy '{policy}' (hours or civil)")
    return policy


def _agency_id(code: str | None) -> int | None:
    return services.get_agency_id(code) if code else None


def format_hours(hours: float) -> str:
    """8 → "8", 4.5 → "4.5": a plain number for scripts."""
    return f"{round(hours, 4):.4f}".rstrip("0").rstrip(".")


@calendar_cli.command("due", context_settings=_ARGS_LIKE_NUMBERS)
@click.argument("start")
@click.argument("days")
@click.option("--policy", default="hours", help="hours (mặc định / default) | civil")
@click.option("--cutoff", default=None, help="HH:MM, hồ sơ nhận từ giờ này tính từ ngày làm việc sau")
@click.option("--agency", "agency_code", default=None, help="mã cơ quan / agency code")
@click.option("--deem-next-day", is_flag=True, default=False,
              help="civil: hồ sơ nhận ngoài giờ coi như nhận vào ngày làm việc tiếp theo / an after-hours receipt "
                   "is deemed received on the next working day")
def due(start: str, days: str, policy: str, cutoff: str | None, agency_code: str | None,
        deem_next_day: bool) -> None:
    """Print the due date-time (local, YYYY-MM-DDTHH:MM) of DAYS working days received at START.

    DAYS 0 = the same day: the close of that working day (received before the cut-off), else of the next one."""
    start_at, amount = parse_local(start), _parse_days(days)
    policy, cutoff_at = _check_policy(policy), _parse_cutoff(cutoff)
    with _bilingual_errors():
        result = services.due_date(start_at, amount, policy, cutoff_at, _agency_id(agency_code),
                                   deem_next_day=deem_next_day)
    click.echo(result.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"))


@calendar_cli.command("between")
@click.argument("start")
@click.argument("end")
@click.option("--agency", "agency_code", default=None, help="mã cơ quan / agency code")
def between(start: str, end: str, agency_code: str | None) -> None:
    """Print the working hours between two local date-times (e.g. 8 or 4.5)."""
    start_at, end_at = parse_local(start), parse_local(end)
    with _bilingual_errors():
        hours = services.working_hours_between(start_at, end_at, _agency_id(agency_code))
    click.echo(format_hours(hours))


def _put(day_text: str, name: str, agency_code: str | None, add: Callable[..., CalendarOverride]) -> None:
    day = parse_day(day_text)
    with _bilingual_errors(), unit_of_work():
        row = add("cli", day, name, _agency_id(agency_code))
        line = f"{row.day.isoformat()}\t{row.kind}\t{row.name}"
    click.echo(line)  # only once committed


@calendar_cli.command("off")
@click.argument("day")
@click.option("--name", default="Ngày nghỉ theo thông báo", help="tên ngày nghỉ (tiếng Việt)")
@click.option("--agency", "agency_code", default=None, help="mã cơ quan; bỏ trống = toàn quốc / nationwide")
def day_off(day: str, name: str, agency_code: str | None) -> None:
    """Declare DAY (YYYY-MM-DD) a day off for every deadline computed from now on."""
    _put(day, name, agency_code, services.add_day_off)


@calendar_cli.command("workday")
@click.argument("day")
@click.option("--name", default="Ngày làm việc bù", help="tên ngày làm bù (tiếng Việt)")
@click.option("--agency", "agency_code", default=None, help="mã cơ quan; bỏ trống = toàn quốc / nationwide")
def workday(day: str, name: str, agency_code: str | None) -> None:
    """Declare DAY (YYYY-MM-DD) a working day (make-up Saturday)."""
    _put(day, name, agency_code, services.add_workday)


def _switch(day_text: str, agency_code: str | None, is_enabled: bool) -> None:
    day = parse_day(day_text)
    with _bilingual_errors(), unit_of_work():
        row = services.set_override_enabled("cli", day, is_enabled, _agency_id(agency_code))
        line = f"{row.day.isoformat()}\t{row.kind}\t{'on' if row.is_enabled else 'off'}\t{row.name}"
    click.echo(line)


@calendar_cli.command("enable")
@click.argument("day")
@click.option("--agency", "agency_code", default=None)
def enable(day: str, agency_code: str | None) -> None:
    """Switch on the entry of DAY (e.g. Culture Day 24/11)."""
    _switch(day, agency_code, True)


@calendar_cli.command("disable")
@click.argument("day")
@click.option("--agency", "agency_code", default=None)
def disable(day: str, agency_code: str | None) -> None:
    """Switch off the entry of DAY without deleting it."""
    _switch(day, agency_code, False)


@calendar_cli.command("remove")
@click.argument("day")
@click.option("--agency", "agency_code", default=None)
def remove(day: str, agency_code: str | None) -> None:
    """Delete the entry of DAY so the law alone decides it again."""
    parsed = parse_day(day)
    with _bilingual_errors(), unit_of_work():
        services.remove_override("cli", parsed, _agency_id(agency_code))
    click.echo(f"{parsed.isoformat()}\tremoved")


@calendar_cli.command("list")
@click.option("--year", type=int, default=None, help="năm / year (mặc định: tất cả / all)")
@click.option("--agency", "agency_code", default=None)
def list_(year: int | None, agency_code: str | None) -> None:
    """Print the overrides: day, weekday, kind, source, on/off, scope, name."""
    with _bilingual_errors():
        rows = services.list_overrides(year, _agency_id(agency_code))
    for row in rows:
        scope = "*" if row.agency_id is None else str(row.agency_id)
        state = "on" if row.is_enabled else "off"
        click.echo(f"{row.day.isoformat()}\t{row.day:%a}\t{row.kind}\t{row.source}\t{state}\t{scope}\t{row.name}")
