"""Case-history bundle: every event with its hash, the exact BPMN version and a printable summary.

A third party checks it with `python tools/verify_bundle.py BUNDLE` (standard library only).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditAnchor
from app.audit.verify import verify_dossier
from app.core.db import utcnow
from app.dossiers import labels
from app.dossiers.models import Dossier
from app.extensions import db
from app.history.chain import canonical_at
from app.history.services import list_events
from app.workflow.models import ProcessVersion

logger = logging.getLogger(__name__)

FORMAT = "motcua-case-bundle/1"
MODEL_FILE = "model.bpmn"


def _event_record(event: Any) -> dict[str, Any]:
    record = {**event.chain_fields(), "hash": event.hash}
    record["at"] = canonical_at(event.at)
    return record


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _dossier_record(dossier: Dossier) -> dict[str, Any]:
    iso = _iso
    return {
        "code": dossier.code, "procedure_code": dossier.procedure.code, "procedure_name": dossier.procedure.name_vi,
        "status": dossier.status.value, "outcome": dossier.outcome, "timing": dossier.timing,
        "receiving_agency": dossier.receiving_agency.name, "applicant_name": dossier.applicant_name,
        "received_at": iso(dossier.received_at), "legal_due_at": iso(dossier.legal_due_at),
        "due_at": iso(dossier.due_at), "result_ready_at": iso(dossier.result_ready_at),
        "returned_at": iso(dossier.returned_at), "finished_at": iso(dossier.finished_at),
    }


def _anchors_for(dossier: Dossier) -> list[dict[str, Any]]:
    found = []
    for anchor in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day)):
        head = next(([seq, digest] for dossier_id, seq, digest in anchor.heads if dossier_id == dossier.id), None)
        if head:
            found.append({"day": anchor.day.isoformat(), "digest": anchor.digest, "head": head})
    return found


def case_document(dossier: Dossier) -> dict[str, Any]:
    """The JSON part of the bundle (files digests are added when the bundle is written)."""
    version = db.session.get(ProcessVersion, dossier.process_version_id)
    events = [_event_record(e) for e in list_events(dossier.id)]
    return {
        "format": FORMAT, "exported_at": canonical_at(utcnow()), "dossier": _dossier_record(dossier),
        "model": {"process_key": version.process_key, "number": version.number,
                  "content_hash": version.content_hash, "file": MODEL_FILE},
        "chain_head": {"seq": dossier.event_seq, "hash": dossier.last_event_hash},
        "events": events, "anchors": _anchors_for(dossier), "files": {},
    }


def _summary_files(dossier: Dossier, document: dict[str, Any]) -> dict[str, bytes]:
    report = verify_dossier(dossier)
    template = current_app.jinja_env.get_template("audit/summary.html")  # no request needed (CLI, archive job)
    with force_locale("vi"):  # a legal record: Vietnamese words and local times, whatever the UI language
        html = template.render(dossier=dossier, document=document, report=report, events=list_events(dossier.id),
                               exported_at=datetime.strptime(document["exported_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                               .replace(tzinfo=UTC), labels=labels)
    files = {"summary.html": html.encode("utf-8")}
    pdf = _pdf(html)
    if pdf is not None:
        files["summary.pdf"] = pdf
    return files


def _pdf(html: str) -> bytes | None:
    try:
        from weasyprint import HTML
    except ImportError:  # optional at runtime: the HTML summary is printable on its own
        logger.warning("WeasyPrint is not installed: bundle without summary.pdf")
        return None
    return HTML(string=html).write_pdf()


def bundle_files(dossier: Dossier) -> dict[str, bytes]:
    """Every file of the bundle by name; case.json lists the digests of the others."""
    document = case_document(dossier)
    version = db.session.get(ProcessVersion, dossier.process_version_id)
    files = {MODEL_FILE: version.xml.encode("utf-8"), **_summary_files(dossier, document)}
    document["files"] = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    files["case.json"] = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    return files


def bundle_zip(dossier: Dossier) -> bytes:
    """The bundle as one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(bundle_files(dossier).items()):
            archive.writestr(name, content)
    return buffer.getvalue()


def write_bundle(dossier: Dossier, folder: Path) -> Path:
    """Write `<code>.zip` into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dossier.code}.zip"
    path.write_bytes(bundle_zip(dossier))
    return path
