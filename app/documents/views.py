"""Download and reprint a dossier's documents; the public verification page (/xac-thuc) a slip's QR code opens."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.errors import ConflictError
from app.core.permissions import public, roles_required
from app.documents import services

bp = Blueprint("documents", __name__)

# Documents carry the applicant's personal data in full: the masked supervisor view does not offer them.
READERS = ("receiver", "specialist", "leader", "clerk", "returner", "admin", "auditor")


def _pdf_response(document, data: bytes, *, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(data, mimetype=document.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{document.filename}"', "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})


@bp.route("/dossiers/<code>/documents/<int:document_id>.pdf")
@roles_required(*READERS)
def download(code: str, document_id: int):
    """The stored PDF (rendered now if the background job has not yet)."""
    _dossier, document = services.get_document_for(current_user, code, document_id)
    if not document.is_ready:
        with unit_of_work():
            document = services.ensure_rendered(document.id)
        if not document.is_ready:
            raise ConflictError("Chưa tạo được văn bản, hệ thống sẽ thử lại.", "The document could not be made yet.")
    return _pdf_response(document, services.document_bytes(document), download=request.args.get("tai") == "1")


@bp.route("/dossiers/<code>/documents/<int:document_id>/reprint", methods=["POST"])
@roles_required("receiver", "returner")
def reprint(code: str, document_id: int):
    """Print a copy of an issued slip: a new document marked as a copy; the original is kept as issued."""
    with unit_of_work():
        copy = services.reprint(current_user, code, document_id)
    flash(_("Đã tạo bản sao lần %(n)s.", n=copy.copy_number), "success")
    return redirect(url_for("documents.download", code=code, document_id=copy.id))


@bp.route("/xac-thuc/<token>")
@public
def verify_token(token: str):
    """What the QR code of a slip opens: the document, its hash and its dossier code (no personal data)."""
    document = services.find_by_token(token[:64])
    status = 200 if document is not None else 404
    return render_template("documents/verify.html", document=document, looked_up=True, token=token[:64]), status
