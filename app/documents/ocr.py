"""Digitisation with OCR: scans become searchable PDFs with a Vietnamese text layer (OCRmyPDF driving Debian's
tesseract-ocr with tesseract-ocr-vie), and the identity a scanned citizen ID card proposes at the counter (the
receiver confirms it; nothing is filled silently).

The ID card proposal calls tesseract directly on one image (a quick read for the counter; OCRmyPDF's PDF
pipeline would only add latency there). Without tesseract installed, OCR is skipped and says so.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date

from PIL import Image

OCR_TIMEOUT = 60  # seconds per page: a runaway scan must not hold the job
OCR_DPI = 300
# 12-digit personal ID (Decree 137/2015 art. 7): province code of birth registration (001–096), a century and
# gender digit, two digits of the birth year, six random digits.
ID_NUMBER = re.compile(r"(?<!\d)(0[0-9]{2}[0-9][0-9]{2}[0-9]{6})(?!\d)")
BIRTH = re.compile(r"(?<!\d)([0-3]?\d)\s*[/.-]\s*([01]?\d)\s*[/.-]\s*((?:19|20)\d{2})(?!\d)")
NAME_LABELS = ("họ, chữ đệm và tên khai sinh", "họ và tên", "họ tên", "full name")


class OcrUnavailableError(Exception):
    """tesseract (or its Vietnamese data) is not installed."""


def available() -> bool:
    return shutil.which("tesseract") is not None


def image_text(image: Image.Image, *, lang: str = "vie") -> str:
    """The text tesseract reads on one page image (NFC-normalised)."""
    if not available():
        raise OcrUnavailableError("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-vie)")
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG", dpi=(OCR_DPI, OCR_DPI))
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", lang, "--psm", "3"],  # noqa: S603, S607
                          input=buffer.getvalue(), capture_output=True, timeout=OCR_TIMEOUT, check=False)
    if done.returncode != 0:
        raise OcrUnavailableError(done.stderr.decode(errors="replace")[:300])
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8", errors="replace"))


def searchable_pdf(data: bytes, media_type: str, *, max_pages: int = 20) -> tuple[bytes, str]:
    """The scan as a PDF with an invisible Vietnamese text layer over each page image (OCRmyPDF), and that text.

    Pages that already carry text (a born-digital PDF) are left as they are; images without a resolution are taken
    as 300 dpi; pypdfium2 rasterises (no Ghostscript needed) and the output is a plain PDF (no PDF/A conversion)."""
    if not available():
        raise OcrUnavailableError("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-vie)")
    import ocrmypdf
    from pypdf import PdfReader

    out = io.BytesIO()
    options = {"image_dpi": OCR_DPI} if media_type != "application/pdf" else {"pages": f"1-{max_pages}"}
    try:
        code = ocrmypdf.ocr(io.BytesIO(data), out, language=["vie"], output_type="pdf", rasterizer="pypdfium",
                            skip_text=True, optimize=0, jobs=1, progress_bar=False,
                            tesseract_timeout=OCR_TIMEOUT, **options)
    except ocrmypdf.exceptions.ExitCodeException as error:
        raise OcrUnavailableError(f"{type(error).__name__}: {error}"[:300]) from error
    if code != ocrmypdf.ExitCode.ok:
        raise OcrUnavailableError(f"OCRmyPDF exit code {code}")
    pdf = out.getvalue()
    text = "\n\f".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    return pdf, unicodedata.normalize("NFC", text)


def file_text(data: bytes, media_type: str, *, max_pages: int = 20) -> str:
    """The text of a scanned PDF (each page rendered at 300 dpi) or image."""
    if media_type != "application/pdf":
        return image_text(Image.open(io.BytesIO(data)))
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n\f".join(image_text(pdf[i].render(scale=OCR_DPI / 72).to_pil())
                           for i in range(min(len(pdf), max_pages)))
    finally:
        pdf.close()


@dataclass
class IdentityProposal:
    id_number: str | None
    name: str | None
    birth_date: date | None

    def as_dict(self) -> dict:
        return {"id_number": self.id_number, "name": self.name,
                "birth_date": self.birth_date.strftime("%d/%m/%Y") if self.birth_date else None}


def _id_number(text: str, birth: date | None) -> str | None:
    for candidate in ID_NUMBER.findall(re.sub(r"(?<=\d) (?=\d)", "", text)):
        province, century, year = int(candidate[:3]), int(candidate[3]), int(candidate[4:6])
        if not 1 <= province <= 96:
            continue
        if birth is not None and (birth.year % 100 != year or (birth.year // 100 - 19) * 2 not in (century,
                                                                                                   century - 1)):
            continue  # the 4th–6th digits must agree with the date of birth on the same card
        return candidate
    return None


def _name(lines: list[str]) -> str | None:
    for i, line in enumerate(lines):
        lowered = line.lower()
        for label in NAME_LABELS:
            if label in lowered:
                rest = line[lowered.index(label) + len(label):].strip(" :/.-")
                rest = re.sub(r"(?i)^/?\s*full name\s*[:.]?", "", rest).strip(" :")
                value = rest or (lines[i + 1].strip() if i + 1 < len(lines) else "")
                value = re.sub(r"[^A-Za-zÀ-ỹĐđ\s]", "", value).strip()
                if len(value.split()) >= 2:
                    return " ".join(w.capitalize() for w in value.split())
    return None


def _birth(text: str) -> date | None:
    for day, month, year in BIRTH.findall(text):
        try:
            found = date(int(year), int(month), int(day))
        except ValueError:
            continue
        if found.year >= 1900:
            return found
    return None


def propose_identity(text: str) -> IdentityProposal:
    """What an ID card scan says: the 12-digit number (format-checked against the birth year), name, birth date."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    birth = _birth(text)
    return IdentityProposal(_id_number(text, birth), _name(lines), birth)
