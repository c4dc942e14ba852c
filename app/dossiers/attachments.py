"""Files uploaded by applicants: checked by their first bytes (not by the name or the browser's word), stored once
under their SHA-256 in the upload directory, and listed per dossier."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.core.errors import ValidationError
from app.dossiers.models import Channel, Dossier, DossierAttachment
from app.extensions import db

MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass(frozen=True)
class Upload:
    document_id: int | None
    document_name: str
    filename: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG, PNG), or None."""
    return next((kind for magic, kind in MAGIC.items() if content.startswith(magic)), None)


def acceptable(upload: Upload) -> bool:
    """Not empty, within the size limit, and really a PDF, JPEG or PNG."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    return bool(upload.content) and len(upload.content) <= limit and (
        sniff(upload.content) in current_app.config["UPLOAD_TYPES"])


def check(upload: Upload) -> str:
    """Refuse empty, oversized or unexpected files; return the sniffed content type."""
    if not acceptable(upload):
        limit = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        raise ValidationError(
            f"Tệp {upload.filename!r} không hợp lệ: chỉ nhận PDF, JPEG hoặc PNG, tối đa {limit} MB.",
            f"File {upload.filename!r} refused: PDF, JPEG or PNG only, at most {limit} MB.",
            details={"errors": {f"doc-{upload.document_id}": ["invalid file"]}})
    return sniff(upload.content) or ""


def _path(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256


def store(dossier: Dossier, upload: Upload, purpose: str = "submission") -> DossierAttachment:
    """Write the file (once per content) and record it on the dossier."""
    kind = check(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    path = _path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(upload.content)
        tmp.replace(path)
    name = SAFE_NAME.sub("_", Path(upload.filename).name)[:255] or "tep"
    row = DossierAttachment(dossier_id=dossier.id, document_id=upload.document_id, document_name=upload.document_name,
                            filename=name, content_type=kind, size=len(upload.content), sha256=digest, purpose=purpose)
    db.session.add(row)
    return row


def list_attachments(dossier: Dossier) -> list[DossierAttachment]:
    """The dossier's uploaded files (only online dossiers have any: no query for the others)."""
    if dossier.channel is not Channel.ONLINE:
        return []
    return list(db.session.scalars(select(DossierAttachment).where(DossierAttachment.dossier_id == dossier.id)
                                   .order_by(DossierAttachment.id)))


def read(attachment: DossierAttachment) -> bytes:
    return _path(attachment.sha256).read_bytes()
