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


def test_the_payment_keeps_the_fee_table_version_that_computed_its_amount(desk, app, monkeypatch):
    from app.extensions import db
    from app.payments.services import open_payment
    from app.workflow.decisions import latest_decision, store_decision

    for name, value in (("PAYMENT_URL", "http://127.0.0.1:9"), ("PAYMENT_MERCHANT", "MOTCUA"),
                        ("PAYMENT_SECRET", "s" * 32)):
        monkeypatch.setitem(app.config, name, value)  # the real client only signs a URL here: no call is made
    table = latest_decision("construction_fee")
    first, _url = open_payment(_online_permit(desk, 80), return_url="http://x/r", notify_url="http://x/n", minutes=15)
    assert first.fee_basis == [{"name": get_procedure(BUILD).fees[0].name_vi, "amount_vnd": 75000,
                                "decision_key": "construction_fee", "decision_version": table.number}]
    dearer = table.xml.replace("<text>75000</text>", "<text>90000</text>")
    newer, created = store_decision("test", dearer, "construction_fee", comment="new fee resolution")
    assert created and newer.number == table.number + 1
    second, _url = open_payment(_online_permit(desk, 80), return_url="http://x/r", notify_url="http://x/n",
                                minutes=15)
    db.session.commit()
    db.session.expire_all()
    assert (second.amount_vnd, second.fee_basis[0]["decision_version"]) == (90000, newer.number)
    assert (first.amount_vnd, first.fee_basis[0]["decision_version"]) == (75000, table.number)
