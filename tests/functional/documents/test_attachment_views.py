"""Scans at the counter, with the supplement and at any step: checked by content, stored by hash, previewed on the
task page, recorded in the dossier's history."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from app.catalog.services import get_procedure
from app.documents.attachments import list_attachments
from app.documents.storage import digest_of
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.models import DossierEvent
from tests.functional.dossiers.test_intake_views import intake_post
from tests.functional.ui_world import WORK_PERMIT, reach
from tests.integration.documents.test_uploads import pdf, png


def _latest_dossier() -> Dossier:
    return db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))


class TestCounterScans:
    def test_scans_per_checklist_item_are_stored_with_the_dossier(self, officials, at_office):
        docs = get_procedure(WORK_PERMIT).documents
        client = officials.login("tiepnhan")
        scan, photo = pdf(2), png()
        data = {**intake_post([d.id for d in docs]), f"file-{docs[0].id}": (io.BytesIO(scan), "don.pdf"),
                f"file-{docs[4].id}": (io.BytesIO(photo), "anh.png")}
        response = client.post(f"/counter/intake/{WORK_PERMIT}", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, response.text[:500]
        dossier = _latest_dossier()
        rows = list_attachments(dossier.id)
        assert [(r.checklist_item, r.media_type, r.page_count, r.stage) for r in rows] == [
            (docs[0].name_vi, "application/pdf", 2, "intake"), (docs[4].name_vi, "image/png", 1, "intake")]
        assert rows[0].content_hash == digest_of(scan) and rows[0].required_document_id == docs[0].id
        event = db.session.get(DossierEvent, rows[0].event_id)
        assert event.kind == "documents_attached" and event.is_internal
        assert [f["sha256"] for f in event.data["files"]] == [digest_of(scan), digest_of(photo)]
        served = client.get(f"/dossiers/{dossier.code}/attachments/{rows[0].id}")
        assert served.data == scan and served.mimetype == "application/pdf"

    def test_a_file_lying_about_its_type_is_refused_and_nothing_is_received(self, officials, at_office):
        docs = get_procedure(WORK_PERMIT).documents
        client = officials.login("tiepnhan")
        before = db.session.scalar(select(db.func.count()).select_from(Dossier))
        data = {**intake_post([d.id for d in docs]),
                f"file-{docs[0].id}": (io.BytesIO(b"MZ\x90\x00 not a scan"), "don.pdf")}
        response = client.post(f"/counter/intake/{WORK_PERMIT}", data=data, content_type="multipart/form-data")
        assert response.status_code == 422 and 'id="upload-error"' in response.text
        assert "chỉ nhận tệp PDF, JPEG hoặc PNG" in response.text
        assert db.session.scalar(select(db.func.count()).select_from(Dossier)) == before


class TestScansAtAStep:
    def test_the_specialist_sees_the_preview_of_the_counter_scan(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        task = reach(desk, dossier, "appraisal")
        client = officials.login("tiepnhan")
        response = client.post(f"/dossiers/{dossier.code}/attachments", content_type="multipart/form-data",
                               data={"files": (io.BytesIO(pdf(1)), "bo-sung.pdf"), "item": "Hợp đồng lao động"})
        assert response.status_code == 302
        row = list_attachments(dossier.id)[0]
        page = officials.login("chuyenvien.snv").get(f"/tasks/{task.id}")
        assert f"/attachments/{row.id}/preview.png" in page.text and "Hợp đồng lao động" in page.text
        preview = officials.client.get(f"/dossiers/{dossier.code}/attachments/{row.id}/preview.png")
        assert preview.mimetype == "image/png" and Image.open(io.BytesIO(preview.data)).width <= 480

    def test_officials_of_an_uninvolved_agency_cannot_attach_or_read(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("tiepnhan")
        client.post(f"/dossiers/{dossier.code}/attachments", content_type="multipart/form-data",
                    data={"files": (io.BytesIO(png()), "a.png")})
        row = list_attachments(dossier.id)[0]
        other = officials.login("chuyenvien.sxd")
        assert other.get(f"/dossiers/{dossier.code}/attachments/{row.id}").status_code == 404
        response = other.post(f"/dossiers/{dossier.code}/attachments", content_type="multipart/form-data",
                              data={"files": (io.BytesIO(png()), "b.png")})
        assert response.status_code == 404 and len(list_attachments(dossier.id)) == 1

    def test_the_supplement_brings_its_scans(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        desk.complete(dossier, "appraisal", decision="supplement", supplement_items="Bản sao hộ chiếu")
        client = officials.login("tiepnhan")
        response = client.post(f"/dossiers/{dossier.code}/supplement", content_type="multipart/form-data",
                               data={"supplement-documents": "Bản sao hộ chiếu",
                                     "supplement-files": (io.BytesIO(pdf(1)), "ho-chieu.pdf")})
        assert response.status_code == 302, response.text[:300]
        assert [r.stage for r in list_attachments(dossier.id)] == ["supplement"]


class TestSearchableCopy:
    def test_the_ocr_copy_is_offered_beside_the_scan_and_served_as_pdf(self, officials, desk, at_office):
        from app.documents.attachments import ocr_pending
        from tests.integration.documents.test_ocr import id_card

        dossier = desk.receive(WORK_PERMIT).dossier
        client = officials.login("tiepnhan")
        client.post(f"/dossiers/{dossier.code}/attachments", content_type="multipart/form-data",
                    data={"files": (io.BytesIO(id_card()), "cccd.png")})
        row = list_attachments(dossier.id)[0]
        url = f"/dossiers/{dossier.code}/attachments/{row.id}?ban=tim-kiem"
        assert client.get(url).mimetype == "image/png"  # not read yet: the scan itself
        assert "Bản PDF tìm kiếm được" not in client.get(f"/dossiers/{dossier.code}").text
        ocr_pending()
        db.session.commit()
        assert "Bản PDF tìm kiếm được (OCR)" in client.get(f"/dossiers/{dossier.code}").text
        served = client.get(url)
        assert served.mimetype == "application/pdf" and served.data.startswith(b"%PDF")
        assert officials.login("chuyenvien.sxd").get(url).status_code == 404  # an uninvolved agency
