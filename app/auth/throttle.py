"""Sign-in throttling kept in the database (so it holds across gunicorn workers and restarts).

Each failure counts against the username typed (whether or not it exists: no enumeration) and against the
client address. Every `USER_LIMIT` failures lock the username for `LOCK_MINUTES` × the number of locks so far
(15, 30, 45 … minutes, at most `MAX_LOCK`); the client is locked after `CLIENT_LIMIT` failures (higher, since a
whole counter hall shares one address). A success clears the username's count, not the client's.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import LoginThrottle
from app.core.db import utcnow
from app.core.errors import AppError
from app.extensions import db

USER_LIMIT = 5
CLIENT_LIMIT = 30
LOCK_MINUTES = 15
MAX_LOCK = timedelta(hours=4)
FORGET_AFTER = timedelta(hours=24)  # a count older than this starts again from zero


class LoginThrottledError(AppError):
    status = 429
    code = "login_throttled"


def keys(username: str, remote_addr: str | None) -> list[tuple[str, int]]:
    """(key, failure limit) pairs for one attempt."""
    pairs = [("user:" + username.strip().lower()[:100], USER_LIMIT)]
    if remote_addr:
        pairs.append(("client:" + remote_addr[:100], CLIENT_LIMIT))
    return pairs


def locked_until(username: str, remote_addr: str | None) -> datetime | None:
    """The latest lock in force for this username or client, or None."""
    now, latest = utcnow(), None
    names = [key for key, _limit in keys(username, remote_addr)]
    for row in db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(names))):
        if row.locked_until and row.locked_until > now and (latest is None or row.locked_until > latest):
            latest = row.locked_until
    return latest


def ensure_not_locked(username: str, remote_addr: str | None) -> None:
    """Refuse the attempt (without checking the password) while a lock is in force."""
    until = locked_until(username, remote_addr)
    if until is not None:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        raise LoginThrottledError(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            f"Too many failed sign-ins. Please try again in {minutes} minutes.")


def record_failure(username: str, remote_addr: str | None) -> bool:
    """Count one failure for the username and the client; True when that locked one of them."""
    locked = False
    for key, limit in keys(username, remote_addr):
        locked = _count(key, limit) or locked
    return locked


def _count(key: str, limit: int) -> bool:
    now = utcnow()
    row = _row(key)
    if row.last_failure_at and now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    db.session.flush()
    # Atomic increment: concurrent failures from several workers are all counted.
    db.session.execute(update(LoginThrottle).where(LoginThrottle.id == row.id)
                       .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
                       .execution_options(synchronize_session=False))
    db.session.refresh(row)
    if row.failures % limit == 0:
        row.locked_until = now + min(timedelta(minutes=LOCK_MINUTES) * (row.failures // limit), MAX_LOCK)
        return True
    return False


def _row(key: str) -> LoginThrottle:
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = LoginThrottle(key=key, failures=0)
            db.session.add(row)
    except IntegrityError:  # another worker created it first
        row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    return row


def clear(username: str) -> None:
    """A successful sign-in forgets the username's failures."""
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == keys(username, None)[0][0]))
    if row is not None:
        row.failures, row.locked_until = 0, None
