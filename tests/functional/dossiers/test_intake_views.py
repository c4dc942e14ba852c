"""Counter intake: procedure search, checklist, applicant checks in place, guidance slip, printable receipt."""
from __future__ import annotations

import re

from app.catalog.services import get_procedure
from app.dossiers.models import Dossier
from app.extensions import db
from tests.functional.ui_world import WORK_PERMIT

INTAKE_DATA = {
    "f.worker_full_name": "John Smith", "f.passport_number": "C1234567", "f.nationality": "Anh",
    "f.worker_date_of_birth": "1985-04-01", "f.worker_gender": "male", "f.employer_name": "Công ty ABC",
    "f.employer_tax_code": "2800123456", "f.employer_address": "Thanh Hóa", "f.demand_approval_number": "12/UBND",
    "f.position": "expert", "f.job_title": "Kỹ sư", "f.work_location": "KKT Nghi Sơn",
    "f.work_start": "2026-04-01", "f.work_end": "2027-04-01",
}


def intake_post(documents, **applicant):
    data = {"applicant_kind": "person", "name": "Nguyễn Văn An", "id_number": "038090001234",
            "phone": "0912345678", "address": "Hạc Thành, Thanh Hóa", "return_method": "counter",
            **INTAKE_DATA, **applicant}
    return {**data, "documents": [str(d) for d in documents]}


def _select_values(text: str, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}".*?</select>', text, re.S)


class TestProcedurePicker:
    def test_search_ignores_accents(self, officials):
        page = officials.login("tiepnhan").get("/counter/intake?q=giay phep lao dong")
        assert page.status_code == 200
        assert WORK_PERMIT in page.text
        assert "1.001193" not in page.text

    def test_only_receivers_may_take_dossiers(self, officials):
        assert officials.login("chuyenvien.snv").get("/counter/intake").status_code == 403


class TestIntake:
    def test_form_shows_the_checklist_and_the_procedure_fields(self, officials):
        page = officials.login("tiepnhan").get(f"/counter/intake/{WORK_PERMIT}")
        assert page.status_code == 200
        for doc in get_procedure(WORK_PERMIT).documents:
            assert doc.name_vi in page.text
        assert 'name="f.passport_number"' in page.text
        assert 'name="f.applicant_name"' not in page.text  # entered once, in the applicant section

    def test_complete_dossier_is_received_and_the_receipt_printed(self, officials, at_office):
        client = officials.login("tiepnhan")
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = client.post(f"/counter/intake/{WORK_PERMIT}", data=intake_post(docs))
        assert response.status_code == 302, response.text
        dossier = db.session.query(Dossier).one()
        assert response.headers["Location"].endswith(f"/dossiers/{dossier.code}/receipt")
        receipt = client.get(response.headers["Location"])
        assert receipt.status_code == 200
        assert dossier.code in receipt.text
        assert re.search(r'id="receipt-appointment">\d\d/\d\d/\d{4} \d\d:\d\d<', receipt.text)
        pin = re.search(r'id="receipt-pin">(\d{6})<', receipt.text).group(1)
        assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="Mã QR', receipt.text)
        from app.dossiers.codes import pin_matches

        assert pin_matches(dossier.code, pin, dossier.pin_hash)
        assert dossier.form_data["passport_number"] == "C1234567"
        assert "print.css" in receipt.text

    def test_wrong_id_number_is_shown_in_place_and_nothing_is_created(self, officials, at_office):
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = officials.login("tiepnhan").post(f"/counter/intake/{WORK_PERMIT}",
                                                    data=intake_post(docs, id_number="12345"))
        assert response.status_code == 422
        assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in response.text
        assert 'value="12345"' in response.text
        assert db.session.query(Dossier).count() == 0

    def test_missing_procedure_fields_are_shown_in_place(self, officials, at_office):
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = officials.login("tiepnhan").post(f"/counter/intake/{WORK_PERMIT}",
                                                    data=intake_post(docs, **{"f.passport_number": ""}))
        assert response.status_code == 422
        assert 'id="f-passport_number-err"' in response.text

    def test_incomplete_dossier_gets_a_guidance_slip_listing_every_missing_document(self, officials, at_office):
        procedure = get_procedure(WORK_PERMIT)
        mandatory = [d for d in procedure.documents if d.is_mandatory]
        response = officials.login("tiepnhan").post(f"/counter/intake/{WORK_PERMIT}",
                                                    data=intake_post([mandatory[0].id]))
        assert response.status_code == 200
        assert "PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ" in response.text
        assert 'id="slip-form">Mẫu số 02 – Thông tư 03/2025/TT-VPCP<' in response.text  # today's form set
        listed = re.search(r'<ol id="missing-documents">(.*?)</ol>', response.text, re.S).group(1)
        for doc in mandatory[1:]:
            assert doc.name_vi in listed
        assert db.session.query(Dossier).count() == 0

    def test_receipt_of_another_agency_is_refused(self, officials, desk, at_office):
        dossier = desk.receive("1.001193", "14797").dossier
        assert officials.login("tiepnhan").get(f"/dossiers/{dossier.code}/receipt").status_code == 404

    def test_reprinted_receipt_does_not_reveal_the_pin(self, officials, desk, at_office):
        dossier = desk.receive(WORK_PERMIT).dossier
        page = officials.login("tiepnhan").get(f"/dossiers/{dossier.code}/receipt")
        assert page.status_code == 200 and 'id="receipt-pin"' not in page.text


class TestReceiptPin:
    def _receive(self, client):
        docs = [d.id for d in get_procedure(WORK_PERMIT).documents]
        response = client.post(f"/counter/intake/{WORK_PERMIT}", data=intake_post(docs))
        return db.session.query(Dossier).one(), response.headers["Location"]

    def test_fresh_pin_is_not_in_the_session_cookie_in_clear_and_is_shown_once(self, officials, at_office):
        client = officials.login("tiepnhan")
        dossier, location = self._receive(client)
        cookie = client.get_cookie("session").value
        receipt = client.get(location)
        pin = re.search(r'id="receipt-pin">(\d{6})<', receipt.text).group(1)
        import base64
        import zlib

        data = cookie.lstrip(".").split(".")[0]
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        raw = zlib.decompress(raw) if cookie.startswith(".") else raw
        assert pin.encode() not in raw
        assert receipt.headers["Cache-Control"] == "no-store"
        assert 'id="receipt-pin"' not in client.get(location).text  # a reload is a reprint

    def test_receipt_qr_links_to_the_lookup_page_with_the_code_only(self, officials, at_office, app):
        from app.dossiers.intake_views import qr_data_uri

        client = officials.login("tiepnhan")
        dossier, location = self._receive(client)
        receipt = client.get(location)
        with app.test_request_context():
            expected = qr_data_uri(f"http://localhost/tra-cuu?code={dossier.code}")
        assert f'src="{expected}"' in receipt.text and "pin=" not in receipt.text

    def test_receiver_reissues_the_pin_on_a_new_receipt(self, officials, desk, at_office):
        from app.dossiers.codes import pin_matches

        receipt = desk.receive(WORK_PERMIT)
        client = officials.login("tiepnhan")
        assert 'id="reissue-pin"' in client.get(f"/dossiers/{receipt.dossier.code}").text
        response = client.post(f"/dossiers/{receipt.dossier.code}/pin")
        assert response.status_code == 302
        page = client.get(response.headers["Location"])
        new = re.search(r'id="receipt-pin">(\d{6})<', page.text).group(1)
        dossier = db.session.get(Dossier, receipt.dossier.id)
        db.session.refresh(dossier)
        assert pin_matches(dossier.code, new, dossier.pin_hash)
        assert new == receipt.pin or not pin_matches(dossier.code, receipt.pin, dossier.pin_hash)

    def test_only_receivers_of_the_receiving_agency_see_or_use_the_reissue(self, officials, desk, at_office):
        receipt = desk.receive(WORK_PERMIT)
        client = officials.login("vanthu.ttpvhcc")
        assert 'id="reissue-pin"' not in client.get(f"/dossiers/{receipt.dossier.code}").text
        assert client.post(f"/dossiers/{receipt.dossier.code}/pin").status_code == 403


class TestRegistryPrefillAtTheCounter:
    """The receiver fills the applicant from the population database / business registry sandboxes over HTTP."""

    def test_a_personal_id_fills_the_applicant(self, officials, sandboxes, world):
        client = officials.login("tiepnhan")
        page = client.post("/counter/intake/1.014199", data={"applicant_kind": "person", "id_number": "038090001234",
                                                            "lookup_registry": "1"})
        assert page.status_code == 200 and 'value="Nguyễn Văn An"' in page.text
        assert 'value="Số 12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"' in page.text

    def test_a_tax_code_fills_the_organisation(self, officials, sandboxes, world):
        client = officials.login("tiepnhan")
        page = client.post("/counter/intake/1.014199", data={"applicant_kind": "organisation",
                                                            "id_number": "2801234567", "lookup_registry": "1"})
        assert 'value="Công ty TNHH Thép Nghi Sơn"' in page.text

    def test_a_stopped_registry_leaves_the_form_editable_with_a_message(self, officials, sandboxes, world, app,
                                                                       monkeypatch):
        from tests.sandboxes import Sandbox

        own = Sandbox("registry").start()
        own.stop()
        monkeypatch.setitem(app.config, "REGISTRY_URL", own.url)
        client = officials.login("tiepnhan")
        page = client.post("/counter/intake/1.014199", data={"applicant_kind": "person", "id_number": "038090001234",
                                                            "name": "Tự nhập", "lookup_registry": "1"})
        assert page.status_code == 200 and "registry-notice" in page.text and 'value="Tự nhập"' in page.text
