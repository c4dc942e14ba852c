"""Lookup PINs: attempts counted in the database, progressive delay, temporary lock, reissue at the counter.

Every attempt is counted *before* the PIN is compared: the first statement of the attempt is an UPDATE of
the code's guard row, which holds the row's write lock until the attempt commits, so parallel guesses from
many workers or clients are serialised and cannot get more comparisons than allowed. A right PIN then
clears the counter. While a code is delayed or locked even the right PIN gets the answer of a wrong one.
Unknown codes get a guard row too, so they take the same path and the same time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import utcnow
from app.dossiers import codes
from app.dossiers.models import Dossier, PinGuard
from app.dossiers.pipeline import Step, perform
from app.dossiers.services import find_dossier, get_dossier_for
from app.extensions import db
from app.history.services import HistoryEvent

logger = logging.getLogger(__name__)
guards = PinGuard.__table__
# Compared against the PIN of unknown codes so that they cost the same HMAC as a real one.
_NO_DIGEST = "0" * 64


@dataclass(frozen=True)
class PinPolicy:
    max_failures: int
    delay_seconds: float
    lock_minutes: int
    lock_max_minutes: int

    @classmethod
    def from_config(cls) -> PinPolicy:
        config = current_app.config
        return cls(config["PIN_MAX_FAILURES"], config["PIN_DELAY_SECONDS"], config["PIN_LOCK_MINUTES"],
                   config["PIN_LOCK_MAX_MINUTES"])

    def delay(self, failures: int) -> timedelta:
        """No wait after one slip; then 1, 2, 4 ... times the base delay."""
        return timedelta(seconds=self.delay_seconds * 2 ** (failures - 2)) if failures >= 2 else timedelta(0)

    def lock(self, locks_before: int) -> timedelta:
        return timedelta(minutes=min(self.lock_minutes * 2 ** min(locks_before, 16), self.lock_max_minutes))


def _stamp(code: str, now: datetime) -> tuple[int, int, datetime | None, datetime | None] | None:
    """Stamp the attempt, taking the row's write lock until commit; (failures, locks, retry_at, locked_until)."""
    stamp = (update(guards).where(guards.c.code == code).values(last_attempt_at=now)
             .returning(guards.c.failures, guards.c.locks, guards.c.retry_at, guards.c.locked_until))
    row = db.session.execute(stamp).first()
    return tuple(row) if row is not None else None


def _stamp_or_create(code: str, now: datetime) -> tuple[int, int, datetime | None, datetime | None]:
    row = _stamp(code, now)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.execute(insert(guards).values(code=code, failures=0, locks=0, last_attempt_at=now))
        return 0, 0, None, None
    except IntegrityError:  # a parallel first attempt created the row: count against it
        return _stamp(code, now)


def _claim_attempt(code: str, now: datetime, policy: PinPolicy) -> bool:
    """Count one attempt against `code`; False when it is delayed or locked (the PIN must not be checked)."""
    failures, locks, retry_at, locked_until = _stamp_or_create(code, now)
    if (locked_until and locked_until > now) or (retry_at and retry_at > now):
        return False
    failures += 1
    if failures >= policy.max_failures:
        values = {"failures": 0, "locks": locks + 1, "retry_at": None, "locked_until": now + policy.lock(locks)}
        logger.warning("Lookup PIN of %s locked after %s failures (lock %s)", code, failures, locks + 1)
    else:
        values = {"failures": failures, "retry_at": now + policy.delay(failures)}
    db.session.execute(update(guards).where(guards.c.code == code).values(**values))
    return True


def _clear(code: str) -> None:
    db.session.execute(delete(guards).where(guards.c.code == code))


def open_with_pin(code: str, pin: str | None, now: datetime | None = None) -> Dossier | None:
    """The dossier if `pin` is its PIN and the code is not delayed or locked; None otherwise, same path.

    The attempt is written whatever the outcome: call it in its own unit of work and commit even on None.
    """
    code = (code or "").strip()[:40]
    claimed = _claim_attempt(code, now or utcnow(), PinPolicy.from_config())
    dossier = find_dossier(code) if code else None
    digest = dossier.pin_hash if dossier is not None else _NO_DIGEST
    right = codes.pin_matches(code, pin or "", digest)  # always computed: same cost on every path
    if not (claimed and right and dossier is not None):
        return None
    _clear(code)
    return dossier


def is_locked(code: str, now: datetime | None = None) -> bool:
    """Whether the code's PIN is locked now (for the counter's dossier page)."""
    until = db.session.scalar(select(PinGuard.locked_until).where(PinGuard.code == code))
    return until is not None and until > (now or utcnow())


def reissue_pin(actor: User, code: str) -> tuple[Dossier, str]:
    """A receiver of the receiving agency issues a new PIN: the old one stops working and any lock is lifted."""
    dossier = get_dossier_for(actor, code)
    pin = codes.new_pin()
    step = Step("reissue_pin", dossier, actor,
                event=HistoryEvent("", role="receiver", agency_id=dossier.receiving_agency_id))

    def replace(_result: object) -> None:
        dossier.pin_hash = codes.pin_digest(dossier.code, pin)
        _clear(dossier.code)

    step.apply = replace
    perform(step)
    return dossier, pin


def prune_guards(older_than: timedelta = timedelta(days=2), now: datetime | None = None) -> int:
    """Drop guard rows with no recent attempt and no running lock (unknown codes accumulate otherwise)."""
    cutoff, now = (now or utcnow()) - older_than, now or utcnow()
    result = db.session.execute(delete(guards).where(
        guards.c.last_attempt_at < cutoff, or_(guards.c.locked_until.is_(None), guards.c.locked_until <= now)))
    return result.rowcount or 0
