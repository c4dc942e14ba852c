"""Which standard slip each history event issues, and what the slip says (a snapshot taken in the event's
transaction, so the PDF rendered later says what was true when the event happened).

Titles follow the form sets of app.dossiers.rules (Circular 01/2018 and Circular 03/2025, domain.md §4; the
wording is [unsure] until checked against the circulars' appendices, so it is data here, one entry per set).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from app.auth.models import Agency
from app.core.timefmt import to_local
from app.dossiers.labels import RETURN_METHOD
from app.dossiers.models import Dossier
from app.dossiers.rules import FORM_KINDS, get_form_set, legal_form  # noqa: F401  (FORM_KINDS used by tests)
from app.extensions import db

#: history event kind → slip kind (app.dossiers.rules.FORM_KINDS names the form of each)
EVENT_SLIPS = {"received": "receipt", "supplement_requested": "supplement", "refused": "refusal",
               "receipt_refused": "refusal",
               "part_refused": "refusal", "apology_sent": "apology", "stopped": "stop"}

_TITLES = {
    "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "guidance": "PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ",
    "supplement": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "stop": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "control": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "log": "SỔ THEO DÕI HỒ SƠ",
    "result": "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
}
TITLES: dict[str, dict[str, str]] = {
    "TT01-2018": {**_TITLES, "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"},
    "TT03-2025": {**_TITLES, "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ (ĐỀ NGHỊ GIA HẠN)"},
}
SLIP_KINDS = ("receipt", "supplement", "refusal", "apology", "stop", "control", "result")


def title(kind: str, form_set: str | None) -> str:
    return TITLES.get(form_set or "", TITLES["TT03-2025"])[kind]


def slip_for_event(dossier: Dossier, event: Any) -> str | None:
    """The slip the event issues: a standard form, the result at stamping, the control slip when it ends."""
    online = getattr(dossier.channel, "value", dossier.channel) == "online"
    if event.kind == "received" and online:
        return None  # filed online: the receipt and appointment (Mẫu 01) come when the receiver accepts it
    if event.kind == "task_completed" and (event.data or {}).get("step_kind") == "intake" and online:
        return "receipt"
    if event.kind in EVENT_SLIPS:
        return EVENT_SLIPS[event.kind]
    if (event.kind == "task_completed" and (event.data or {}).get("step_kind") == "stamping"
            and dossier.result_ready_at is not None and dossier.outcome != "refused"):
        return "result"
    return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _agency(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None


def header(context: dict[str, Any]) -> dict[str, Any]:
    """The authority above the issuing unit and the province for the date line, looked up when the slip is
    rendered (the event's transaction keeps to what it has loaded: the counter receipt's statement budget)."""
    agency = db.session.scalar(db.select(Agency).where(Agency.code == context.get("agency_code")))
    if agency is None:
        return {"parent_agency": "", "place": ""}
    root = agency
    while root.parent is not None:
        root = root.parent
    return {"parent_agency": agency.parent.name if agency.parent else "", "place": _place(root.name)}


def base_context(dossier: Dossier, kind: str, at: datetime, officer: str | None) -> dict[str, Any]:
    form = legal_form(kind, dossier) if kind in FORM_KINDS else None
    agency = dossier.receiving_agency
    return {
        "agency": agency.name, "agency_code": agency.code, "kind": kind, "code": dossier.code,
        "form_set": dossier.form_set,
        "form_number": form.number if form else None, "circular": get_form_set(dossier.form_set).circular,
        "title": title(kind, dossier.form_set),
        "issued_at": _iso(at), "officer": officer,
        "applicant_name": dossier.applicant_name, "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone, "applicant_email": dossier.applicant_email,
        "procedure": dossier.procedure.name_vi, "procedure_code": dossier.procedure.code,
        "received_at": _iso(dossier.received_at), "due_at": _iso(dossier.due_at),
    }


def _place(name: str) -> str:
    """The place name before the date line ("Thanh Hóa, ngày ..."): the province of the issuing unit."""
    for prefix in ("Ủy ban nhân dân tỉnh ", "UBND tỉnh ", "Ủy ban nhân dân thành phố ", "UBND thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def event_context(dossier: Dossier, kind: str, event: Any) -> dict[str, Any]:
    """What slip `kind` says for `event`: the common fields plus those of the form."""
    context = base_context(dossier, kind, event.at, event.actor_name)
    data = event.data or {}
    if kind == "receipt":
        context.update(
            documents=[{"name": d.get("name"), "original": d.get("original"), "copies": d.get("copies")}
                       for d in dossier.documents if d.get("received")],
            legal_days=float(dossier.legal_days), logbook_number=dossier.logbook_number,
            return_method=str(RETURN_METHOD.get(dossier.return_method, dossier.return_method)),
            channel=dossier.channel.value)
    elif kind == "supplement":
        items = data.get("items") or []
        items = [items] if isinstance(items, str) else list(items)
        context.update(items=[str(i) for i in items if str(i).strip()] or [event.comment or ""],
                       reason=event.comment, requesting_agency=getattr(_agency(event.agency_id), "name", None))
    elif kind == "refusal":
        context.update(reason=data.get("reason") or event.comment, part=data.get("part_name"),
                       requesting_agency=getattr(_agency(event.agency_id), "name", None))
    elif kind == "apology":
        context.update(reason=event.comment, previous_due_at=data.get("previous_due_at"),
                       new_due_at=data.get("new_due_at"), apologizing_agency=getattr(_agency(event.agency_id),
                                                                                      "name", None))
    elif kind == "stop":
        context.update(reason=event.comment, channel=data.get("channel"))
    elif kind == "result":
        issuer = _agency(event.agency_id) or dossier.receiving_agency
        context.update(result_number=dossier.result_number, result_at=_iso(dossier.result_ready_at),
                       issuing_agency=issuer.name, issuing_agency_code=issuer.code,
                       outcome=dossier.outcome or "approved")
    return context


def control_rows(dossier_id: int) -> list[dict[str, Any]]:
    """One row per step of the handling-control slip: who handed over to whom, when, and early / on time / late."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.workflow.models import HumanTask

    tasks = list(db.session.scalars(select(HumanTask).where(HumanTask.dossier_id == dossier_id)
                                    .order_by(HumanTask.created_at, HumanTask.id)))
    agencies = {a.id: a.name for a in db.session.scalars(select(Agency).where(
        Agency.id.in_({t.agency_id for t in tasks if t.agency_id})))}
    users = {u.id: u.full_name for u in db.session.scalars(select(User).where(
        User.id.in_({t.completed_by_id or t.assignee_id for t in tasks} - {None})))}
    return [{"step": t.name, "agency": agencies.get(t.agency_id), "official": users.get(t.completed_by_id
                                                                                       or t.assignee_id),
             "received_at": _iso(t.created_at), "due_at": _iso(t.due_at), "completed_at": _iso(t.completed_at),
             "timing": t.timing} for t in tasks]


def local_day(value: str | None) -> str:
    return to_local(datetime.fromisoformat(value)).strftime("%d/%m/%Y") if value else ""
