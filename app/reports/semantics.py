"""What the statistics mean, in one module used by the API, the screens and the reports (design.md).

- A dossier belongs to its **handling agency** (the competent agency found at receipt), each step to the agency
  that **did it** (the task's agency); the receiving agency keeps its own counter figures (dossiers received).
- A dossier is **finished** at its result date: per rule set, when the result is ready (stamped) or when it is
  handed over; a **refusal** at its decision, against the refusal limit when the procedure has one.
- **Early / on time / late** compare that moment with the original legal due date (an apology moves only the
  appointment): early = an earlier local day than the due day (domain.md §3.7).
- Waiting for the applicant (a supplement, a fee the procedure's handling waits for) is **paused**, never
  overdue; an open dossier past its legal due date is **overdue**; a stopped dossier is neither finished nor open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from app.calendar.rules import WorkCalendar
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.rules import get_ruleset
from app.workflow.models import HumanTask

TIMINGS = ("early", "on_time", "late")

#: The dossier columns the semantics need (a projection: statistics never load whole dossiers).
COLUMNS = (Dossier.id, Dossier.handling_agency_id, Dossier.receiving_agency_id, Dossier.current_agency_id,
           Dossier.procedure_id, Dossier.status, Dossier.ruleset, Dossier.outcome, Dossier.channel,
           Dossier.received_at, Dossier.legal_due_at, Dossier.result_ready_at, Dossier.returned_at,
           Dossier.decided_at, Dossier.decision_due_at, Dossier.late_supplement_count, Dossier.apology_count,
           Dossier.apology_compliant)

STEP_COLUMNS = (HumanTask.agency_id, HumanTask.completed_at, HumanTask.timing, HumanTask.dossier_id)


def owner(row: Any) -> int:
    """The agency a dossier counts for: its handling agency (older rows: the one holding it)."""
    return row.handling_agency_id or row.current_agency_id or row.receiving_agency_id


def finished_at(row: Any) -> datetime | None:
    """The finishing moment: a refusal at its decision, else the result date the rule set chooses."""
    status = DossierStatus(row.status)
    if status is DossierStatus.STOPPED:
        return None
    if row.outcome == "refused":
        if row.decided_at is not None:
            return row.decided_at
        return row.returned_at if status is DossierStatus.REFUSED else None
    if get_ruleset(row.ruleset).finished_on == "returned":
        return row.returned_at
    return row.result_ready_at or row.returned_at


def due_of(row: Any) -> datetime:
    """The limit the finishing moment is compared with (the refusal limit for a decided refusal)."""
    if row.outcome == "refused" and row.decision_due_at is not None:
        return row.decision_due_at
    return row.legal_due_at


#: Waiting for the applicant (a supplement, or the fee of a procedure whose handling waits for it): the clock does
#: not run for the agency. The one rule; `paused_sql` is the same for the stat_daily triggers.
PAUSED = or_(Dossier.status == DossierStatus.WAITING_SUPPLEMENT, Dossier.clock_paused_at.is_not(None))
_NOT_OPEN = (DossierStatus.STOPPED, DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.WAITING_SUPPLEMENT)


def paused_sql(row: str, *, clock: bool = True) -> str:
    """PAUSED over dossier row `row` as SQL text (`clock=False`: the rule before dossiers.clock_paused_at existed,
    for the migration that first installed the triggers)."""
    rule = f"{row}.status = '{DossierStatus.WAITING_SUPPLEMENT.value}'"
    return f"({rule} OR {row}.clock_paused_at IS NOT NULL)" if clock else f"({rule})"


def overdue(now: datetime) -> ColumnElement[bool]:
    """Open (not finished, not stopped, not paused) after its legal due instant — as SQL."""
    return and_(Dossier.stat_finished_at.is_(None), Dossier.status.not_in(_NOT_OPEN),
                Dossier.clock_paused_at.is_(None), Dossier.legal_due_at < now)


def classify(row: Any, calendar: WorkCalendar) -> tuple[int, datetime | None, str | None]:
    """What the stat_* columns of a dossier hold: (owner, finishing moment, timing)."""
    finished = finished_at(row)
    return owner(row), finished, calendar.classify(finished, due_of(row)) if finished is not None else None


@dataclass(frozen=True)
class Compliance:
    late_supplements: int  # supplement requests sent past the legal window
    apologies: int
    late_apologies: int  # apologies sent later than the rule set allows


def compliance(row: Any) -> Compliance:
    return Compliance(row.late_supplement_count or 0, row.apology_count or 0,
                      1 if row.apology_count and row.apology_compliant is False else 0)
