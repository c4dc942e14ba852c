"""Check an uploaded scan by its content (never its name or the browser's word), bound its size and pages, and
make its preview: the first page of a PDF or the image itself, scaled down to a PNG."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import magic
from PIL import Image, UnidentifiedImageError

from app.core.errors import UploadRefusedError

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg",
              ".png": "image/png"}
PREVIEW_WIDTH = 480
MAX_PIXELS = 80_000_000  # a 600 dpi A3 scan is ~70 Mpx; beyond that the file is a decompression bomb


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    media_type: str
    page_count: int


def _refuse(vi: str, en: str, name: str) -> UploadRefusedError:
    return UploadRefusedError(f"{name}: {vi}", f"{name}: {en}", details={"errors": {"file": [vi]}})


def check_upload(data: bytes, name: str, *, max_bytes: int, max_pages: int) -> CheckedFile:
    """The file's real type (libmagic on the bytes, then parsed by pypdf or Pillow) if it is an allowed scan."""
    if not data:
        raise _refuse("tệp rỗng.", "the file is empty.", name)
    if len(data) > max_bytes:
        raise _refuse(f"tệp lớn hơn {max_bytes // (1024 * 1024)} MB.",
                      f"the file is larger than {max_bytes // (1024 * 1024)} MB.", name)
    media_type = magic.from_buffer(data[:8192], mime=True)
    if media_type not in ALLOWED:
        raise _refuse("chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).",
                      f"only PDF, JPEG or PNG files are accepted (the content is {media_type}).", name)
    claimed = EXTENSIONS.get(Path(name).suffix.lower())
    if claimed is not None and claimed != media_type:  # scan.pdf that is a JPEG: a mislabelled or forged file
        raise _refuse(f"tên tệp ghi {ALLOWED[claimed]} nhưng nội dung là {ALLOWED[media_type]}.",
                      f"the name says {ALLOWED[claimed]} but the content is {ALLOWED[media_type]}.", name)
    pages = _pdf_pages(data, name) if media_type == "application/pdf" else _image_pages(data, name)
    if pages > max_pages:
        raise _refuse(f"tệp có {pages} trang, nhiều hơn {max_pages} trang cho phép.",
                      f"the file has {pages} pages, more than the {max_pages} allowed.", name)
    return CheckedFile(data, media_type, pages)


def _pdf_pages(data: bytes, name: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse("tệp PDF có mật khẩu.", "the PDF is password-protected.", name)
        return len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise _refuse("tệp PDF bị hỏng.", f"the PDF cannot be read ({type(error).__name__}).", name) from error


def _image_pages(data: bytes, name: str) -> int:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _refuse("ảnh quá lớn.", "the image is too large.", name)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise _refuse("ảnh bị hỏng.", "the image cannot be read.", name) from error
    return 1


def preview_png(checked: CheckedFile) -> bytes:
    """A PNG at most PREVIEW_WIDTH wide: the PDF's first page (pypdfium2) or the image."""
    if checked.media_type == "application/pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(checked.data)
        try:
            page = pdf[0]
            image = page.render(scale=PREVIEW_WIDTH / max(page.get_width(), 1)).to_pil()
        finally:
            pdf.close()
    else:
        image = Image.open(io.BytesIO(checked.data))
        image.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 2))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
