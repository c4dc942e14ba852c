"""The citizens' messages: which events deserve one, the values each carries, and the shipped default texts.

Decree 224/2026 asks for the agency, the step and the times on every change. The texts are Jinja templates an
admin may replace per event kind, channel and language (app.notify.message_templates); these defaults apply
where no version is in force. They only print variables, so they render inline in the sandbox.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.timefmt import format_datetime
from app.dossiers.models import Dossier, DossierStatus

CHANNELS = ("email", "sms")
LANGUAGES = ("vi", "en")
RATING_INVITATION = "rating_invitation"


@dataclass(frozen=True)
class MessageKind:
    label: Any  # lazy string
    extra: tuple[str, ...] = ()  # variables beyond the common ones


COMMON_VARIABLES = {
    "code": _l("mã hồ sơ"), "procedure": _l("tên thủ tục"), "agency": _l("cơ quan thực hiện"),
    "at": _l("thời điểm của sự kiện (dd/mm/yyyy HH:MM)"), "due": _l("ngày hẹn trả kết quả (dd/mm/yyyy HH:MM)"),
    "lookup_url": _l("địa chỉ trang tra cứu hồ sơ"),
}
EXTRA_VARIABLES = {
    "items": _l("giấy tờ cần bổ sung"), "reason": _l("lý do"), "part_name": _l("thủ tục không được giải quyết"),
    "unsubscribe_url": _l("địa chỉ từ chối nhận thư (chỉ e-mail)"),
    "amount": _l("số tiền đã thanh toán (đồng)"), "payment_receipt": _l("số biên nhận thanh toán"),
    "tracking_number": _l("số hiệu bưu gửi"),
}

KINDS: dict[str, MessageKind] = {
    "received": MessageKind(_l("Tiếp nhận hồ sơ")),
    "supplement_requested": MessageKind(_l("Yêu cầu bổ sung hồ sơ"), ("items",)),
    "supplement_received": MessageKind(_l("Đã nhận hồ sơ bổ sung")),
    "refused": MessageKind(_l("Từ chối giải quyết"), ("reason",)),
    "apology_sent": MessageKind(_l("Thư xin lỗi và hẹn lại")),
    "part_refused": MessageKind(_l("Một thủ tục liên thông không được giải quyết"), ("part_name", "reason")),
    "verification_extended": MessageKind(_l("Gia hạn để xác minh")),
    "stopped": MessageKind(_l("Dừng giải quyết hồ sơ"), ("reason",)),
    "receipt_accepted": MessageKind(_l("Tiếp nhận hồ sơ trực tuyến")),
    "receipt_refused": MessageKind(_l("Từ chối tiếp nhận hồ sơ trực tuyến"), ("reason",)),
    "fee_awaited": MessageKind(_l("Tạm dừng thời hạn chờ nộp phí, lệ phí"), ("amount",)),
    "fee_paid": MessageKind(_l("Đã thanh toán phí, lệ phí"), ("amount", "payment_receipt")),
    "posted": MessageKind(_l("Đã gửi kết quả qua bưu điện"), ("tracking_number",)),
    "post_delivered": MessageKind(_l("Bưu điện đã phát kết quả"), ("tracking_number",)),
    "result_ready": MessageKind(_l("Đã có kết quả")),
    "returned": MessageKind(_l("Đã trả kết quả")),
    RATING_INVITATION: MessageKind(_l("Mời đánh giá sau khi trả kết quả")),
}

# kind -> language -> (subject, body); SMS uses the body
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "received": {
        "vi": ("Đã tiếp nhận hồ sơ {{ code }}",
               "Hồ sơ {{ code }} ({{ procedure }}) đã được {{ agency }} tiếp nhận lúc {{ at }}. "
               "Ngày hẹn trả kết quả: {{ due }}."),
        "en": ("Dossier {{ code }} received",
               "Dossier {{ code }} ({{ procedure }}) was received by {{ agency }} at {{ at }}. "
               "Appointment for the result: {{ due }}."),
    },
    "supplement_requested": {
        "vi": ("Hồ sơ {{ code }} cần bổ sung",
               "Hồ sơ {{ code }} cần bổ sung, hoàn thiện: {{ items }}. Thông báo lúc {{ at }} bởi {{ agency }}."),
        "en": ("Dossier {{ code }} needs more documents",
               "Dossier {{ code }} must be completed with: {{ items }}. Notified at {{ at }} by {{ agency }}."),
    },
    "supplement_received": {
        "vi": ("Đã nhận hồ sơ bổ sung {{ code }}",
               "Đã nhận đủ hồ sơ bổ sung của hồ sơ {{ code }} lúc {{ at }}. Ngày hẹn trả mới: {{ due }}."),
        "en": ("Additional documents for {{ code }} received",
               "The additional documents of dossier {{ code }} were received at {{ at }}. New appointment: {{ due }}."),
    },
    "refused": {
        "vi": ("Hồ sơ {{ code }} không được giải quyết",
               "Hồ sơ {{ code }} không đủ điều kiện giải quyết. Lý do: {{ reason }}. Thông báo lúc {{ at }}."),
        "en": ("Dossier {{ code }} refused",
               "Dossier {{ code }} cannot be granted. Reason: {{ reason }}. Notified at {{ at }}."),
    },
    "apology_sent": {
        "vi": ("Thư xin lỗi và hẹn lại hồ sơ {{ code }}",
               "{{ agency }} xin lỗi vì hồ sơ {{ code }} chưa có kết quả đúng hẹn. Ngày hẹn trả mới: {{ due }}."),
        "en": ("Apology and new appointment for {{ code }}",
               "{{ agency }} apologises that dossier {{ code }} is not ready on time. New appointment: {{ due }}."),
    },
    "part_refused": {
        "vi": ("Một thủ tục của hồ sơ liên thông {{ code }} không được giải quyết",
               "Hồ sơ liên thông {{ code }}: bước \"{{ part_name }}\" không được giải quyết, lý do: {{ reason }}. "
               "Các thủ tục còn lại tiếp tục được giải quyết."),
        "en": ("One procedure of the joint dossier {{ code }} was refused",
               "Joint dossier {{ code }}: \"{{ part_name }}\" was refused, reason: {{ reason }}. "
               "The other procedures go on."),
    },
    "verification_extended": {
        "vi": ("Gia hạn giải quyết hồ sơ {{ code }}",
               "Hồ sơ {{ code }} cần xác minh theo quy định nên được gia hạn. Ngày hẹn trả mới: {{ due }}."),
        "en": ("Time limit of {{ code }} extended",
               "Dossier {{ code }} needs a verification required by law, so its time limit was extended. "
               "New appointment: {{ due }}."),
    },
    "stopped": {
        "vi": ("Dừng giải quyết hồ sơ {{ code }}",
               "Hồ sơ {{ code }} đã được dừng giải quyết theo đề nghị của Ông/Bà lúc {{ at }}."),
        "en": ("Handling of {{ code }} stopped",
               "Handling of dossier {{ code }} was stopped at your request at {{ at }}."),
    },
    "receipt_accepted": {
        "vi": ("Hồ sơ trực tuyến {{ code }} đã được tiếp nhận",
               "Hồ sơ trực tuyến {{ code }} ({{ procedure }}) đã được {{ agency }} tiếp nhận lúc {{ at }}. "
               "Ngày hẹn trả kết quả: {{ due }}."),
        "en": ("Online dossier {{ code }} accepted",
               "The online dossier {{ code }} ({{ procedure }}) was accepted by {{ agency }} at {{ at }}. "
               "Appointment for the result: {{ due }}."),
    },
    "receipt_refused": {
        "vi": ("Hồ sơ {{ code }} không được tiếp nhận",
               "Hồ sơ trực tuyến {{ code }} ({{ procedure }}) không được {{ agency }} tiếp nhận. Lý do: {{ reason }}."),
        "en": ("Dossier {{ code }} not accepted",
               "The online dossier {{ code }} ({{ procedure }}) was not accepted by {{ agency }}. "
               "Reason: {{ reason }}."),
    },
    "fee_awaited": {
        "vi": ("Hồ sơ {{ code }} chờ nộp phí, lệ phí",
               "Hồ sơ {{ code }} ({{ procedure }}) đã được {{ agency }} tiếp nhận lúc {{ at }}. Thời hạn giải quyết "
               "tạm dừng cho đến khi Ông/Bà nộp {{ amount }} đồng phí, lệ phí; ngày hẹn trả được lùi tương ứng."),
        "en": ("Dossier {{ code }} awaits its fees",
               "Dossier {{ code }} ({{ procedure }}) was received by {{ agency }} at {{ at }}. Its time limit is "
               "paused until you pay {{ amount }} VND of fees; the appointment moves accordingly."),
    },
    "fee_paid": {
        "vi": ("Đã thanh toán phí, lệ phí hồ sơ {{ code }}",
               "Đã nhận thanh toán trực tuyến cho hồ sơ {{ code }} lúc {{ at }}: {{ amount }} đồng, "
               "biên nhận số {{ payment_receipt }}."),
        "en": ("Fees of {{ code }} paid",
               "The online payment for dossier {{ code }} was received at {{ at }}: {{ amount }} VND, "
               "receipt {{ payment_receipt }}."),
    },
    "posted": {
        "vi": ("Kết quả hồ sơ {{ code }} đã gửi qua bưu điện",
               "Kết quả hồ sơ {{ code }} đã được chuyển qua dịch vụ bưu chính lúc {{ at }}. "
               "Số hiệu bưu gửi: {{ tracking_number }}."),
        "en": ("Result of {{ code }} sent by post",
               "The result of dossier {{ code }} was handed to the postal service at {{ at }}. "
               "Tracking number: {{ tracking_number }}."),
    },
    "post_delivered": {
        "vi": ("Đã phát kết quả hồ sơ {{ code }}",
               "Bưu điện đã phát kết quả hồ sơ {{ code }} lúc {{ at }} (bưu gửi {{ tracking_number }})."),
        "en": ("Result of {{ code }} delivered",
               "The post delivered the result of dossier {{ code }} at {{ at }} (parcel {{ tracking_number }})."),
    },
    "result_ready": {
        "vi": ("Đã có kết quả hồ sơ {{ code }}",
               "Hồ sơ {{ code }} đã có kết quả lúc {{ at }}. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký."),
        "en": ("The result of {{ code }} is ready",
               "The result of dossier {{ code }} is ready since {{ at }}. Please collect it as you chose."),
    },
    "returned": {
        "vi": ("Đã trả kết quả hồ sơ {{ code }}", "Đã trả kết quả hồ sơ {{ code }} lúc {{ at }}."),
        "en": ("Result of {{ code }} returned", "The result of dossier {{ code }} was returned at {{ at }}."),
    },
    RATING_INVITATION: {
        "vi": ("Mời đánh giá việc giải quyết hồ sơ {{ code }}",
               "Hồ sơ {{ code }} ({{ procedure }}) đã được trả kết quả. Mời Ông/Bà đánh giá mức độ hài lòng tại "
               "{{ lookup_url }} (nhập mã hồ sơ và mã tra cứu in trên giấy tiếp nhận)."),
        "en": ("How did we handle dossier {{ code }}?",
               "The result of dossier {{ code }} ({{ procedure }}) was returned. Please rate our service at "
               "{{ lookup_url }} (enter the dossier code and the PIN printed on your receipt)."),
    },
}


def variables_of(kind: str, channel: str) -> dict[str, Any]:
    """The variables a template of this kind may use, with what each holds."""
    names = dict(COMMON_VARIABLES)
    for name in KINDS[kind].extra + (("unsubscribe_url",) if channel == "email" else ()):
        names[name] = EXTRA_VARIABLES[name]
    return names


def notification_kind(dossier: Dossier, event: Any) -> str | None:
    """Which message an event deserves; task completions only when they change what the citizen sees."""
    if event.kind in KINDS and event.kind not in ("result_ready", "returned", RATING_INVITATION):
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


def message_context(dossier: Dossier, event: Any, agency: Any) -> dict[str, str]:
    """The values of the event, kept with the message until it is rendered (in either language)."""
    data = event.data or {}
    procedure = dossier.procedure
    return {
        "code": dossier.code, "procedure": procedure.name_vi, "procedure_en": procedure.name_en or procedure.name_vi,
        "agency": agency.name if agency else "", "agency_en": (agency.name_en or agency.name) if agency else "",
        "at": format_datetime(event.at), "due": format_datetime(dossier.due_at),
        "items": data.get("items") or event.comment or "", "reason": data.get("reason") or event.comment or "",
        "part_name": data.get("part_name") or "",
        "amount": f"{int(data.get('amount_vnd') or 0):,}".replace(",", "."),
        "payment_receipt": str(data.get("receipt") or ""),
        "tracking_number": data.get("tracking_number") or "",
    }


def template_data(context: dict[str, str], language: str, links: dict[str, str]) -> dict[str, str]:
    """What a template sees: the event's values in its language, plus the links of this message."""
    data = {name: value for name, value in context.items() if not name.endswith("_en")}
    if language == "en":
        data.update(procedure=context.get("procedure_en") or data.get("procedure", ""),
                    agency=context.get("agency_en") or data.get("agency", ""))
    return data | links


SAMPLE_CONTEXT = {
    "code": "000.00.12.H38-260302-0007", "procedure": "Cấp giấy phép lao động cho người nước ngoài",
    "procedure_en": "Work permit for a foreign worker", "agency": "Sở Nội vụ tỉnh Thanh Hoá",
    "agency_en": "Department of Home Affairs of Thanh Hoa", "at": "02/03/2026 09:00", "due": "16/03/2026 09:00",
    "items": "Bản sao hộ chiếu có chứng thực", "reason": "Hồ sơ không đúng thẩm quyền",
    "part_name": "Đăng ký thường trú", "amount": "600.000", "payment_receipt": "BL-2026-000123",
    "tracking_number": "EI123456789VN",
}
