"""Effective-dated legal rule sets: a dossier keeps the rule set in force when it was received."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RuleSet:
    code: str
    title: str
    effective_from: date
    forms_circular: str
    supplement_request_days: float  # the written request must leave within N working days of receipt
    supplement_deadline_enforced: bool  # refuse late requests (True) or only flag them (False)
    apology_lead_days: float  # apology at the latest N working days before the due date
    max_appointment_resets: int
    allows_withdrawal: bool
    paper_transfer_cutoff: str  # paper dossiers received after this time are transferred next morning


RULESETS: tuple[RuleSet, ...] = (
    RuleSet("ND61-2018", "Nghị định 61/2018/NĐ-CP (sửa đổi bởi 107/2021/NĐ-CP)", date(2018, 6, 21),
            "TT01-2018", 3, True, 1, 1, False, "15:00"),
    RuleSet("ND118-2025", "Nghị định 118/2025/NĐ-CP", date(2025, 7, 1), "TT03-2025", 3, True, 1, 1, True,
            "15:00"),
)


def ruleset_for(day: date) -> RuleSet:
    """The rule set in force on `day` (the latest whose effective date has passed)."""
    applicable = [r for r in RULESETS if r.effective_from <= day]
    if not applicable:
        return RULESETS[0]
    return max(applicable, key=lambda r: r.effective_from)


def get_ruleset(code: str) -> RuleSet:
    for ruleset in RULESETS:
        if ruleset.code == code:
            return ruleset
    raise KeyError(code)
