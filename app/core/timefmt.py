"""Display helpers: instants are stored in UTC and shown in Asia/Ho_Chi_Minh as dd/mm/yyyy."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    """Convert an aware instant to Vietnam local time (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_year(value: datetime) -> int:
    """The local calendar year of an instant: a dossier's partition year (app.audit.partitions)."""
    return to_local(value).year


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the format every Vietnamese form uses."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in local time."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def working_days(value: Decimal | float | int | str | None, locale: str | None = None) -> str:
    """A time limit as people say it: 0 is "trong ngày" (decided the same day), 0,5 keeps its decimal comma.

    `locale="vi"`: legal slips, always in Vietnamese whatever the reader's language."""
    if value is None:
        return ""
    days = Decimal(str(value)).normalize()
    if locale == "vi":
        return "trong ngày" if days == 0 else f"{format_decimal(days, locale='vi')} ngày làm việc"
    if days == 0:
        return gettext("trong ngày")
    return gettext("%(n)s ngày làm việc", n=format_decimal(days, locale=str(get_locale() or "vi")))


def register_filters(app) -> None:
    """Expose the formatters to Jinja templates."""
    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["vndatetime"] = format_datetime
    app.jinja_env.filters["working_days"] = working_days
