"""Catalogue use cases: look up, create/update and import procedures (JSON package, CSV or XLSX)."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from unidecode import unidecode

from app.auth.models import Agency, User
from app.auth.services import find_agency_by_code, get_agency_by_code
from app.catalog.models import DeadlinePolicy, Fee, OnlineLevel, Procedure, RequiredDocument
from app.core.errors import NotFoundError, ValidationError
from app.core.permissions import ensure_covers
from app.extensions import db

CSV_COLUMNS = ("code", "name_vi", "name_en", "field_vi", "level", "agency_code", "legal_days", "process_key",
               "online_level", "return_methods", "five_on_site", "cutoff", "documents", "fee_vnd")


def get_procedure(code: str) -> Procedure:
    procedure = find_procedure(code)
    if procedure is None:
        raise NotFoundError(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
    return procedure


def find_procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def list_procedures(search: str | None = None, *, active_only: bool = True) -> list[Procedure]:
    """Procedures matching `search` in code or name, accents ignored."""
    query = select(Procedure).order_by(Procedure.code)
    if active_only:
        query = query.where(Procedure.is_active.is_(True))
    procedures = list(db.session.scalars(query))
    if search:
        folded = unidecode(search).lower().strip()
        procedures = [p for p in procedures if folded in unidecode(f"{p.code} {p.name_vi}").lower()]
    return procedures


def handling_agency_for(procedure: Procedure, receiving: Agency) -> Agency:
    """Commune procedures are handled by the commune that received them; others by the competent agency."""
    if procedure.level == "commune" and receiving.level.value == "commune":
        return receiving
    return procedure.handling_agency


def resolve_agency_key(procedure: Procedure, key: str | None, default: Agency) -> Agency:
    """Map a model's symbolic agency key (police, social_insurance...) to the configured agency."""
    code = (procedure.agency_map or {}).get(key) if key else None
    if not code:
        return default
    agency = find_agency_by_code(code)
    if agency is None:
        raise ValidationError(f"Thủ tục {procedure.code}: chưa cấu hình đơn vị cho '{key}'.",
                              f"Procedure {procedure.code}: no agency configured for '{key}'.")
    return agency


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value).replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError(f"Giá trị không hợp lệ cho {field}: {value}", f"Invalid {field}: {value}") from error
    if result <= 0:
        raise ValidationError(f"{field} phải lớn hơn 0.", f"{field} must be positive.")
    return result


def upsert_procedure(actor: User | None, entry: dict[str, Any], agency_keys: dict[str, str]) -> Procedure:
    """Create or update one procedure from a catalogue entry (the procedures.json shape)."""
    handling_code = entry.get("agency_code") or agency_keys.get(entry.get("agency_key", ""), "")
    procedure = find_procedure(entry["code"]) or Procedure(code=entry["code"])
    procedure.name_vi = entry["name_vi"]
    procedure.name_en = entry.get("name_en")
    procedure.field_vi = entry.get("field_vi")
    procedure.level = entry.get("level", "province")
    procedure.handling_agency = get_agency_by_code(handling_code)
    procedure.legal_days = _decimal(entry["legal_days"], "legal_days")
    procedure.deadline_policy = DeadlinePolicy(entry.get("deadline_policy", "hours"))
    procedure.cutoff = entry.get("cutoff") or None
    procedure.online_level = OnlineLevel(entry.get("online_level", "partial"))
    procedure.return_methods = list(entry.get("return_methods") or ["counter"])
    procedure.five_on_site = bool(entry.get("five_on_site", False))
    procedure.process_key = entry["process_id"]
    # "commune" means the competent commune, i.e. the default handling agency: nothing to map.
    procedure.agency_map = {k: agency_keys.get(v, v) for k, v in (entry.get("agency_map") or {}).items()
                            if v != "commune"}
    procedure.documents = [
        RequiredDocument(position=i, name_vi=d["name_vi"], copies=int(d.get("copies", 1)),
                         is_original=bool(d.get("original", False)), is_mandatory=bool(d.get("mandatory", True)),
                         template_file=d.get("template_file"))
        for i, d in enumerate(entry.get("required_documents") or [])]
    procedure.fees = [Fee(name_vi=f["name_vi"], amount_vnd=int(f.get("amount_vnd", 0)))
                      for f in entry.get("fees") or []]
    db.session.add(procedure)
    db.session.flush()
    return procedure


def load_catalog_file(actor: User | None, path: Path, agency_keys: dict[str, str]) -> list[Procedure]:
    """Import every entry of a procedures.json catalogue package."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [upsert_procedure(actor, entry, agency_keys) for entry in entries]


def _row_to_entry(row: dict[str, Any]) -> dict[str, Any]:
    missing = [c for c in ("code", "name_vi", "agency_code", "legal_days", "process_key") if not row.get(c)]
    if missing:
        raise ValidationError(f"Thiếu cột bắt buộc: {', '.join(missing)}", f"Missing required columns: {missing}")
    documents = [d.strip() for d in str(row.get("documents") or "").split(";") if d.strip()]
    fee = int(float(row.get("fee_vnd") or 0))
    return {
        "code": str(row["code"]).strip(), "name_vi": row["name_vi"], "name_en": row.get("name_en") or None,
        "field_vi": row.get("field_vi") or None, "level": row.get("level") or "province",
        "agency_code": str(row["agency_code"]).strip(), "legal_days": row["legal_days"],
        "process_id": row["process_key"], "online_level": row.get("online_level") or "partial",
        "return_methods": [m.strip() for m in str(row.get("return_methods") or "counter").split(",") if m.strip()],
        "five_on_site": str(row.get("five_on_site") or "").lower() in ("1", "true", "yes", "x", "có"),
        "cutoff": row.get("cutoff") or None,
        "required_documents": [{"name_vi": d} for d in documents],
        "fees": [{"name_vi": "Lệ phí", "amount_vnd": fee}] if fee else [],
    }


BINARY_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_XLSX_UNPACKED_BYTES = 50_000_000  # a 5 MB upload may not unpack into gigabytes (zip bomb)


def _unreadable(kind: str) -> ValidationError:
    return ValidationError(f"Tệp không phải là tệp {kind} hợp lệ.", f"The file is not a valid {kind} file.",
                           code="unreadable_file")


def _is_xlsx(content: bytes) -> bool:
    """By content, not by name: an XLSX is a zip holding [Content_Types].xml and an xl/ workbook."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return False
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = archive.infolist()
    names = {e.filename for e in entries}
    return ("[Content_Types].xml" in names and "xl/workbook.xml" in names
            and sum(e.file_size for e in entries) <= MAX_XLSX_UNPACKED_BYTES)


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    if not _is_xlsx(content):
        raise _unreadable("XLSX")
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise _unreadable("XLSX") from error
    header = [str(h).strip() if h is not None else "" for h in rows[0]] if rows else []
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def _read_csv(content: bytes) -> list[dict[str, Any]]:
    """CSV must be UTF-8 text: binary (NUL or other control bytes) is refused before parsing."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unreadable("CSV (UTF-8)") from error
    if BINARY_RE.search(text):
        raise _unreadable("CSV (UTF-8)")
    try:
        return list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:
        raise _unreadable("CSV (UTF-8)") from error


def read_table(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV (UTF-8) or XLSX upload as dictionaries keyed by the header row; the content must match."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise ValidationError("Chỉ nhận tệp CSV hoặc XLSX.", "Only CSV or XLSX files are accepted.", code="unreadable_file")


def _ensure_global_admin(actor: User | None) -> None:
    """The catalogue is shared by every agency: only a global admin (or the operator CLI) changes it."""
    if actor is not None:
        ensure_covers(actor, "admin", None)


def import_procedures(actor: User | None, filename: str, content: bytes) -> list[Procedure]:
    """Import a CSV/XLSX catalogue; any bad row aborts the whole import with its line number."""
    _ensure_global_admin(actor)
    procedures = []
    for line, row in enumerate(read_table(filename, content), start=2):
        try:
            procedures.append(upsert_procedure(actor, _row_to_entry(row), {}))
        except (ValidationError, NotFoundError, ValueError, KeyError) as error:
            message = getattr(error, "message_vi", str(error))
            raise ValidationError(f"Dòng {line}: {message}", f"Line {line}: {error}") from error
    return procedures



EDITABLE_FIELDS = ("name_vi", "name_en", "field_vi", "legal_days", "committed_days", "cutoff", "return_methods",
                   "five_on_site", "process_key", "description", "is_active")


def update_procedure(actor: User, code: str, values: dict[str, Any]) -> Procedure:
    """Change a procedure's published settings; dossiers already received keep their own deadlines."""
    _ensure_global_admin(actor)
    procedure = get_procedure(code)
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(procedure, name, values[name] if values[name] != "" else None)
    procedure.deadline_policy = DeadlinePolicy(values.get("deadline_policy", procedure.deadline_policy.value))
    procedure.online_level = OnlineLevel(values.get("online_level", procedure.online_level.value))
    db.session.flush()
    return procedure
