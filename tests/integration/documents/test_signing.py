"""Signed electronic results: the stamping step's result is signed (PAdES) by the issuing agency's key from the demo
CA; a changed byte, an incremental edit after signing or an untrusted signer all fail verification."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.documents import services, signing
from app.documents.render import html_to_pdf
from tests.integration.documents.conftest import pdf_text

PERMIT = "1.014199"


@pytest.fixture
def signed_result(desk, clock, rendered):
    clock("2026-03-02 09:00")
    dossier = desk.receive(PERMIT).dossier
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(dossier, kind)
    rendered()
    result = next(d for d in services.list_documents(dossier.id) if d.kind == "result")
    return dossier, result, services.document_bytes(result)


class TestSignedResult:
    def test_the_result_is_signed_by_the_stamping_agency_and_verifies(self, signed_result):
        dossier, result, data = signed_result
        assert result.is_signed and "Sở Nội vụ" in result.signer
        assert "/ByteRange" in data.decode("latin-1") and "/ETSI.CAdES.detached" in data.decode("latin-1")
        [check] = signing.check_signatures(data)
        assert check.ok and check.intact and check.trusted and check.whole_file
        verification = services.verify_pdf(data)
        assert verification.verdict == "valid" and verification.document.id == result.id
        assert dossier.code in pdf_text(data)

    def test_a_byte_changed_inside_the_signed_range_breaks_the_signature(self, signed_result):
        _dossier, _result, data = signed_result
        marker = data.index(b"/ByteRange")
        position = data.index(b"stream", 200) + 20  # inside the first content stream, well before the signature
        assert position < marker or position > marker + 2000
        forged = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]
        checks = signing.check_signatures(forged)
        assert checks and not checks[0].ok and not checks[0].intact
        assert services.verify_pdf(forged).verdict == "invalid"

    def test_content_appended_after_signing_is_detected(self, signed_result):
        from pyhanko.pdf_utils.generic import NameObject, NumberObject
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        _dossier, _result, data = signed_result
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page_ref.get_object()[NameObject("/Rotate")] = NumberObject(180)  # an incremental update after signing
        writer.mark_update(page_ref)
        out = io.BytesIO()
        writer.write(out)
        edited = out.getvalue()
        assert PdfReader(io.BytesIO(edited)).pages[0].rotation == 180
        [check] = signing.check_signatures(edited)
        assert check.intact and not check.whole_file and not check.ok
        assert services.verify_pdf(edited).verdict == "invalid"

    def test_a_signature_from_an_untrusted_ca_is_not_trusted(self, app, tmp_path, signed_result, monkeypatch):
        pdf = html_to_pdf("<p>Kết quả giả mạo</p>")
        monkeypatch.setitem(app.config, "PKI_DIR", str(tmp_path / "rogue"))
        signing.create_demo_ca()
        forged, _signer = signing.sign_pdf(pdf, "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
        monkeypatch.undo()  # back to the application's own trust roots
        [check] = signing.check_signatures(forged)
        assert check.intact and not check.trusted and not check.ok
        assert services.verify_pdf(forged).verdict == "invalid"

    def test_an_unsigned_slip_is_valid_when_it_is_the_issued_bytes(self, signed_result):
        dossier, _result, _data = signed_result
        receipt = next(d for d in services.list_documents(dossier.id) if d.kind == "receipt")
        assert services.verify_pdf(services.document_bytes(receipt)).verdict == "valid"
        assert services.verify_pdf(b"%PDF-1.4 not issued here").verdict == "unknown"


def test_without_a_key_and_without_the_demo_ca_nothing_is_signed(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PKI_DIR", str(tmp_path / "production"))
    with pytest.raises(signing.SigningKeyMissingError):
        signing.sign_pdf(b"%PDF-1.4", "H38.SNV")


def test_a_certificate_issued_today_still_signs_a_dossier_dated_earlier_this_year(app, tmp_path, monkeypatch):
    """The demo PKI is made once (today); results of dossiers dated months back (a demo's history, the tests'
    dated scenarios) must still chain to it. Failed when the demo certificates started the day they were made."""
    import datetime as dt

    import time_machine

    monkeypatch.setitem(app.config, "PKI_DIR", str(tmp_path / "fresh"))
    signing.create_demo_ca()
    signing.agency_files("H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")  # issued now
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=270), tick=False):
        signed, _signer = signing.sign_pdf(html_to_pdf("<p>Kết quả</p>"), "H38.SNV", "Sở Nội vụ tỉnh Thanh Hóa")
        [check] = signing.check_signatures(signed)
    assert check.ok and check.trusted
