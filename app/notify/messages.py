"""Vietnamese texts of the status notifications (Decree 224/2026: agency, step and times on every change)."""
from __future__ import annotations

from typing import Any

from app.core.timefmt import format_datetime
from app.dossiers.models import Dossier, DossierStatus


def _due(dossier: Dossier, _event: Any) -> str:
    return format_datetime(dossier.due_at)


def _part(_dossier: Dossier, event: Any) -> str:
    data = event.data or {}
    return f"bước \"{data.get('part_name')}\" không được giải quyết, lý do: {data.get('reason') or event.comment or ''}"


def _items(_dossier: Dossier, event: Any) -> str:
    return (event.data or {}).get("items") or event.comment or ""


def _tracking(_dossier: Dossier, event: Any) -> str:
    return (event.data or {}).get("tracking_number") or ""


def _amount(_dossier: Dossier, event: Any) -> str:
    amount = int((event.data or {}).get("amount_vnd") or 0)
    return f"{amount:,}".replace(",", ".") + " đồng, biên nhận số " + str((event.data or {}).get("receipt") or "")


def _reason(_dossier: Dossier, event: Any) -> str:
    return (event.data or {}).get("reason") or event.comment or ""


# event kind -> (subject, body template); the body may use {code}, {procedure}, {agency}, {at}, {extra}
TEMPLATES: dict[str, tuple[str, str, Any]] = {
    "received": ("Đã tiếp nhận hồ sơ {code}",
                 "Hồ sơ {code} ({procedure}) đã được {agency} tiếp nhận lúc {at}. Ngày hẹn trả kết quả: {extra}.",
                 _due),
    "supplement_requested": ("Hồ sơ {code} cần bổ sung",
                             "Hồ sơ {code} cần bổ sung, hoàn thiện: {extra}. Thông báo lúc {at} bởi {agency}.",
                             _items),
    "supplement_received": ("Đã nhận hồ sơ bổ sung {code}",
                            "Đã nhận đủ hồ sơ bổ sung của hồ sơ {code} lúc {at}. Ngày hẹn trả mới: {extra}.", _due),
    "refused": ("Hồ sơ {code} không được giải quyết",
                "Hồ sơ {code} không đủ điều kiện giải quyết. Lý do: {extra}. Thông báo lúc {at}.", _reason),
    "apology_sent": ("Thư xin lỗi và hẹn lại hồ sơ {code}",
                     "{agency} xin lỗi vì hồ sơ {code} chưa có kết quả đúng hẹn. Ngày hẹn trả mới: {extra}.", _due),
    "part_refused": ("Một thủ tục của hồ sơ liên thông {code} không được giải quyết",
                     "Hồ sơ liên thông {code}: {extra}. Các thủ tục còn lại tiếp tục được giải quyết.", _part),
    "verification_extended": ("Gia hạn giải quyết hồ sơ {code}",
                              "Hồ sơ {code} cần xác minh theo quy định nên được gia hạn. Ngày hẹn trả mới: {extra}.",
                              _due),
    "stopped": ("Dừng giải quyết hồ sơ {code}",
                "Hồ sơ {code} đã được dừng giải quyết theo đề nghị của Ông/Bà lúc {at}.", _reason),
    "receipt_accepted": ("Hồ sơ trực tuyến {code} đã được tiếp nhận",
                         "Hồ sơ trực tuyến {code} ({procedure}) đã được {agency} tiếp nhận lúc {at}. "
                         "Ngày hẹn trả kết quả: {extra}.", _due),
    "receipt_refused": ("Hồ sơ {code} không được tiếp nhận",
                        "Hồ sơ trực tuyến {code} ({procedure}) không được {agency} tiếp nhận. Lý do: {extra}.",
                        _reason),
    "fee_paid": ("Đã thanh toán phí, lệ phí hồ sơ {code}",
                 "Đã nhận thanh toán trực tuyến cho hồ sơ {code} lúc {at}: {extra}.", _amount),
    "posted": ("Kết quả hồ sơ {code} đã gửi qua bưu điện",
               "Kết quả hồ sơ {code} đã được chuyển qua dịch vụ bưu chính lúc {at}. Số hiệu bưu gửi: {extra}.",
               _tracking),
    "post_delivered": ("Đã phát kết quả hồ sơ {code}",
                       "Bưu điện đã phát kết quả hồ sơ {code} lúc {at} (bưu gửi {extra}).", _tracking),
    "result_ready": ("Đã có kết quả hồ sơ {code}",
                     "Hồ sơ {code} đã có kết quả lúc {at}. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký.", _due),
    "returned": ("Đã trả kết quả hồ sơ {code}",
                 "Đã trả kết quả hồ sơ {code} lúc {at}. Mời Ông/Bà đánh giá mức độ hài lòng tại trang tra cứu.", _due),
}


def notification_kind(dossier: Dossier, event: Any) -> str | None:
    """Which message an event deserves; task completions only when they change what the citizen sees."""
    if event.kind in TEMPLATES and event.kind not in ("result_ready", "returned"):
        return event.kind
    if event.kind == "post_status" and (event.data or {}).get("status") == "delivered":
        return "post_delivered"
    if event.kind != "task_completed":
        return None
    if dossier.status in (DossierStatus.RETURNED,) and dossier.returned_at == event.at:
        return "returned"
    if dossier.status is DossierStatus.RESULT_READY and dossier.result_ready_at == event.at:
        return "result_ready"
    return None


def render(kind: str, dossier: Dossier, event: Any, agency_name: str) -> tuple[str, str]:
    """Subject and body of one notification."""
    subject, body, extra = TEMPLATES[kind]
    values = {"code": dossier.code, "procedure": dossier.procedure.name_vi, "agency": agency_name,
              "at": format_datetime(event.at), "extra": extra(dossier, event)}
    return subject.format(**values), body.format(**values)
