"""OCR (Debian's tesseract with Vietnamese data): a scanned ID card, drawn by the test with a Vietnamese font,
proposes the right number, name and birth date; scans get their text in a background job."""
from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont

from app.documents import ocr

pytestmark = pytest.mark.skipif(not ocr.available(), reason="needs tesseract-ocr and tesseract-ocr-vie (make test)")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def id_card(number: str = "038090001234", name: str = "NGUYỄN VĂN AN", birth: str = "15/04/1990") -> bytes:
    """A citizen ID card front at ~300 dpi (the layout of the real card, not its security print)."""
    image = Image.new("RGB", (1600, 1000), "white")
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.truetype(FONT, 52), ImageFont.truetype(FONT, 40)
    lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small), ("CĂN CƯỚC CÔNG DÂN", big),
             (f"Số / No.: {number}", big), ("Họ và tên / Full name:", small), (name, big),
             (f"Ngày sinh / Date of birth: {birth}", small), ("Giới tính / Sex: Nam", small),
             ("Quốc tịch / Nationality: Việt Nam", small)]
    y = 60
    for text, font in lines:
        draw.text((80, y), text, fill="black", font=font)
        y += 110
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_scanned_id_card_proposes_its_number_name_and_birth_date():
    proposal = ocr.propose_identity(ocr.file_text(id_card(), "image/png"))
    assert proposal.id_number == "038090001234"
    assert proposal.name == "Nguyễn Văn An"
    assert proposal.birth_date == date(1990, 4, 15)


def test_a_number_that_disagrees_with_the_birth_year_is_not_proposed():
    text = "Số / No.: 038090001234\nHọ và tên / Full name:\nTRẦN THỊ BÌNH\nNgày sinh / Date of birth: 01/02/2001"
    proposal = ocr.propose_identity(text)
    assert proposal.id_number is None and proposal.name == "Trần Thị Bình"


def test_the_counter_gets_the_proposal_as_json(app, world, client):
    from tests.functional.ui_world import Officials

    response = Officials(client).login("tiepnhan").post(
        "/counter/scan-id", data={"file": (io.BytesIO(id_card()), "cccd.png")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.get_json()["proposal"] == {"id_number": "038090001234", "name": "Nguyễn Văn An",
                                               "birth_date": "15/04/1990"}


def test_scans_get_their_text_in_the_background_job(desk, clock):
    from app.documents.attachments import Upload, attach, list_attachments, ocr_pending
    from app.extensions import db
    from tests.integration.dossiers.conftest import official

    clock("2026-03-02 09:00")
    dossier = desk.receive("1.014199").dossier
    attach(official("receiver", dossier.receiving_agency_id), dossier, [Upload("cccd.png", id_card())],
           stage="intake")
    assert ocr_pending() == 1
    db.session.commit()
    [row] = list_attachments(dossier.id)
    assert "CĂN CƯỚC CÔNG DÂN" in row.text and "038090001234" in row.text.replace(" ", "")


def test_a_scan_gets_a_searchable_pdf_with_a_vietnamese_text_layer_and_keeps_its_original(desk, clock):
    """OCRmyPDF puts the recognised text as a layer over the page image: a PDF reader finds the words."""
    from app.documents.attachments import Upload, attach, list_attachments, ocr_pending
    from app.documents.storage import get_storage
    from app.extensions import db
    from tests.integration.documents.conftest import pdf_text
    from tests.integration.dossiers.conftest import official

    clock("2026-03-02 09:00")
    dossier = desk.receive("1.014199").dossier
    scan = id_card()
    attach(official("receiver", dossier.receiving_agency_id), dossier, [Upload("cccd.png", scan)], stage="intake")
    ocr_pending()
    db.session.commit()
    [row] = list_attachments(dossier.id)
    searchable = get_storage().get(row.searchable_hash)
    assert searchable.startswith(b"%PDF") and "CĂN CƯỚC CÔNG DÂN" in pdf_text(searchable)
    assert get_storage().get(row.content_hash) == scan  # the uploaded bytes (hashed in the history) are kept
