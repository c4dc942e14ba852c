"""Daily summary rows of the statistics, kept current by database triggers (app.reports.summary).

Derived data: `flask reports rebuild-summary` recomputes them from the dossiers and tasks at any time, so they
carry no foreign keys. Each dossier adds to the row of its cell (owner agency, receiving agency, procedure,
channel) on several local days: its receipt day (received and current-state figures), its finishing day
(early / on time / late) and the days its open and overdue intervals start and end (`open_delta`,
`overdue_delta`: the number open or overdue at the start of day D is the sum of the deltas up to D).

The triggers do not update these rows: they append what a change adds to a cell to the delta tables
(stat_daily_delta, stat_step_delta; a plain INSERT, no shared row to lock, so concurrent transactions on the same
cells neither queue nor deadlock), and `app.reports.summary.fold` moves the deltas into the rows every few
seconds. A reader sums the union of both (`LiveDaily`, `LiveStepDaily`): exact at every moment, between folds too.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Integer, String, select, union_all
from sqlalchemy.orm import Mapped, aliased, mapped_column

from app.extensions import db

#: Counted on the receipt day (the current state of the dossiers received that day).
RECEIVED_MEASURES = ("received", "st_received", "st_processing", "st_waiting_supplement", "st_result_ready",
                     "st_returned", "st_refused", "st_stopped", "with_supplement", "one_supplement", "late_supplements",
                     "apologies", "late_apologies", "rated", "satisfied", "digitised", "fee_bearing", "paid")
#: Counted on the finishing day (app.reports.semantics.finished_at).
FINISHED_MEASURES = ("early", "on_time", "late", "refused", "e_results")
#: Interval starts (+1) and ends (-1): a running sum gives the number open / overdue at a day's start.
LEDGER_MEASURES = ("open_delta", "overdue_delta")
MEASURES = (*RECEIVED_MEASURES, *FINISHED_MEASURES, *LEDGER_MEASURES)
STEP_MEASURES = ("early", "on_time", "late")


#: Delta ids grow for ever (folded rows are deleted): 64-bit on PostgreSQL, SQLite's rowid is 64-bit anyway.
DELTA_ID = BigInteger().with_variant(Integer(), "sqlite")


def _measure() -> Mapped[int]:
    return mapped_column(default=0, server_default="0")


class DailyMeasures:
    """The measures of a stat_daily cell (and of a delta to one): app.reports.summary writes them."""

    received: Mapped[int] = _measure()
    st_received: Mapped[int] = _measure()
    st_processing: Mapped[int] = _measure()
    st_waiting_supplement: Mapped[int] = _measure()
    st_result_ready: Mapped[int] = _measure()
    st_returned: Mapped[int] = _measure()
    st_refused: Mapped[int] = _measure()
    st_stopped: Mapped[int] = _measure()
    with_supplement: Mapped[int] = _measure()
    one_supplement: Mapped[int] = _measure()  # with exactly one supplement request (scorecard, Circular 01 index 3)
    digitised: Mapped[int] = _measure()  # counter dossiers with a digitised paper document at intake (Decision 766)
    fee_bearing: Mapped[int] = _measure()  # with a payment order
    paid: Mapped[int] = _measure()  # with a payment paid online (through the gateway; the counter's cash is not)
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


class StepMeasures:
    """Completed steps of a stat_step_daily cell (and of a delta to one), early / on time / late."""

    early: Mapped[int] = _measure()
    on_time: Mapped[int] = _measure()
    late: Mapped[int] = _measure()


class StatDaily(DailyMeasures, db.Model):
    """Figures of one (local day, owner agency, receiving agency, procedure, channel) cell."""

    __tablename__ = "stat_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)  # the owner (handling agency)
    receiving_agency_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)


class StatStepDaily(StepMeasures, db.Model):
    """Completed steps of one (local day, acting agency, procedure, step kind) cell, early / on time / late."""

    __tablename__ = "stat_step_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(primary_key=True)
    # the step's kind (app.workflow.models.StepKind), '' for a task without one (the key has no NULLs)
    step_kind: Mapped[str] = mapped_column(String(16), primary_key=True, default="", server_default="")


class StatDailyDelta(DailyMeasures, db.Model):
    """What one change added to a stat_daily cell, until the fold adds it to the cell's row (append-only)."""

    __tablename__ = "stat_daily_delta"

    id: Mapped[int] = mapped_column(DELTA_ID, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int]
    receiving_agency_id: Mapped[int]
    procedure_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))


class StatStepDelta(StepMeasures, db.Model):
    """What one change added to a stat_step_daily cell, until the fold adds it to the cell's row (append-only)."""

    __tablename__ = "stat_step_delta"

    id: Mapped[int] = mapped_column(DELTA_ID, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int]
    procedure_id: Mapped[int]
    step_kind: Mapped[str] = mapped_column(String(16), default="", server_default="")


def _live(model: type[db.Model], delta: type[db.Model]):
    """`model` as the readers see it: its folded rows and the deltas not folded yet, one row each (UNION ALL).

    Every reader sums, so a cell's figure is the same whether its deltas are folded or not."""
    table, deltas = model.__table__, delta.__table__
    rows = union_all(select(*table.c), select(*(deltas.c[c.name] for c in table.c)))
    return aliased(model, rows.subquery(f"{table.name}_live"))


#: What the readers query instead of StatDaily / StatStepDaily (same attributes).
LiveDaily = _live(StatDaily, StatDailyDelta)
LiveStepDaily = _live(StatStepDaily, StatStepDelta)


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
    the working hours from the step's start to the dossier's finishing moment (app.reports.warning), season 0. Rows
    of season 1.. (bpmn_id '', agency 0) hold a version's season factor: quantiles of D over its step's median."""

    __tablename__ = "stat_outlook"

    process_version_id: Mapped[int] = mapped_column(primary_key=True)
    bpmn_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[int] = mapped_column(primary_key=True, default=0)  # 0: all year; 1..: a season factor (warning)
    samples: Mapped[int]
    quantiles: Mapped[list] = mapped_column(JSON)  # hours at 0 %, 5 %, ... 100 %
    fitted_at: Mapped[datetime]
