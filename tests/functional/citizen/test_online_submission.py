"""Online submission by a signed-in citizen: prefill from the registry sandbox over HTTP (and what happens when it
is down), uploads checked by content, the dossier waiting in the receiving agency's intake queue, where the
receiver accepts it (intake step) or refuses the receipt with a reason (declared action refuse_receipt)."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from app.documents.models import Attachment
from app.documents.services import list_documents
from app.documents.storage import digest_of
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from app.history.services import list_events
from tests.functional.citizen.online import PDF, WORK_PERMIT, posted_form, submit
from tests.functional.citizen.portal import AN, sign_in
from tests.sandboxes import Sandbox


def _dossier(code: str) -> Dossier:
    db.session.expire_all()
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def _submitted(response) -> Dossier:
    assert response.status_code == 302, response.text[:2000]
    return _dossier(response.location.rsplit("/", 1)[1])


def test_the_form_is_prefilled_from_the_population_database(client, sandboxes, desk):
    sign_in(client, AN)
    page = client.get(f"/cong-dan/nop-ho-so/{WORK_PERMIT}")
    assert page.status_code == 200 and "prefill-notice" not in page.text
    assert 'value="Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"' in page.text  # from the registry, not the IdP
    assert "600.000" in page.text  # the fee is shown before submitting


def test_the_form_still_works_with_a_message_when_the_registry_is_down(client, sandboxes, desk, app, monkeypatch):
    own = Sandbox("registry").start()
    monkeypatch.setitem(app.config, "REGISTRY_URL", own.url)
    sign_in(client, AN)
    own.stop()
    page = client.get(f"/cong-dan/nop-ho-so/{WORK_PERMIT}")
    assert page.status_code == 200 and "prefill-notice" in page.text and "dân cư" in page.text
    assert 'value="Nguyễn Văn An"' in page.text  # the verified name from the identity provider, still editable
    assert _submitted(submit(client, desk)).channel.value == "online"  # submission does not need the registry


def test_the_employer_is_filled_from_the_business_registry_by_tax_code(client, sandboxes, desk):
    sign_in(client, AN)
    form = posted_form(desk)
    form.update({"f.employer_tax_code": "2801234567", "f.employer_name": "", "lookup_business": "1"})
    page = client.post(f"/cong-dan/nop-ho-so/{WORK_PERMIT}", data=form, content_type="multipart/form-data")
    assert page.status_code == 200 and "Công ty TNHH Thép Nghi Sơn" in page.text
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_a_complete_online_dossier_waits_in_the_receiving_agencys_intake_queue(client, sandboxes, desk):
    sign_in(client, AN)
    dossier = _submitted(submit(client, desk))
    assert (dossier.channel.value, dossier.status.value, dossier.submitter_id_number) == ("online", "received", AN)
    [task] = desk.open_tasks(dossier)
    assert (task.step_kind, task.role, task.agency_id) == ("intake", "receiver", dossier.receiving_agency_id)
    files = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)).all()
    mandatory = [d for d in dossier.procedure.documents if d.is_mandatory]
    assert len(files) == len(mandatory) and {f.media_type for f in files} == {"application/pdf"}
    assert {f.stage for f in files} == {"online"} and {f.required_document_id for f in files} == {
        d.id for d in mandatory}
    assert all(doc["received"] for doc in dossier.documents if doc["mandatory"])
    page = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert page.status_code == 200 and dossier.code in page.text and "giay-to-" in page.text


def test_missing_documents_are_listed_once_completely_and_nothing_is_created(client, sandboxes, desk):
    sign_in(client, AN)
    response = submit(client, desk, skip_documents=2)
    assert response.status_code == 422 and "missing-documents" in response.text
    assert response.text.count("<li>", response.text.index("missing-documents")) >= 2
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_the_online_upload_is_a_document_with_a_preview_on_the_specialists_task_page(client, sandboxes, desk,
                                                                                     officials):
    sign_in(client, AN)
    dossier = _submitted(submit(client, desk))
    [first, *_] = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)
                                     .order_by(Attachment.id)).all()
    assert (first.content_hash, first.page_count) == (digest_of(PDF), 1)
    event = db.session.get(DossierEvent, first.event_id)  # the hash chain covers what the citizen uploaded
    assert event.kind == "documents_attached" and event.data["stage"] == "online"
    assert [d.kind for d in list_documents(dossier.id)] == []  # filed, not yet received: no appointment yet
    desk.complete(dossier, "intake")
    assert [d.kind for d in list_documents(dossier.id)] == ["receipt"]  # Mẫu 01 when the receiver accepts
    task = desk.task(dossier, "appraisal")
    specialist = officials.login("chuyenvien.snv")
    page = specialist.get(f"/tasks/{task.id}")
    assert page.status_code == 200, page.text[:500]
    assert f"/dossiers/{dossier.code}/attachments/{first.id}/preview.png" in page.text
    assert first.checklist_item in page.text
    preview = specialist.get(f"/dossiers/{dossier.code}/attachments/{first.id}/preview.png")
    assert preview.status_code == 200 and Image.open(io.BytesIO(preview.data)).format == "PNG"
    assert specialist.get(f"/dossiers/{dossier.code}/attachments/{first.id}").data == PDF


def test_a_fake_pdf_is_refused_in_vietnamese_and_nothing_is_created(client, sandboxes, desk):
    sign_in(client, AN)
    response = submit(client, desk, content=b"GIF89a\x01\x00\x01\x00 not a PDF at all")
    assert response.status_code == 422 and "bad-files" in response.text
    assert "chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp)" in response.text
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_file_that_is_not_what_it_claims_is_refused(client, sandboxes, desk):
    sign_in(client, AN)
    response = submit(client, desk, content=b"<script>alert(1)</script>")
    assert response.status_code == 422 and "bad-files" in response.text and "PDF, JPEG" in response.text
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_the_receiver_refuses_the_receipt_with_a_reason_the_citizen_reads(client, sandboxes, desk, officials):
    sign_in(client, AN)
    dossier = _submitted(submit(client, desk))
    receiver = officials.login("tiepnhan")
    page = receiver.get(f"/dossiers/{dossier.code}")
    assert "action-refuse_receipt" in page.text and "giay-to-" in page.text
    files = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)).all()
    download = receiver.get(f"/dossiers/{dossier.code}/attachments/{files[0].id}")
    assert download.status_code == 200 and download.data == PDF
    answer = receiver.post(f"/dossiers/{dossier.code}/refuse-receipt",
                           data={"refuse_receipt-reason": "Hồ sơ thuộc thẩm quyền của Ban quản lý KKT Nghi Sơn."})
    assert answer.status_code == 302
    dossier = _dossier(dossier.code)
    assert (dossier.status.value, dossier.outcome) == ("refused", "not_received")
    assert desk.open_tasks(dossier) == []
    assert [e.kind for e in list_events(dossier.id)][-1] == "receipt_refused"
    # The refusal slip (Mẫu 03) and nothing else: never received, so no handling to control.
    assert [d.kind for d in list_documents(dossier.id)] == ["refusal"]
    sign_in(client, AN)
    mine = client.get(f"/cong-dan/ho-so/{dossier.code}")
    assert "Ban quản lý KKT Nghi Sơn" in mine.text and "receipt_refused" in mine.text


def test_a_receipt_already_accepted_cannot_be_refused(client, sandboxes, desk, officials):
    sign_in(client, AN)
    dossier = _submitted(submit(client, desk))
    desk.complete(dossier, "intake")  # the receiver accepts: the intake step is done, appraisal starts
    receiver = officials.login("tiepnhan")
    assert "action-refuse_receipt" not in receiver.get(f"/dossiers/{dossier.code}").text
    answer = receiver.post(f"/dossiers/{dossier.code}/refuse-receipt", data={"refuse_receipt-reason": "muộn"})
    assert answer.status_code in (302, 409)
    assert _dossier(dossier.code).status.value == "processing"


def test_uploads_are_refused_past_the_size_limit(client, sandboxes, desk, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 100)
    sign_in(client, AN)
    form = posted_form(desk)
    form[next(k for k in form if k.startswith("doc-"))] = (io.BytesIO(PDF + b"0" * 200), "big.pdf")
    response = client.post(f"/cong-dan/nop-ho-so/{WORK_PERMIT}", content_type="multipart/form-data", data=form)
    assert response.status_code == 422 and "big.pdf" in response.text
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
