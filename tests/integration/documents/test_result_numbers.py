"""Result numbers (sổ cấp số): the stamping agency's next number of the year unless the records office types one."""
from __future__ import annotations

from app.auth.models import Agency
from app.documents import services
from app.dossiers.codes import next_result_number
from app.extensions import db
from tests.integration.documents.conftest import pdf_text

PERMIT = "1.014199"


def stamp(desk, number: str):
    dossier = desk.receive(PERMIT).dossier
    desk.complete(dossier, "appraisal")
    desk.complete(dossier, "approval")
    task = desk.complete(dossier, "stamping", result_number=number)
    return dossier, db.session.get(Agency, task.agency_id)


def test_an_empty_number_takes_the_agencys_next_one_of_the_year(desk, clock, rendered):
    clock("2026-03-02 09:00")
    first, agency = stamp(desk, "")
    second, _agency = stamp(desk, " ")
    code = agency.edoc_code or agency.code
    assert (first.result_number, second.result_number) == (f"0001/2026/KQ-{code}", f"0002/2026/KQ-{code}")
    rendered()
    result = next(d for d in services.list_documents(second.id) if d.kind == "result")
    assert f"Số: 0002/2026/KQ-{code}" in pdf_text(services.document_bytes(result))


def test_a_typed_number_wins_and_takes_no_number_from_the_book(desk, clock):
    clock("2026-03-02 09:00")
    typed, agency = stamp(desk, "123/GPLĐ")
    allocated, _agency = stamp(desk, "")
    assert typed.result_number == "123/GPLĐ" and allocated.result_number.startswith("0001/2026/")


def test_the_book_restarts_each_year_and_is_kept_per_agency(desk, clock):
    clock("2026-03-02 09:00")
    _dossier, agency = stamp(desk, "")
    other = db.session.scalar(db.select(Agency).where(Agency.id != agency.id))
    assert next_result_number(agency.id, "X", 2027) == "0001/2027/KQ-X"
    assert next_result_number(other.id, "Y", 2026) == "0001/2026/KQ-Y"
    assert next_result_number(agency.id, "X", 2026) == "0002/2026/KQ-X"
