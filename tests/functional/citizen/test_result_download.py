"""The applicant downloads the signed electronic result: signed in (their own dossier only, once the result is
issued) or with code + PIN where the procedure is fully online; the PDF's PAdES signature validates (pyHanko)."""
from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.catalog.models import OnlineLevel
from app.documents.signing import trust_roots
from app.extensions import db
from tests.functional.citizen.portal import AN, BINH, sign_in
from tests.functional.ui_world import WORK_PERMIT

URL = "/cong-dan/ho-so/{}/ket-qua.pdf"
LOOKUP_URL = "/tra-cuu/ho-so/{}/ket-qua.pdf"


def assert_signed_by_the_agency(data: bytes) -> None:
    """pyHanko's own validation against the demo CA: intact, trusted, covering the whole file."""
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=trust_roots(), allow_fetching=False))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "Sở Nội vụ" in status.signing_cert.subject.human_friendly


def _stamped(desk, receipt):
    for kind in ("appraisal", "approval", "stamping"):
        desk.complete(receipt.dossier, kind)
    db.session.expire_all()
    return receipt


@pytest.fixture
def receipt(desk):
    """A work permit (fully online procedure) filed in An's personal ID."""
    return desk.receive(WORK_PERMIT)


def test_the_owner_downloads_the_signed_result_once_it_is_issued(client, sandboxes, desk, receipt):
    code = receipt.dossier.code
    sign_in(client, AN)
    assert client.get(URL.format(code)).status_code == 404  # being handled: no result yet
    assert "result-download" not in client.get(f"/cong-dan/ho-so/{code}").text
    _stamped(desk, receipt)
    page = client.get(f"/cong-dan/ho-so/{code}")
    assert "result-download" in page.text and URL.format(code) in page.text
    response = client.get(URL.format(code))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert_signed_by_the_agency(response.data)


def test_another_citizen_gets_the_404_of_an_unknown_code(client, sandboxes, desk, receipt):
    _stamped(desk, receipt)
    sign_in(client, BINH)
    theirs = client.get(URL.format(receipt.dossier.code))
    unknown = client.get(URL.format("H38.99-999999-9999"))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.text.replace(receipt.dossier.code, "") == unknown.text.replace("H38.99-999999-9999", "")
    assert b"%PDF" not in theirs.data


def test_signed_out_the_download_asks_to_sign_in(client, desk, receipt):
    _stamped(desk, receipt)
    response = client.get(URL.format(receipt.dossier.code))
    assert response.status_code == 302 and "/cong-dan/dang-nhap" in response.location


def test_with_code_and_pin_where_the_procedure_is_fully_online(client, desk, receipt):
    code = receipt.dossier.code
    _stamped(desk, receipt)
    assert client.get(LOOKUP_URL.format(code)).status_code == 404  # no PIN given in this browser
    page = client.post("/tra-cuu", data={"code": code, "pin": receipt.pin}, follow_redirects=True)
    assert "result-download" in page.text
    response = client.get(LOOKUP_URL.format(code))
    assert response.status_code == 200
    assert_signed_by_the_agency(response.data)


def test_with_code_and_pin_a_partly_online_procedure_keeps_its_result_at_the_counter(client, desk, receipt):
    code = receipt.dossier.code
    _stamped(desk, receipt)
    receipt.dossier.procedure.online_level = OnlineLevel.PARTIAL
    db.session.commit()
    page = client.post("/tra-cuu", data={"code": code, "pin": receipt.pin}, follow_redirects=True)
    assert page.status_code == 200 and "result-download" not in page.text
    assert client.get(LOOKUP_URL.format(code)).status_code == 404
