"""The dossier page lists the issued slips; officials download them, receivers reprint them as marked copies, and
the QR code's public page confirms the document without showing personal data."""
from __future__ import annotations

import re

from app.documents import services
from app.documents.models import Document
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT
from tests.integration.documents.conftest import pdf_text


def _receipt(dossier) -> Document:
    return next(d for d in services.list_documents(dossier.id) if d.kind == "receipt")


class TestDossierPageDocuments:
    def test_the_receipt_is_listed_and_downloads_as_a_pdf_rendered_on_first_use(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        receipt = _receipt(dossier)
        client = officials.login("tiepnhan")
        page = client.get(f"/dossiers/{dossier.code}")
        assert 'id="issued-documents"' in page.text and f"/documents/{receipt.id}.pdf" in page.text
        response = client.get(f"/dossiers/{dossier.code}/documents/{receipt.id}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF") and dossier.code in pdf_text(response.data)
        assert "no-store" in response.headers["Cache-Control"]
        db.session.expire_all()
        assert db.session.get(Document, receipt.id).is_ready
        again = client.get(f"/dossiers/{dossier.code}/documents/{receipt.id}.pdf")
        assert again.data == response.data  # stored once, served as stored

    def test_a_reprint_is_a_marked_copy_and_the_original_is_kept(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        receipt = _receipt(dossier)
        client = officials.login("tiepnhan")
        original = client.get(f"/dossiers/{dossier.code}/documents/{receipt.id}.pdf").data
        response = client.post(f"/dossiers/{dossier.code}/documents/{receipt.id}/reprint")
        assert response.status_code == 302
        copy_id = int(re.search(r"/documents/(\d+)\.pdf", response.location).group(1))
        copy = client.get(response.location).data
        assert "BẢN SAO – In lại lần 1" in pdf_text(copy) and "BẢN SAO" not in pdf_text(original)
        assert client.get(f"/dossiers/{dossier.code}/documents/{receipt.id}.pdf").data == original
        second = client.post(f"/dossiers/{dossier.code}/documents/{copy_id}/reprint")  # a copy of the copy
        assert "In lại lần 2" in pdf_text(client.get(second.location).data)
        db.session.expire_all()
        copies = [d for d in services.list_documents(dossier.id) if d.copy_of_id == receipt.id]
        assert [d.copy_number for d in copies] == [1, 2]

    def test_officials_of_another_agency_get_no_document(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        receipt = _receipt(dossier)
        client = officials.login("chuyenvien.sxd")
        assert client.get(f"/dossiers/{dossier.code}/documents/{receipt.id}.pdf").status_code == 404

    def test_a_document_of_another_dossier_is_not_reachable_through_this_one(self, officials, desk, at_office):
        first = desk.receive(WORK_PERMIT).dossier
        second = desk.receive(WORK_PERMIT).dossier
        client = officials.login("tiepnhan")
        assert client.get(f"/dossiers/{first.code}/documents/{_receipt(second).id}.pdf").status_code == 404


class TestPublicVerification:
    def test_the_qr_page_confirms_the_document_without_personal_data(self, client, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        receipt = _receipt(dossier)
        services.render_pending()
        db.session.commit()
        page = client.get(f"/xac-thuc/{receipt.verify_token}")
        assert page.status_code == 200 and 'id="verified-document"' in page.text
        assert dossier.code in page.text and receipt.content_hash in page.text
        assert "Nguyễn Văn An" not in page.text and "0912345678" not in page.text

    def test_an_unknown_token_is_not_found(self, client, world):
        page = client.get("/xac-thuc/khong-co")
        assert page.status_code == 404 and 'id="not-found"' in page.text


class TestPublicUpload:
    def _signed(self, desk):
        dossier = desk.receive(WORK_PERMIT).dossier
        for kind in ("appraisal", "approval", "stamping"):
            desk.complete(dossier, kind)
        services.render_pending()
        db.session.commit()
        result = next(d for d in services.list_documents(dossier.id) if d.kind == "result")
        return result, services.document_bytes(result)

    def _upload(self, client, data: bytes):
        import io

        return client.post("/xac-thuc", data={"file": (io.BytesIO(data), "ket-qua.pdf")},
                           content_type="multipart/form-data")

    def test_anyone_uploading_the_signed_result_sees_it_is_valid(self, client, desk, at_office):
        result, data = self._signed(desk)
        page = self._upload(client, data)
        assert page.status_code == 200 and 'data-verdict="valid"' in page.text
        assert result.content_hash in page.text and 'data-ok="yes"' in page.text

    def test_a_modified_result_is_shown_as_invalid(self, client, desk, at_office):
        _result, data = self._signed(desk)
        position = data.index(b"stream", 200) + 20
        page = self._upload(client, data[:position] + bytes([data[position] ^ 1]) + data[position + 1:])
        assert 'data-verdict="invalid"' in page.text and 'data-ok="no"' in page.text

    def test_the_code_under_the_qr_can_be_typed_in(self, client, desk, at_office):
        result, _data = self._signed(desk)
        response = client.get(f"/xac-thuc?ma={result.verify_token}")
        assert response.status_code == 302 and response.location.endswith(f"/xac-thuc/{result.verify_token}")
        assert client.get("/xac-thuc").status_code == 200


class TestTrackingBookPdf:
    def test_the_book_of_2025_is_a_pdf_with_each_dossier_under_its_form(self, officials, desk, clock):
        clock("2025-03-03 09:00")
        old = desk.receive("1.000105").dossier
        clock("2025-10-01 09:00")
        new = desk.receive(WORK_PERMIT).dossier
        client = officials.login("tiepnhan")
        assert 'id="logbook-pdf"' in client.get("/counter/book?year=2025").text
        response = client.get("/counter/logbook.pdf?year=2025")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = pdf_text(response.data)
        assert "SỔ THEO DÕI HỒ SƠ – NĂM 2025" in text
        assert text.index("Mẫu số 06 – Thông tư 01/2018/TT-VPCP") < text.index(old.code) < \
            text.index("Mẫu số 07 – Thông tư 03/2025/TT-VPCP") < text.index(new.code)

    def test_a_counter_the_official_does_not_hold_is_not_found(self, officials, desk, at_office):
        from app.auth.services import get_agency_by_code

        other = get_agency_by_code("H38.SNV")
        client = officials.login("tiepnhan")
        assert client.get(f"/counter/logbook.pdf?agency={other.id}").status_code == 404
