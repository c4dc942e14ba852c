"""Catalogue use cases: look up, create/update and import procedures (JSON package, CSV or XLSX)."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from unidecode import unidecode

from app.auth.models import Agency, User
from app.auth.services import find_agency_by_code, get_agency_by_code
from app.calendar.rules import LOCAL_TZ
from app.catalog.models import Competence, DeadlinePolicy, Fee, OnlineLevel, Procedure, RequiredDocument
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.permissions import ensure_covers
from app.extensions import db

CSV_COLUMNS = ("code", "name_vi", "name_en", "field_vi", "level", "agency_code", "legal_days", "process_key",
               "online_level", "return_methods", "five_on_site", "cutoff", "documents", "fee_vnd", "competence",
               "refusal_days", "version", "effective_from", "effective_to")


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def get_procedure(code: str, on: date | None = None, *, with_documents: bool = False) -> Procedure:
    """The version of `code` in force on `on` (default: the latest version, for lookups and administration);
    `with_documents`: its required documents come in the same statement (the intake's checklist)."""
    procedure = find_procedure(code, on, with_documents=with_documents)
    if procedure is None:
        if on is not None and find_procedure(code) is not None:
            raise ProcedureNotInForceError(
                f"Thủ tục {code} không có phiên bản có hiệu lực vào ngày {on:%d/%m/%Y}.",
                f"Procedure {code} has no version in force on {on:%d/%m/%Y}.")
        raise NotFoundError(f"Không tìm thấy thủ tục {code}.", f"Procedure {code} not found.")
    return procedure


class ProcedureNotInForceError(ValidationError):
    code = "procedure_not_in_force"


def versions_of(code: str, *, with_documents: bool = False) -> list[Procedure]:
    """The versions of `code`, oldest first (`with_documents`: their required documents in the same statement)."""
    query = select(Procedure).where(Procedure.code == code).order_by(Procedure.version)
    if with_documents:
        query = query.options(joinedload(Procedure.documents))
    return list(db.session.scalars(query).unique())


def find_procedure(code: str, on: date | None = None, *, with_documents: bool = False) -> Procedure | None:
    """The version of `code` in force on `on`; without a day, the one in force today, else the latest."""
    versions = versions_of(code, with_documents=with_documents)
    in_force = [p for p in versions if p.in_force_on(on or _today())]
    if on is not None or in_force:
        return in_force[-1] if in_force else None
    return versions[-1] if versions else None


def list_procedures(search: str | None = None, *, active_only: bool = True) -> list[Procedure]:
    """Procedures matching `search` in code or name, accents ignored; `active_only`: the versions in force today."""
    query = select(Procedure).order_by(Procedure.code, Procedure.version)
    if active_only:
        query = query.where(Procedure.is_active.is_(True))
    procedures = list(db.session.scalars(query))
    if active_only:
        today = _today()
        procedures = list({p.code: p for p in procedures if p.in_force_on(today)}.values())
    if search:
        folded = unidecode(search).lower().strip()
        procedures = [p for p in procedures if folded in unidecode(f"{p.code} {p.name_vi}").lower()]
    return procedures


def handling_agency_for(procedure: Procedure, receiving: Agency) -> Agency:
    """By level: commune procedures are handled by the commune that received them; others by the handling agency."""
    if procedure.level == "commune" and receiving.level.value == "commune":
        return receiving
    return procedure.handling_agency


class NoCompetenceError(ValidationError):
    code = "no_competence"


def competent_agency(procedure: Procedure, receiving: Agency, commune_code: str | None) -> Agency:
    """The agency competent to handle a dossier of `procedure`, wherever in the province it was received.

    `commune_code` is the applicant's commune of residence or the site's commune, as the procedure declares.
    """
    if procedure.competence is Competence.FIXED:
        return procedure.handling_agency
    if procedure.competence is Competence.LEVEL:
        return handling_agency_for(procedure, receiving)
    code = commune_code or (receiving.code if receiving.level.value == "commune" else None)
    where_vi, where_en = (("nơi cư trú của người nộp", "the applicant's commune of residence")
                          if procedure.competence is Competence.RESIDENCE else
                          ("nơi có công trình", "the site's commune"))
    if not code:
        raise NoCompetenceError(f"Cần chọn xã/phường {where_vi} để xác định cơ quan có thẩm quyền.",
                                f"Choose {where_en} to find the competent agency.")
    agency = find_agency_by_code(code)
    if agency is None or agency.level.value != "commune":
        raise NoCompetenceError(f"Không tìm thấy xã/phường {code} ({where_vi}).",
                                f"No commune {code} ({where_en}).")
    return agency


def resolve_agency_key(procedure: Procedure, key: str | None, default: Agency, commune: str | None = None) -> Agency:
    """Map a model's symbolic agency key (police, social_insurance...) to the configured agency.

    A configured code may name the competent commune's own unit: "{commune}.CA" is that commune's police.
    """
    code = (procedure.agency_map or {}).get(key) if key else None
    if not code:
        return default
    if "{commune}" in code:
        code = code.replace("{commune}", commune or default.code)
    agency = find_agency_by_code(code)
    if agency is None:
        raise ValidationError(f"Thủ tục {procedure.code}: chưa cấu hình đơn vị cho '{key}' ({code}).",
                              f"Procedure {procedure.code}: no agency configured for '{key}' ({code}).")
    return agency


def competent_agencies(procedure: Procedure, handling: Agency, commune: str | None) -> list[Agency]:
    """Every agency that may hold a step of such a dossier: the handling agency and its liên thông partners."""
    agencies = {handling.id: handling}
    for key in (procedure.agency_map or {}):
        agency = resolve_agency_key(procedure, key, handling, commune)
        agencies[agency.id] = agency
    return list(agencies.values())


def _decimal(value: Any, field: str, *, zero: bool = False) -> Decimal:
    """A positive number of days (`zero`: 0 allowed, the same working day)."""
    try:
        result = Decimal(str(value).replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError(f"Giá trị không hợp lệ cho {field}: {value}", f"Invalid {field}: {value}") from error
    if not result.is_finite() or result < 0 or (result == 0 and not zero):
        raise ValidationError(f"{field} phải lớn hơn {'hoặc bằng ' if zero else ''}0.",
                              f"{field} must be {'zero or ' if zero else ''}positive.")
    return result


def _optional_days(value: Any, field: str) -> Decimal | None:
    return None if value in (None, "") else _decimal(value, field)


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upsert_procedure(actor: User | None, entry: dict[str, Any], agency_keys: dict[str, str]) -> Procedure:
    """Create or update one procedure from a catalogue entry (the procedures.json shape)."""
    handling_code = entry.get("agency_code") or agency_keys.get(entry.get("agency_key", ""), "")
    version = int(entry.get("version", 1))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == entry["code"],
                                                          Procedure.version == version))
    procedure = procedure or Procedure(code=entry["code"], version=version)
    procedure.name_vi = entry["name_vi"]
    procedure.name_en = entry.get("name_en")
    procedure.field_vi = entry.get("field_vi")
    procedure.level = entry.get("level", "province")
    procedure.handling_agency = get_agency_by_code(handling_code)
    procedure.legal_days = _decimal(entry["legal_days"], "legal_days", zero=True)
    procedure.refusal_days = _optional_days(entry.get("refusal_days"), "refusal_days")
    procedure.supplement_days = _optional_days(entry.get("supplement_days"), "supplement_days")
    procedure.verification_days = _optional_days(entry.get("verification_days"), "verification_days")
    procedure.competence = Competence(entry.get("competence", "level"))
    procedure.legal_basis = entry.get("legal_basis")
    procedure.effective_from = _day(entry.get("effective_from"))
    procedure.effective_to = _day(entry.get("effective_to"))
    procedure.deadline_policy = DeadlinePolicy(entry.get("deadline_policy", "hours"))
    procedure.cutoff = entry.get("cutoff") or None
    procedure.online_level = OnlineLevel(entry.get("online_level", "partial"))
    procedure.return_methods = list(entry.get("return_methods") or ["counter"])
    procedure.five_on_site = bool(entry.get("five_on_site", False))
    procedure.fee_before_handling = bool(entry.get("fee_before_handling", False))
    procedure.process_key = entry["process_id"]
    # "commune" means the competent commune, i.e. the default handling agency: nothing to map.
    procedure.agency_map = {k: agency_keys.get(v, v) for k, v in (entry.get("agency_map") or {}).items()
                            if v != "commune"}
    procedure.documents = [
        RequiredDocument(position=i, name_vi=d["name_vi"], copies=int(d.get("copies", 1)),
                         is_original=bool(d.get("original", False)), is_mandatory=bool(d.get("mandatory", True)),
                         template_file=d.get("template_file"))
        for i, d in enumerate(entry.get("required_documents") or [])]
    procedure.fees = [Fee(name_vi=f["name_vi"], amount_vnd=int(f.get("amount_vnd", 0)), decision=f.get("decision"))
                      for f in entry.get("fees") or []]
    db.session.add(procedure)
    db.session.flush()
    return procedure


def load_catalog_file(actor: User | None, path: Path, agency_keys: dict[str, str]) -> list[Procedure]:
    """Import every entry of a procedures.json catalogue package."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [upsert_procedure(actor, entry, agency_keys) for entry in entries]


def _row_to_entry(row: dict[str, Any]) -> dict[str, Any]:
    missing = [c for c in ("code", "name_vi", "agency_code", "process_key") if not row.get(c)]
    if row.get("legal_days") in (None, ""):  # 0 is a legal value: the same working day
        missing.append("legal_days")
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
        "competence": row.get("competence") or "level", "refusal_days": row.get("refusal_days") or None,
        "effective_from": row.get("effective_from") or None, "effective_to": row.get("effective_to") or None,
        "version": row.get("version") or 1,
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



EDITABLE_FIELDS = ("name_vi", "name_en", "field_vi", "legal_days", "committed_days", "refusal_days", "supplement_days",
                   "verification_days", "legal_basis", "effective_from", "effective_to", "cutoff", "return_methods",
                   "five_on_site", "process_key", "description", "is_active")


def get_version(code: str, version: int | None) -> Procedure:
    """One version of `code` by its number (administration edits old versions too); None: the current one."""
    if version is None:
        return get_procedure(code)
    for procedure in versions_of(code):
        if procedure.version == version:
            return procedure
    raise NotFoundError(f"Không tìm thấy phiên bản {version} của thủ tục {code}.",
                        f"Version {version} of procedure {code} not found.")


class OverlappingVersionsError(ValidationError):
    code = "procedure_versions_overlap"


def _check_no_overlap(procedure: Procedure) -> None:
    """Two versions of one code may not be in force on the same day (a dossier must find exactly one)."""
    low, high = procedure.effective_from or date.min, procedure.effective_to or date.max
    for other in versions_of(procedure.code):
        if other.id == procedure.id:
            continue
        if low <= (other.effective_to or date.max) and (other.effective_from or date.min) <= high:
            raise OverlappingVersionsError(
                f"Khoảng hiệu lực trùng với phiên bản {other.version} của thủ tục {procedure.code}.",
                f"The effective period overlaps version {other.version} of procedure {procedure.code}.",
                details={"errors": {"effective_to": ["overlap"]}})


def update_procedure(actor: User, code: str, values: dict[str, Any], *, version: int | None = None) -> Procedure:
    """Change a procedure version's published settings; dossiers already received keep their own deadlines."""
    _ensure_global_admin(actor)
    procedure = get_version(code, version)
    if "legal_days" in values and values["legal_days"] not in (None, ""):
        values = {**values, "legal_days": _decimal(values["legal_days"], "legal_days", zero=True)}
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(procedure, name, values[name] if values[name] != "" else None)
    procedure.deadline_policy = DeadlinePolicy(values.get("deadline_policy", procedure.deadline_policy.value))
    procedure.online_level = OnlineLevel(values.get("online_level", procedure.online_level.value))
    procedure.competence = Competence(values.get("competence", procedure.competence.value))
    if procedure.refusal_days is not None and procedure.refusal_days > procedure.legal_days:
        raise ValidationError("Thời hạn từ chối không được dài hơn thời hạn giải quyết.",
                              "The refusal limit may not exceed the time limit.")
    _check_no_overlap(procedure)
    db.session.flush()
    return procedure
