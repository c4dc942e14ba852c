"""Download and reprint a dossier's documents; the public verification page (/xac-thuc) a slip's QR code opens."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import unit_of_work
from app.core.errors import ConflictError
from app.core.permissions import public, roles_required
from app.core.ratelimit import client_key
from app.documents import services
from app.extensions import limiter

bp = Blueprint("documents", __name__)

# Documents carry the applicant's personal data in full: the masked supervisor view does not offer them.
READERS = ("receiver", "specialist", "leader", "clerk", "returner", "admin", "auditor")


def result_download(dossier) -> Response:
    """The applicant's copy of the signed electronic result (the citizen portal's and the PIN lookup's), or 404."""
    from flask import abort

    with unit_of_work():
        document = services.applicant_result(dossier)
    if document is None:
        abort(404)
    return _pdf_response(document, services.document_bytes(document), download=True)


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


def _verify_limit() -> str:
    return current_app.config["VERIFY_LIMIT"]


@bp.route("/xac-thuc", methods=["GET", "POST"])
@public
@limiter.limit(_verify_limit, methods=["POST"], key_func=client_key)
def verify():
    """Anyone uploads a result (or types the code under its QR) and sees whether its signature and hash hold."""
    if request.method == "GET" and request.args.get("ma"):
        return redirect(url_for("documents.verify_token", token=request.args["ma"].strip()[:64]))
    result = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash(_("Chọn tệp PDF cần xác thực."), "warning")
            return render_template("documents/verify.html", looked_up=False), 422
        result = services.verify_pdf(data)
    return render_template("documents/verify.html", looked_up=False, result=result)


@bp.route("/xac-thuc/<token>")
@public
def verify_token(token: str):
    """What the QR code of a slip opens: the document, its hash and its dossier code (no personal data)."""
    document = services.find_by_token(token[:64])
    status = 200 if document is not None else 404
    return render_template("documents/verify.html", document=document, looked_up=True, token=token[:64]), status


# --- attachments ------------------------------------------------------------------------------

def uploads_from_request(item_names: dict[int, str] | None = None) -> list:
    """The files of a multipart form: `file-<required document id>` inputs per checklist item, `files` for others."""
    from app.documents.attachments import Upload

    uploads = []
    for key in request.files:
        item_id = int(key[5:]) if key.startswith("file-") and key[5:].isdigit() else None
        for storage in request.files.getlist(key):
            if storage and storage.filename:
                item = (item_names or {}).get(item_id) if item_id else (request.form.get("item") or None)
                uploads.append(Upload(storage.filename, storage.read(), item, item_id if item else None))
    return uploads


@bp.route("/dossiers/<code>/attachments", methods=["POST"])
@roles_required("receiver", "specialist", "leader", "clerk", "returner")
def attach(code: str):
    """Add scans to a dossier at any step (the declared `attach_documents` action checks who may)."""
    from app.documents.attachments import attach as attach_files
    from app.dossiers.services import get_dossier_for

    dossier = get_dossier_for(current_user, code)
    uploads = uploads_from_request()
    if not uploads:
        flash(_("Chưa chọn tệp nào."), "warning")
        return redirect(url_for("dossiers.detail", code=code) + "#attachments")
    with unit_of_work():
        rows = attach_files(current_user, dossier, uploads, stage="step")
    flash(_("Đã đính kèm %(n)s tệp.", n=len(rows)), "success")
    return redirect(url_for("dossiers.detail", code=code) + "#attachments")


@bp.route("/dossiers/<code>/attachments/<int:attachment_id>")
@roles_required(*READERS)
def attachment_file(code: str, attachment_id: int):
    from app.documents.attachments import get_attachment_for
    from app.documents.storage import get_storage

    attachment = get_attachment_for(current_user, code, attachment_id)
    if request.args.get("ban") == "tim-kiem" and attachment.searchable_hash:  # the OCR copy with a text layer
        return Response(get_storage().get(attachment.searchable_hash), mimetype="application/pdf", headers={
            "Content-Disposition": "inline", "Cache-Control": "private, no-store"})
    return Response(get_storage().get(attachment.content_hash), mimetype=attachment.media_type, headers={
        "Content-Disposition": "inline", "Cache-Control": "private, no-store"})


@bp.route("/dossiers/<code>/attachments/<int:attachment_id>/preview.png")
@roles_required(*READERS)
def attachment_preview(code: str, attachment_id: int):
    from app.documents.attachments import get_attachment_for, preview_of

    attachment = get_attachment_for(current_user, code, attachment_id)
    if attachment.preview_hash is None:  # carried over from the old online store: made once, kept
        with unit_of_work():
            preview_of(attachment)
    data = preview_of(attachment)
    return Response(data, mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.route("/counter/logbook.pdf")
@roles_required("receiver", "returner")
def logbook_pdf():
    """The tracking book of one of the official's counters for a year, as PDF (one section per form set)."""
    from itertools import groupby

    from flask import abort

    from app.auth.models import Agency
    from app.core.db import utcnow
    from app.core.timefmt import to_local
    from app.documents.render import FONT_STACK, html_to_pdf
    from app.dossiers.counter import counter_agency_ids, logbook_rows
    from app.extensions import db

    agency_ids = counter_agency_ids(current_user)
    agency_id = request.args.get("agency", type=int) or (agency_ids[0] if agency_ids else None)
    year = request.args.get("year", type=int) or to_local(utcnow()).year
    if agency_id not in agency_ids or not 2000 <= year <= 2100:
        abort(404)
    sections = [(form, list(rows)) for form, rows in groupby(logbook_rows(agency_id, year), key=lambda r: r.form)]
    html = current_app.jinja_env.get_template("documents/slips/log.html").render(
        sections=sections, year=year, agency=db.session.get(Agency, agency_id), font_stack=FONT_STACK)
    return Response(html_to_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="so-theo-doi-{year}.pdf"', "Cache-Control": "private, no-store"})


@bp.route("/counter/scan-id", methods=["POST"])
@roles_required("receiver")
def scan_id():
    """OCR a scanned ID card at the counter and propose its number, name and birth date (JSON); the receiver
    checks them against the card and copies them into the form: nothing is filled in silently."""
    from flask import jsonify

    from app.documents import ocr
    from app.documents.uploads import check_upload

    upload = request.files.get("file")
    checked = check_upload(upload.read() if upload else b"", (upload.filename if upload else "") or "cccd",
                           max_bytes=current_app.config["UPLOAD_MAX_BYTES"], max_pages=2)
    try:
        text = ocr.file_text(checked.data, checked.media_type, max_pages=2)
    except ocr.OcrUnavailableError:
        return jsonify({"available": False}), 503
    return jsonify({"available": True, "proposal": ocr.propose_identity(text).as_dict()})
