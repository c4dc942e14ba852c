"""Dossier codes `<agency e-identifier>-<YYMMDD>-<sequence>` (Circular 01/2018 art. 19), race-free."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.dossiers.models import DossierCodeCounter, LogbookCounter, ResultNumberCounter
from app.extensions import db

MIN_SEQUENCE_DIGITS = 4


def _bump(table, **key) -> int:
    """Atomically take the next value of the counter row `key` (row lock on PostgreSQL), creating it at 1."""
    bump = (update(table).where(*[table.c[name] == value for name, value in key.items()])
            .values(last_value=table.c.last_value + 1).returning(table.c.last_value))
    value = db.session.execute(bump).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(**key, last_value=1))
        return 1
    except IntegrityError:  # another intake created the row first: take the next number from it
        return db.session.execute(bump).scalar_one()


def next_counter_value(table, **key) -> int:
    """The next value of a race-free counter table of another feature (agency_id, year, last_value rows)."""
    return _bump(table, **key)


def next_sequence(agency_id: int, day: date) -> int:
    """The next number of the agency's daily code sequence."""
    return _bump(DossierCodeCounter.__table__, agency_id=agency_id, day=day)


def next_logbook_number(agency_id: int, year: int) -> int:
    """The next running number of the agency's tracking book for `year` (restarts at 1 each year)."""
    return _bump(LogbookCounter.__table__, agency_id=agency_id, year=year)


def next_result_number(agency_id: int, agency_code: str, year: int) -> str:
    """The next result number (số, ký hiệu) of the issuing agency for `year`: `<number>/<year>/KQ-<agency>`.

    The symbol's shape is [unsure] (each agency has its own document symbols, Decree 30/2020): a number typed in
    the stamping form wins over it.
    """
    number = _bump(ResultNumberCounter.__table__, agency_id=agency_id, year=year)
    return f"{number:04d}/{year}/KQ-{agency_code}"


def format_code(edoc_code: str, day: date, sequence: int) -> str:
    """Zero-padded to at least 4 digits; grows beyond 9999 as the circular allows."""
    return f"{edoc_code}-{day:%y%m%d}-{sequence:0{MIN_SEQUENCE_DIGITS}d}"


def new_dossier_code(agency_id: int, edoc_code: str, day: date) -> str:
    return format_code(edoc_code, day, next_sequence(agency_id, day))


def new_pin() -> str:
    """Six-digit lookup PIN printed on the receipt."""
    return f"{secrets.randbelow(10**6):06d}"


def pin_digest(code: str, pin: str) -> str:
    """Keyed hash of the PIN so a database leak does not reveal it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{code}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(code: str, pin: str, digest: str) -> bool:
    return hmac.compare_digest(pin_digest(code, pin), digest)


def current_max_sequence(agency_id: int, day: date) -> int | None:
    return db.session.scalar(select(DossierCodeCounter.last_value).where(
        DossierCodeCounter.agency_id == agency_id, DossierCodeCounter.day == day))
