"""Effective-dated legal rule sets and form sets: a dossier keeps those in force when it was received.

Every rule the lifecycle, the deadlines and the statistics apply is a field here, never a constant in code;
what domain.md marks [unsure] is a setting with the documented default.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.core.timefmt import to_local


@dataclass(frozen=True)
class RuleSet:
    code: str
    title: str
    effective_from: date
    forms_circular: str  # the circular of the rule set (the form set itself is dated separately: FORM_SETS)
    supplement_request_days: float = 3  # the written request leaves within N working days of receipt (107/2021)
    supplement_deadline_enforced: bool = False  # refuse late requests (True) or allow them flagged (False)
    max_supplement_requests: int = 1  # requests per dossier ("once, completely")
    apology_lead_days: float = 1  # apology at the latest N working days before the due date
    apology_alert_margin_days: float = 1  # [unsure] alert this many working days before the last compliant day
    max_appointment_resets: int = 1
    withdrawal_from: date | None = None  # withdrawal (stop notice) possible from this day on; None: never
    paper_transfer_cutoff: str = "15:00"  # paper dossiers received after this time are transferred next morning
    finished_on: str = "result_ready"  # [unsure] statistics: "result_ready" or "returned" ends a dossier
    deem_after_hours_next_day: bool = False  # [unsure] civil policy: after-hours receipt = next working day


# Decree 118/2025 applies withdrawal to dossiers still open on 1 Jul 2025, whichever decree received them.
RULESETS: tuple[RuleSet, ...] = (
    RuleSet("ND61-2018", "Nghị định 61/2018/NĐ-CP (sửa đổi bởi 107/2021/NĐ-CP)", date(2018, 6, 21), "TT01-2018",
            withdrawal_from=date(2025, 7, 1)),
    RuleSet("ND118-2025", "Nghị định 118/2025/NĐ-CP", date(2025, 7, 1), "TT03-2025",
            withdrawal_from=date(2025, 7, 1)),
)


@dataclass(frozen=True)
class FormSet:
    """The standard forms (Mẫu) of one circular, by the date it applies from (domain.md §4)."""

    code: str
    circular: str
    effective_from: date
    forms: dict[str, str]  # kind → form number


FORM_SETS: tuple[FormSet, ...] = (
    FormSet("TT01-2018", "Thông tư 01/2018/TT-VPCP", date(2019, 1, 1),
            {"receipt": "01", "supplement": "02", "refusal": "03", "apology": "04", "control": "05", "log": "06"}),
    FormSet("TT03-2025", "Thông tư 03/2025/TT-VPCP", date(2025, 9, 15),
            {"receipt": "01", "supplement": "02", "refusal": "03", "apology": "04", "stop": "05", "control": "06",
             "log": "07"}),
)


def _in_force(items, day: date):
    applicable = [item for item in items if item.effective_from <= day]
    return max(applicable, key=lambda item: item.effective_from) if applicable else items[0]


def ruleset_for(day: date) -> RuleSet:
    """The rule set in force on `day` (the latest whose effective date has passed)."""
    return _in_force(RULESETS, day)


def form_set_for(day: date) -> FormSet:
    """The form set in force on `day`: Circular 03/2025 forms from 15 Sep 2025, not from the decree's 1 Jul."""
    return _in_force(FORM_SETS, day)


# Which standard form each slip the app prints is. The counter's guidance slip for an incomplete dossier is the
# supplement request (Mẫu 02 "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") in both circulars.
FORM_KINDS = {"receipt": "receipt", "guidance": "supplement", "supplement": "supplement", "refusal": "refusal",
              "apology": "apology", "stop": "stop", "control": "control", "log": "log"}


@dataclass(frozen=True)
class LegalForm:
    number: str
    circular: str
    form_set: str

    @property
    def label(self) -> str:
        return f"Mẫu số {self.number} – {self.circular}"


def legal_form(kind: str, received) -> LegalForm | None:
    """The form number of slip `kind` for a dossier (its recorded form set) or a receipt day (a `date`).

    The one place every printed slip (HTML now, PDF later) asks; None when that circular has no such form
    (a stop notice before Circular 03/2025). Unknown kinds raise KeyError.
    """
    form_kind = FORM_KINDS[kind]
    if isinstance(received, date):
        form_set = form_set_for(received)
    else:
        code = received.form_set or form_set_for(to_local(received.received_at).date()).code
        form_set = get_form_set(code)
    number = form_set.forms.get(form_kind)
    return LegalForm(number, form_set.circular, form_set.code) if number else None


def get_ruleset(code: str) -> RuleSet:
    for ruleset in RULESETS:
        if ruleset.code == code:
            return ruleset
    raise KeyError(code)


def get_form_set(code: str | None) -> FormSet:
    for form_set in FORM_SETS:
        if form_set.code == code:
            return form_set
    return FORM_SETS[-1]
