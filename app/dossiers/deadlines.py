"""The legal time limit of a procedure, computed in one place (receipt, restart after a supplement, step budgets)."""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from app.calendar import services as calendar
from app.core.timefmt import to_local
from app.dossiers.rules import RuleSet, ruleset_for


def cutoff_of(procedure: Any) -> time | None:
    """The procedure's daily cut-off ('15:00'): later receipts count from the next working day."""
    if not procedure.cutoff:
        return None
    hours, minutes = procedure.cutoff.split(":")
    return time(int(hours), int(minutes))


def clock_start(procedure: Any, agency_id: int | None, received: datetime) -> datetime:
    """The instant the limit starts running for a dossier received at `received` (domain.md §3.4)."""
    return calendar.get_calendar(agency_id).start_of_work(received, cutoff=cutoff_of(procedure))


def legal_due(procedure: Any, agency_id: int | None, start: datetime, days: float | Decimal | None = None, *,
              at_receipt: bool = True, ruleset: RuleSet | None = None) -> datetime:
    """Due instant of `days` (default: the procedure's legal limit) from `start`, by the procedure's policy.

    0 days is the same working day (before the cut-off, else the next one). The daily cut-off applies to receipts
    (and restarts), not to the budget of a step created inside the process. `ruleset` (default: the one in force
    at `start`) says whether the civil policy deems an after-hours receipt received on the next working day.
    """
    limit = procedure.legal_days if days is None else days
    rules = ruleset or ruleset_for(to_local(start).date())
    return calendar.get_calendar(agency_id).due(start, limit, policy=procedure.deadline_policy.value,
                                                cutoff=cutoff_of(procedure) if at_receipt else None,
                                                deem_next_day=rules.deem_after_hours_next_day)


def refusal_due(procedure: Any, agency_id: int | None, clock_started_at: datetime, legal_due_at: datetime,
                ruleset: RuleSet) -> datetime:
    """The limit of a refusal: the procedure's own refusal limit (two-outcome limits, e.g. 10 vs 3 days) or the
    legal limit."""
    if procedure.refusal_days is None:
        return legal_due_at
    return legal_due(procedure, agency_id, clock_started_at, procedure.refusal_days, ruleset=ruleset)


def supplement_window_end(procedure: Any, agency_id: int | None, received_at: datetime, ruleset: RuleSet) -> datetime:
    """The last instant a supplement request is compliant: the close of the N-th working day after the receipt
    day (107/2021: "không quá 03 ngày làm việc kể từ ngày tiếp nhận"; sector law may set another window)."""
    days = procedure.supplement_days if procedure.supplement_days is not None else ruleset.supplement_request_days
    return calendar.get_calendar(agency_id).due(received_at, days, policy="civil")


def paper_transfer_at(agency_id: int | None, at: datetime, ruleset: RuleSet) -> datetime:
    """When a paper dossier handed over at `at` reaches the next agency: the same working day, or the next
    working morning after the rule set's transfer cut-off (15:00)."""
    hours, minutes = ruleset.paper_transfer_cutoff.split(":")
    return calendar.get_calendar(agency_id).start_of_work(at, cutoff=time(int(hours), int(minutes)))


def working_days_between(agency_id: int | None, start: datetime, end: datetime) -> float:
    """Working days (in the agency's hours per day) elapsed between two instants."""
    cal = calendar.get_calendar(agency_id)
    return cal.working_hours_between(start, end) / cal.hours_per_day
