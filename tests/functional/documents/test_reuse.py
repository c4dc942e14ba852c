"""Once-only: at the counter the applicant's earlier results and scans (same personal ID) are offered with
checkboxes; a ticked one is linked to the new dossier (same stored bytes, no copy) and recorded in its history;
another person's document cannot be linked."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from app.catalog.services import get_procedure
from app.documents import services
from app.documents.attachments import list_attachments
from app.documents.storage import digest_of
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from tests.functional.dossiers.test_intake_views import intake_post
from tests.functional.ui_world import WORK_PERMIT, reach
from tests.integration.documents.test_uploads import pdf

BINH = "038185002345"


def _stored_files(app) -> int:
    return sum(1 for p in Path(app.config["DOCUMENT_DIR"]).rglob("*") if p.is_file())


def _earlier(desk, client, *, id_number: str | None = None, stamp: bool = True):
    """An earlier dossier of the applicant with a scan of the first checklist item, and (stamped) its result."""
    receipt = desk.receive(WORK_PERMIT) if id_number is None else _receive_for(desk, id_number)
    dossier = receipt.dossier
    item = get_procedure(WORK_PERMIT).documents[0]
    response = client.post(f"/dossiers/{dossier.code}/attachments", content_type="multipart/form-data",
                           data={"files": (io.BytesIO(pdf(2)), "don-cu.pdf"), "item": item.name_vi})
    assert response.status_code == 302
    db.session.expire_all()  # the request moved the dossier's event sequence on
    if stamp:
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(dossier, kind)
        services.render_pending(limit=100)
        db.session.commit()
    return dossier


def _receive_for(desk, id_number: str):
    """A dossier of another person, received at the same counter."""
    from app.auth.services import get_agency_by_code
    from app.dossiers.intake import receive_dossier
    from app.dossiers.schemas import ApplicantInput, IntakeInput
    from tests.integration.dossiers.conftest import official

    procedure, agency = get_procedure(WORK_PERMIT), get_agency_by_code("H38.TTPVHCC")
    intake = IntakeInput(procedure_code=WORK_PERMIT, applicant=ApplicantInput(name="Trần Thị Bình",
                                                                              id_number=id_number),
                         received_documents=[d.id for d in procedure.documents],
                         form_data=desk.intake_data(WORK_PERMIT))
    receipt = receive_dossier(official("receiver", agency.id), agency, intake)
    db.session.commit()
    return receipt


def _offer_keys(text: str) -> list[str]:
    import re

    return re.findall(r'name="reuse" value="([ad]\d+)"', text)


def test_the_receiver_is_offered_the_applicants_earlier_result_and_scans(officials, desk, at_office):
    client = officials.login("tiepnhan")
    earlier = _earlier(desk, client)
    [scan] = list_attachments(earlier.id)
    [result] = [d for d in services.list_documents(earlier.id) if d.kind == "result"]
    docs = get_procedure(WORK_PERMIT).documents
    page = client.post(f"/counter/intake/{WORK_PERMIT}", data={**intake_post([d.id for d in docs]),
                                                               "lookup_registry": "1"})
    assert page.status_code == 200 and 'id="reuse-offers"' in page.text
    assert _offer_keys(page.text) == [f"d{result.id}", f"a{scan.id}"]  # the result first
    assert earlier.code in page.text and "don-cu.pdf" not in page.text  # the checklist item names it
    other = client.post(f"/counter/intake/{WORK_PERMIT}", data={**intake_post([d.id for d in docs],
                                                                              id_number="001099000001"),
                                                                "lookup_registry": "1"})
    assert 'id="reuse-offers"' not in other.text  # nobody else's documents


def test_a_ticked_document_is_linked_not_copied_and_recorded(app, officials, desk, at_office):
    client = officials.login("tiepnhan")
    earlier = _earlier(desk, client)
    [scan] = list_attachments(earlier.id)
    [result] = [d for d in services.list_documents(earlier.id) if d.kind == "result"]
    docs = get_procedure(WORK_PERMIT).documents
    before = _stored_files(app)
    response = client.post(f"/counter/intake/{WORK_PERMIT}", data={
        **intake_post([d.id for d in docs]), "confirm_duplicate": "1", "reuse": [f"a{scan.id}", f"d{result.id}"]})
    assert response.status_code == 302, response.text[:500]
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    assert dossier.id != earlier.id
    db.session.expire_all()
    linked = list_attachments(dossier.id)
    assert [(r.content_hash, r.reused_from_id, r.reused_document_id) for r in linked] == [
        (scan.content_hash, scan.id, None), (result.content_hash, None, result.id)]
    assert linked[0].required_document_id == docs[0].id and linked[0].page_count == 2
    assert digest_of(services.document_bytes(result)) == linked[1].content_hash
    assert _stored_files(app) == before  # nothing written: the same stored bytes
    event = db.session.get(DossierEvent, linked[0].event_id)
    assert event.kind == "documents_attached"
    assert [(r["key"], r["dossier"]) for r in event.data["reused"]] == [
        (f"a{scan.id}", earlier.code), (f"d{result.id}", earlier.code)]
    task = reach(desk, dossier, "appraisal")
    specialist = officials.login("chuyenvien.snv")
    page = specialist.get(f"/tasks/{task.id}")
    assert f"/attachments/{linked[1].id}/preview.png" in page.text
    served = specialist.get(f"/dossiers/{dossier.code}/attachments/{linked[1].id}")
    assert served.data == services.document_bytes(result)
    preview = specialist.get(f"/dossiers/{dossier.code}/attachments/{linked[1].id}/preview.png")
    assert preview.status_code == 200 and preview.mimetype == "image/png"


def test_another_persons_document_cannot_be_linked(officials, desk, at_office):
    client = officials.login("tiepnhan")
    theirs = _earlier(desk, client, id_number=BINH, stamp=False)
    [scan] = list_attachments(theirs.id)
    docs = get_procedure(WORK_PERMIT).documents
    count = db.session.scalar(select(db.func.count()).select_from(Dossier))
    response = client.post(f"/counter/intake/{WORK_PERMIT}", data={
        **intake_post([d.id for d in docs]), "confirm_duplicate": "1", "reuse": [f"a{scan.id}"]})
    assert response.status_code == 422 and "không thuộc các hồ sơ trước của người nộp" in response.text
    assert db.session.scalar(select(db.func.count()).select_from(Dossier)) == count
