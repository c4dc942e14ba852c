"""Every legal slip takes its form number from ONE effective-dated table, by the dossier's receipt date."""
from __future__ import annotations

from datetime import date

import pytest

from app.dossiers.rules import FORM_KINDS, legal_form


@pytest.mark.parametrize(("day", "kind", "number", "circular"), [
    (date(2025, 6, 30), "receipt", "01", "01/2018/TT-VPCP"),
    (date(2025, 9, 14), "supplement", "02", "01/2018/TT-VPCP"),  # Decree 118 in force, Circular 03 not yet
    (date(2025, 9, 15), "supplement", "02", "03/2025/TT-VPCP"),
    (date(2025, 9, 14), "log", "06", "01/2018/TT-VPCP"),
    (date(2025, 9, 15), "log", "07", "03/2025/TT-VPCP"),
    (date(2025, 9, 15), "stop", "05", "03/2025/TT-VPCP"),
    (date(2025, 9, 15), "control", "06", "03/2025/TT-VPCP"),
    (date(2024, 1, 2), "control", "05", "01/2018/TT-VPCP"),
    (date(2026, 3, 2), "apology", "04", "03/2025/TT-VPCP"),
    (date(2026, 3, 2), "refusal", "03", "03/2025/TT-VPCP"),
])
def test_form_number_by_receipt_date(day, kind, number, circular):
    form = legal_form(kind, day)
    assert (form.number, form.circular.split()[-1]) == (number, circular)
    assert form.label == f"Mẫu số {number} – Thông tư {circular}"


def test_a_stop_notice_before_circular_03_has_no_numbered_form():
    """Decree 118 allows withdrawal from 1 Jul 2025; Circular 01/2018 has no stop-notice form."""
    assert legal_form("stop", date(2025, 8, 1)) is None


def test_a_dossier_keeps_the_form_set_recorded_at_receipt():
    class Old:
        form_set = "TT01-2018"
        received_at = None

    assert legal_form("log", Old()).number == "06"


def test_unknown_kind_is_an_error():
    assert "guidance" in FORM_KINDS
    with pytest.raises(KeyError):
        legal_form("permit", date(2026, 1, 5))
