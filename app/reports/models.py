"""Daily summary rows of the statistics, kept current by database triggers (app.reports.summary).

Derived data: `flask reports rebuild-summary` recomputes them from the dossiers and tasks at any time, so they
carry no foreign keys. Each dossier adds to the row of its cell (owner agency, receiving agency, procedure,
channel) on several local days: its receipt day (received and current-state figures), its finishing day
(early / on time / late) and the days its open and overdue intervals start and end (`open_delta`,
`overdue_delta`: the number open or overdue at the start of day D is the sum of the deltas up to D).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

#: Counted on the receipt day (the current state of the dossiers received that day).
RECEIVED_MEASURES = ("received", "st_received", "st_processing", "st_waiting_supplement", "st_result_ready",
                     "st_returned", "st_refused", "st_stopped", "with_supplement", "late_supplements", "apologies",
                     "late_apologies", "rated", "satisfied")
#: Counted on the finishing day (app.reports.semantics.finished_at).
FINISHED_MEASURES = ("early", "on_time", "late", "refused", "e_results")
#: Interval starts (+1) and ends (-1): a running sum gives the number open / overdue at a day's start.
LEDGER_MEASURES = ("open_delta", "overdue_delta")
MEASURES = (*RECEIVED_MEASURES, *FINISHED_MEASURES, *LEDGER_MEASURES)
STEP_MEASURES = ("early", "on_time", "late")


def _measure() -> Mapped[int]:
    return mapped_column(default=0, server_default="0")


class StatDaily(db.Model):
    """Figures of one (local day, owner agency, receiving agency, procedure, channel) cell."""

    __tablename__ = "stat_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)  # the owner (handling agency)
    receiving_agency_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    received: Mapped[int] = _measure()
    st_received: Mapped[int] = _measure()
    st_processing: Mapped[int] = _measure()
    st_waiting_supplement: Mapped[int] = _measure()
    st_result_ready: Mapped[int] = _measure()
    st_returned: Mapped[int] = _measure()
    st_refused: Mapped[int] = _measure()
    st_stopped: Mapped[int] = _measure()
    with_supplement: Mapped[int] = _measure()
    late_supplements: Mapped[int] = _measure()
    apologies: Mapped[int] = _measure()
    late_apologies: Mapped[int] = _measure()
    rated: Mapped[int] = _measure()
    satisfied: Mapped[int] = _measure()
    early: Mapped[int] = _measure()
    on_time: Mapped[int] = _measure()
    late: Mapped[int] = _measure()
    refused: Mapped[int] = _measure()
    e_results: Mapped[int] = _measure()  # finished with the result returned online (electronic result)
    open_delta: Mapped[int] = _measure()
    overdue_delta: Mapped[int] = _measure()


class StatStepDaily(db.Model):
    """Completed steps of one (local day, acting agency, procedure) cell, early / on time / late."""

    __tablename__ = "stat_step_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(primary_key=True)
    early: Mapped[int] = _measure()
    on_time: Mapped[int] = _measure()
    late: Mapped[int] = _measure()


class ScorecardConfig(db.Model):
    """Points and weights of one scorecard indicator, in force from `effective_from` (app.reports.scorecard).

    Effective-dated so that a province changing its weights does not rewrite last year's ranking: a period is
    scored with the rows in force on its last day; a key without a row uses the code's default."""

    __tablename__ = "scorecard_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    unsure: Mapped[bool] = mapped_column(default=False)  # the value is not confirmed against the legal text
    note: Mapped[str | None] = mapped_column(String(500))


class StatOutlook(db.Model):
    """Fitted history of one step (process version, BPMN step, acting agency; agency 0: every agency): quantiles of
    the working hours from the step's start to the dossier's finishing moment (app.reports.warning)."""

    __tablename__ = "stat_outlook"

    process_version_id: Mapped[int] = mapped_column(primary_key=True)
    bpmn_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    samples: Mapped[int]
    quantiles: Mapped[list] = mapped_column(JSON)  # hours at 0 %, 5 %, ... 100 %
    fitted_at: Mapped[datetime]
