"""A procedure's fee computed by its DMN decision table (bpmn/construction_fee.dmn) from the intake form."""
from __future__ import annotations

from app.catalog.services import get_procedure
from app.payments.services import fee_amount, fee_due

BUILD = "1.009994"


def _online_permit(desk, area: float):
    data = {**desk.intake_data(BUILD), "gross_floor_area": area}
    return desk.receive(BUILD, "14797", channel="online", form_data=data).dossier


def test_the_fee_follows_the_decision_table_for_an_urban_ward(desk):
    assert get_procedure(BUILD).fees[0].decision["key"] == "construction_fee"
    assert fee_amount(_online_permit(desk, 80)) == 75000
    assert fee_due(_online_permit(desk, 250)) == 150000
    assert fee_amount(_online_permit(desk, 800)) == 300000


def test_fixed_fees_are_summed_as_they_are(desk):
    dossier = desk.receive("1.014199", channel="online").dossier
    assert fee_amount(dossier) == 600000
