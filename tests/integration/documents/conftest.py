from __future__ import annotations

import io

import pytest

from tests.integration.dossiers.conftest import clock, desk, world  # noqa: F401


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf), whitespace folded, as a reader of the printed slip sees it."""
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def qr_payloads(data: bytes) -> list[str]:
    """Every QR code found on the first page rendered at 150 dpi (pypdfium2 + zxing-cpp, as a phone would)."""
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=150 / 72).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


@pytest.fixture
def rendered():
    """Render the pending documents now (what the scheduler's job does) and give back their PDFs by id."""
    from app.documents import services
    from app.extensions import db

    def run() -> None:
        services.render_pending(limit=100)
        db.session.commit()

    return run
