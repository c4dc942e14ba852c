"""Jobs run by the scheduler process; each is one unit of work calling the same services as the UI."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from app.calendar.services import get_calendar
from app.core.db import unit_of_work, utcnow
from app.dossiers.actions import refusal
from app.dossiers.lifecycle import fire_due_timers
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.extensions import db

logger = logging.getLogger(__name__)


def sweep_timers(app: Flask) -> int:
    """Fire the BPMN timers that are due."""
    with app.app_context(), unit_of_work():
        fired = fire_due_timers(utcnow())
    if fired:
        logger.info("Fired timers of %s dossiers", fired)
    return fired


def dossiers_needing_apology(now: datetime | None = None) -> list[Dossier]:
    """Open dossiers due within one working day that may still get an apology under their rule set (domain.md §1)."""
    now = now or utcnow()
    cal = get_calendar()
    horizon = cal.add_working_hours(now, cal.hours_per_day)
    query = select(Dossier).where(Dossier.status.in_(OPEN_STATUSES), Dossier.due_at <= horizon,
                                  Dossier.due_at > now).order_by(Dossier.due_at)
    return [d for d in db.session.scalars(query) if refusal(None, "apologize", d) is None]


def alert_due_tomorrow(app: Flask) -> int:
    """Log the dossiers that need an apology letter today so the leader can send it in time."""
    with app.app_context():
        dossiers = dossiers_needing_apology()
        for dossier in dossiers:
            logger.warning("Dossier %s is due %s: send the apology letter today / gửi thư xin lỗi hôm nay",
                           dossier.code, dossier.due_at.isoformat())
        return len(dossiers)


def purge_idempotency_keys(app: Flask) -> int:
    """Drop stored API replies older than a day (they may hold a lookup PIN)."""
    from app.tokens.services import purge_idempotency_keys as purge

    with app.app_context(), unit_of_work():
        return purge()


def prune_pin_guards(app: Flask) -> int:
    """Forget lookup-PIN guard rows with no attempt for two days and no running lock (unknown codes pile up)."""
    from app.dossiers.pins import prune_guards

    with app.app_context(), unit_of_work():
        return prune_guards()


def anchor_yesterday(app: Flask) -> None:
    """Hash every dossier chain's head into the daily global anchor."""
    from app.audit.anchors import create_anchor
    from app.core.errors import ConflictError

    try:
        with app.app_context(), unit_of_work():
            create_anchor()
    except ConflictError as error:  # already anchored (e.g. the scheduler restarted): nothing to do
        logger.info("Audit anchor skipped: %s", error.message_en)


def deliver_notifications(app: Flask) -> dict[str, int]:
    """Send the queued citizen notifications (e-mail, SMS gateway)."""
    from app.notify.services import deliver_pending

    with app.app_context(), unit_of_work():
        return deliver_pending()
