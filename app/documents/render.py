"""Slips and results to PDF: Jinja templates (one folder per form set, falling back to the common one) printed by
WeasyPrint with an embedded Vietnamese font, and a QR code to the document's public verification page."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import segno
from flask import current_app

from app.core.timefmt import to_local

FONT_STACK = '"Liberation Serif", "DejaVu Serif", serif'  # both cover Vietnamese; WeasyPrint embeds the subset


def verify_url(token: str) -> str:
    """The public page a slip's QR code opens (no PIN, no personal data in it)."""
    return f"{current_app.config['PUBLIC_URL']}/xac-thuc/{token}"


def qr_png(url: str) -> str:
    """A PNG QR code of `url` as a data URI (PNG, so a scanner reading the printed or rendered page finds it)."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=2)


def _parse_instants(context: dict[str, Any]) -> dict[str, Any]:
    """ISO instants of the snapshot back to local datetimes for the templates."""
    out = {}
    for key, value in context.items():
        if isinstance(value, str) and (key.endswith("_at")) and value:
            out[key] = to_local(datetime.fromisoformat(value))
        elif isinstance(value, list):
            out[key] = [_parse_instants(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out


def slip_html(kind: str, context: dict[str, Any], *, token: str | None, copy: dict | None = None) -> str:
    """The slip's HTML, always in Vietnamese (a legal form), from its snapshot."""
    from app.documents.slips import header

    c = _parse_instants({**header(context), **context})
    url = verify_url(token) if token else None
    names = [f"documents/slips/{context.get('form_set')}/{kind}.html", f"documents/slips/{kind}.html"]
    # Straight from the Jinja environment: a slip needs no request (the scheduler renders most of them) and takes
    # nothing from the page context processors; its words are Vietnamese in the template itself.
    template = current_app.jinja_env.select_template(names)
    return template.render(c=c, kind=kind, verify_url=url, qr=qr_png(url) if url else None,
                           copy=_parse_instants(copy) if copy else None, font_stack=FONT_STACK)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
