"""Uploaded scans are checked by their content: type (libmagic, then parsed), size, pages; previews are PNG."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from app.core.errors import UploadRefusedError
from app.documents.uploads import check_upload, preview_png

LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_pages": 3}


def refused(call) -> str:
    """The Vietnamese message the official sees when the file is refused."""
    with pytest.raises(UploadRefusedError) as error:
        call()
    return error.value.message_vi


def png(width: int = 300, height: int = 400) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (250, 250, 250)).save(out, format="JPEG")
    return out.getvalue()


def pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class TestContentType:
    @pytest.mark.parametrize(("data", "name", "media_type"), [
        (pdf(2), "to-khai.pdf", "application/pdf"), (jpeg(), "cccd.jpg", "image/jpeg"),
        (png(), "anh.PNG", "image/png"), (png(), "khong-duoi", "image/png"),
    ])
    def test_pdf_jpeg_and_png_are_accepted_by_their_content(self, data, name, media_type):
        checked = check_upload(data, name, **LIMITS)
        assert checked.media_type == media_type and checked.page_count == (2 if name.endswith(".pdf") else 1)

    def test_a_web_page_named_pdf_is_refused(self):
        message = refused(lambda: check_upload(b"<html><script>alert(1)</script></html>", "ket-qua.pdf", **LIMITS))
        assert "PDF, JPEG hoặc PNG" in message

    def test_an_image_whose_name_claims_a_pdf_is_refused(self):
        message = refused(lambda: check_upload(png(), "giay-phep.pdf", **LIMITS))
        assert "tên tệp ghi PDF nhưng nội dung là PNG" in message

    def test_a_truncated_pdf_is_refused(self):
        message = refused(lambda: check_upload(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "hong.pdf", **LIMITS))
        assert "hỏng" in message

    def test_a_broken_png_is_refused(self):
        assert "hỏng" in refused(lambda: check_upload(png()[:60], "hong.png", **LIMITS))

    def test_a_password_protected_pdf_is_refused(self):
        assert "mật khẩu" in refused(lambda: check_upload(pdf(password="x"), "khoa.pdf", **LIMITS))


class TestLimits:
    def test_a_file_over_the_size_limit_is_refused(self):
        message = refused(lambda: check_upload(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024), "lon.pdf", **LIMITS))
        assert "lớn hơn 2 MB" in message

    def test_a_pdf_over_the_page_limit_is_refused(self):
        assert "4 trang" in refused(lambda: check_upload(pdf(4), "dai.pdf", **LIMITS))

    def test_an_empty_file_is_refused(self):
        assert "rỗng" in refused(lambda: check_upload(b"", "rong.pdf", **LIMITS))


class TestPreview:
    @pytest.mark.parametrize("data", [pdf(2), jpeg(), png(1200, 1600)])
    def test_the_preview_is_a_png_at_most_480_wide(self, data):
        preview = Image.open(io.BytesIO(preview_png(check_upload(data, "x", **LIMITS))))
        assert preview.format == "PNG" and preview.width <= 480 and preview.height > preview.width
