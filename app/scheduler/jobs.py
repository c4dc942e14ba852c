"""Jobs run by the scheduler process; each is one unit of work calling the same services as the UI."""
from __future__ import annotations

import logging
import time
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from app.auth.models import RoleAssignment, User
from app.calendar.services import get_calendar
from app.core.db import unit_of_work, utcnow
from app.core.timefmt import format_datetime
from app.dossiers.lifecycle import alert_apology, apology_alert_due, fire_due_timers
from app.dossiers.models import OPEN_STATUSES, Dossier
from app.dossiers.rules import RULESETS
from app.extensions import db
from app.notify.notices import notify_official, texts_in, warn_due_steps
from app.notify.services import queue_official_alert

logger = logging.getLogger(__name__)


TIMER_BATCH = 200  # timers claimed and fired per transaction (one flush for the batch; see fire_claimed_timers)
SWEEP_SECONDS = 50  # one sweep stops starting batches after this, so the next interval's sweep is not skipped


def sweep_timers(app: Flask, batch: int = TIMER_BATCH) -> int:
    """Fire the BPMN timers that are due, one transaction per claimed batch, until none is left."""
    fired, deadline = 0, time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < deadline:
        with app.app_context(), unit_of_work():
            moved = fire_due_timers(utcnow(), batch)
        fired += moved
        if moved < batch:  # the last batch, or one with failures (retried by the next sweep)
            break
    if fired:
        logger.info("Fired timers of %s dossiers", fired)
    return fired


def reconcile_payments(app: Flask) -> int:
    """Ask the payment gateway about payments no notification came for (and expire the abandoned ones)."""
    from app.payments.services import reconcile_pending

    with app.app_context(), unit_of_work():
        settled = reconcile_pending(utcnow())
    if settled:
        logger.info("Reconciled %s payments with the gateway", settled)
    return settled


def dossiers_needing_apology(now: datetime | None = None) -> list[Dossier]:
    """Open dossiers whose apology must leave soon: one working day (the apology lead) plus each rule set's
    margin or less remains (domain.md §1: alert the day before, so the apology can still be compliant)."""
    now = now or utcnow()
    cal = get_calendar()
    widest = max(r.apology_lead_days + r.apology_alert_margin_days for r in RULESETS)
    horizon = cal.add_working_hours(now, (widest + 1) * cal.hours_per_day)  # a coarse pre-filter, refined below
    query = select(Dossier).where(Dossier.status.in_(OPEN_STATUSES), Dossier.due_at <= horizon,
                                  Dossier.due_at > now, Dossier.apology_alerted_at.is_(None)).order_by(Dossier.due_at)
    return [d for d in db.session.scalars(query) if apology_alert_due(d, now)]


def handling_leaders(dossier: Dossier) -> list[User]:
    """Leaders of the agency handling the dossier now."""
    agency_id = dossier.current_agency_id or dossier.handling_agency_id or dossier.receiving_agency_id
    query = (select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(RoleAssignment.role == "leader", RoleAssignment.agency_id == agency_id,
                    User.is_enabled.is_(True)).order_by(User.id))
    return list(db.session.scalars(query))


def alert_due_tomorrow(app: Flask, now: datetime | None = None) -> int:
    """Flag the dossiers whose apology letter is due (the leader sees it on the dossier page and in the inbox)
    and e-mail the handling leaders through the outbox."""
    with app.app_context(), unit_of_work():
        now = now or utcnow()
        dossiers = dossiers_needing_apology(now)
        for dossier in dossiers:
            alert_apology(dossier, now)
            params = {"code": dossier.code, "due": format_datetime(dossier.due_at), "step": dossier.procedure.name_vi}
            for leader in handling_leaders(dossier):
                notify_official(leader.id, "apology_due", params, dossier.id, dedupe_key=f"apology:{dossier.id}")
                subject, body = texts_in(leader.locale, "apology_due_email", params)  # in the leader's language
                queue_official_alert(dossier, "apology_due", subject, body, [leader.email], now)
            logger.warning("Dossier %s is due %s: apology alert raised / đã cảnh báo gửi thư xin lỗi",
                           dossier.code, dossier.due_at.isoformat())
        return len(dossiers)


def warn_officials(app: Flask) -> dict[str, int]:
    """Bell notices for steps due within one working day, late, or late long enough to escalate."""
    with app.app_context(), unit_of_work():
        counts = warn_due_steps(utcnow())
    if counts.get("escalated"):
        logger.warning("Escalated %s late steps to their agencies' leaders", counts["escalated"])
    return counts


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


def fold_statistics(app: Flask) -> int:
    """Add the statistics deltas the triggers appended to the daily summary rows (app.reports.summary.fold)."""
    from app.reports.summary import fold

    with app.app_context(), unit_of_work():
        return fold(db.session.connection())


def ensure_partitions(app: Flask) -> list[str]:
    """Create next year's partitions of the event log and the tasks ahead of time (PostgreSQL; nothing on SQLite)."""
    from app.audit.partitions import ensure

    with app.app_context(), unit_of_work():
        made = ensure(db.session.connection())
    if made:
        logger.info("Created partitions %s", ", ".join(made))
    return made


def refit_warnings(app: Flask) -> int:
    """Refit the early warning's step histories each night (what `flask reports fit-warnings` does)."""
    from app.reports.warning import fit

    with app.app_context(), unit_of_work():
        rows = fit()
    logger.info("Early warning refitted: %s step histories", rows)
    return rows


def deliver_notifications(app: Flask) -> dict[str, int]:
    """Send the queued notifications (e-mail, SMS gateway), batch after batch until none is due."""
    from app.notify.services import BATCH, deliver_pending

    totals: dict[str, int] = {}
    deadline = time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < deadline:
        with app.app_context(), unit_of_work():
            counts = deliver_pending()
        for status, count in counts.items():
            totals[status] = totals.get(status, 0) + count
        if sum(counts.values()) < BATCH:
            break
    return totals


def render_documents(app: Flask) -> int:
    """Render the slips and results issued since the last run (each batch one transaction; failures retried)."""
    from app.documents.services import RENDER_BATCH, render_pending

    done, deadline = 0, time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < deadline:
        with app.app_context(), unit_of_work():
            count = render_pending()
        done += count
        if count < RENDER_BATCH:
            break
    return done


def ocr_scans(app: Flask) -> int:
    """Read the Vietnamese text of new scans (tesseract), a batch per run."""
    from app.documents.attachments import ocr_pending

    with app.app_context(), unit_of_work():
        return ocr_pending()


def collect_document_garbage(app: Flask) -> int:
    """Delete stored bytes no row refers to any more (after the grace period of app.documents.gc)."""
    from app.documents.gc import collect

    with app.app_context(), unit_of_work():
        return len(collect())
