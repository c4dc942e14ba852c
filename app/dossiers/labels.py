"""Human labels (Vietnamese source strings, translated by Babel) for codes shown across the UI."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth import labels as auth_labels

STATUS = {
    "received": _l("Đã tiếp nhận"), "processing": _l("Đang giải quyết"),
    "waiting_supplement": _l("Chờ bổ sung hồ sơ"), "result_ready": _l("Đã có kết quả, chờ trả"),
    "returned": _l("Đã trả kết quả"), "refused": _l("Từ chối giải quyết"), "stopped": _l("Dừng giải quyết"),
}
STATUS_BADGE = {"received": "secondary", "processing": "primary", "waiting_supplement": "warning",
                "result_ready": "info", "returned": "success", "refused": "danger", "stopped": "dark"}
STEP_KIND = {
    "intake": _l("Tiếp nhận"), "appraisal": _l("Thẩm định"), "approval": _l("Phê duyệt"),
    "stamping": _l("Đóng dấu, phát hành"), "return": _l("Trả kết quả"),
}
# What the citizen reads: the step in plain words.
CITIZEN_STEP = {
    "intake": _l("Hồ sơ đang được tiếp nhận tại Bộ phận một cửa"),
    "appraisal": _l("Cán bộ chuyên môn đang xem xét hồ sơ"),
    "approval": _l("Hồ sơ đang chờ lãnh đạo ký duyệt"),
    "stamping": _l("Kết quả đang được đóng dấu, phát hành"),
    "return": _l("Kết quả đã sẵn sàng, mời ông/bà đến nhận"),
}
CHANNEL = {"counter": _l("Trực tiếp"), "online": _l("Trực tuyến"), "post": _l("Bưu chính"),
           "mobile": _l("Lưu động")}
RETURN_METHOD = {"counter": _l("Trực tiếp tại Bộ phận một cửa"), "post": _l("Qua dịch vụ bưu chính công ích"),
                 "online": _l("Trực tuyến (kết quả điện tử)")}
RATING = {"very_satisfied": _l("Rất hài lòng"), "satisfied": _l("Hài lòng"), "unsatisfied": _l("Chưa hài lòng")}
TIMING = {"early": _l("Trước hạn"), "on_time": _l("Đúng hạn"), "late": _l("Trễ hạn")}
TIMING_BADGE = {"early": "success", "on_time": "primary", "late": "danger"}
TASK_STATUS = {"open": _l("Chờ nhận"), "claimed": _l("Đang xử lý"), "completed": _l("Hoàn thành"),
               "cancelled": _l("Đã hủy")}
ROLE, LEVEL = auth_labels.ROLE, auth_labels.LEVEL
EVENT = {
    "received": _l("Tiếp nhận hồ sơ"), "task_completed": _l("Hoàn thành bước"),
    "task_reassigned": _l("Phân công lại"), "supplement_requested": _l("Yêu cầu bổ sung hồ sơ"),
    "supplement_received": _l("Nhận hồ sơ bổ sung"), "refused": _l("Từ chối giải quyết"),
    "stopped": _l("Dừng giải quyết (rút hồ sơ)"), "apology_sent": _l("Xin lỗi và hẹn lại ngày trả"),
    "transferred": _l("Chuyển đơn vị xử lý"), "comment": _l("Trao đổi nội bộ"),
    "documents_attached": _l("Đính kèm giấy tờ"), "rated": _l("Người dân đánh giá"),
    "timer_fired": _l("Hết thời gian chờ"), "pin_reissued": _l("Cấp lại mã tra cứu"),
    "migrated": _l("Chuyển phiên bản quy trình"), "verification_extended": _l("Gia hạn để xác minh"),
    "part_refused": _l("Từ chối một thủ tục của chuỗi liên thông"), "step_returned": _l("Trả về bước trước"),
    "receipt_refused": _l("Từ chối tiếp nhận hồ sơ"),
    "receipt_accepted": _l("Tiếp nhận hồ sơ trực tuyến"), "fee_paid": _l("Đã thanh toán phí, lệ phí"),
    "posted": _l("Đã chuyển kết quả qua bưu điện"), "post_status": _l("Cập nhật của bưu điện"),
    "return_method_chosen": _l("Chọn hình thức nhận kết quả"),
}
POST_STATUS = {"accepted": _l("Bưu điện đã nhận bưu gửi"), "in_transit": _l("Đang vận chuyển"),
               "out_for_delivery": _l("Đang phát"), "delivered": _l("Đã phát thành công"),
               "failed": _l("Phát không thành công")}
# Who acted, as a citizen may see it on the public timeline: the office, never the person.
PUBLIC_ROLE = {"receiver": _l("Bộ phận tiếp nhận"), "returner": _l("Bộ phận trả kết quả"),
               "specialist": _l("Cán bộ chuyên môn"), "leader": _l("Lãnh đạo đơn vị"), "clerk": _l("Văn thư")}


def label_globals() -> dict:
    """Jinja globals so every template can print labels: {{ labels.STATUS[d.status] }}."""
    import app.dossiers.labels as labels

    return {"labels": labels}
