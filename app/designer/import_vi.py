"""Vietnamese for the engine's import report (the engine speaks English; the designer reads Vietnamese)."""
from __future__ import annotations

import re

_PATTERNS = [
    (r"^(JUEL|FEEL) condition converted to Python$", r"Đã chuyển điều kiện \1 sang biểu thức Python"),
    (r"^(JUEL|FEEL) condition cannot be converted: (.*)$", r"Không chuyển được điều kiện \1: \2"),
    (r"^descriptive process marked executable$", "Đã đánh dấu quy trình mô tả là thực thi được"),
    (r"^descriptive process \(isExecutable is not true\): the engine will not run it$",
     "Quy trình mô tả (isExecutable không phải true): động cơ sẽ không chạy"),
    (r"^link event '(.*)' translated to a sequence flow to (.*)$",
     r"Đã thay sự kiện liên kết '\1' bằng luồng tuần tự tới \2"),
    (r"^link throw event '(.*)' has no catch event of that name in this process$",
     r"Sự kiện liên kết gửi '\1' không có sự kiện nhận cùng tên trong quy trình"),
    (r"^compensation event: the engine cannot run compensation$",
     "Sự kiện bù trừ (compensation): động cơ không chạy được"),
    (r"^compensation handler activity$", "Công việc xử lý bù trừ (compensation)"),
    (r"^vendor extension (.*) is kept but ignored$", r"Phần mở rộng \1 của công cụ khác được giữ nhưng bị bỏ qua"),
    (r"^timer (\w+) quoted for the engine$", r"Đã đặt giá trị hẹn giờ \1 trong dấu nháy cho động cơ"),
    (r"^relative namespace URI of (.*) made absolute \(canonical XML needs absolute URIs\)$",
     r"Đã đổi URI không gian tên tương đối của \1 thành URI tuyệt đối (XML chuẩn tắc yêu cầu)"),
    (r"^the diagram has no layout; the designer lays it out automatically$",
     "Sơ đồ không có bố cục; trình thiết kế tự sắp xếp"),
    (r"^unsupported element bpmn:(\w+)$", r"Phần tử bpmn:\1 không được hỗ trợ"),
    (r"^the file has no process \(only a collaboration or diagram\)$",
     "Tệp không có quy trình nào (chỉ có cộng tác hoặc sơ đồ)"),
    (r"^not a BPMN 2\.0 file \(root is not bpmn:definitions\)$",
     "Không phải tệp BPMN 2.0 (gốc không là bpmn:definitions)"),
    (r"^(.*): not well-formed XML: (.*)$", r"\1: XML sai cú pháp: \2"),
    (r"^(.*): A Service Task must have an operator$", r"\1: công việc dịch vụ thiếu toán tử (operator)"),
    (r"^message catch has no spiffworkflow:messageVariable.*$",
     "Sự kiện nhận thông điệp chưa có spiffworkflow:messageVariable: dữ liệu thông điệp sẽ không vào công việc"),
    (r"^script: (.*)$", r"Kịch bản: \1"),
    (r"^user task has no step_kind property$", "Công việc chưa có thuộc tính step_kind"),
    (r"^user task is not in a lane with a role property$", "Công việc không nằm trong làn có vai trò"),
]
_FIXES = [
    (r"^import again with 'mark executable'.*$", "Nhập lại và chọn 'Đánh dấu quy trình mô tả là thực thi được'"),
    (r"^rewrite it as a Python expression.*$",
     "Viết lại thành biểu thức Python trên dữ liệu công việc (vd. amount > 5 and ok)"),
    (r"^add the matching link catch event or draw a sequence flow$",
     "Thêm sự kiện liên kết nhận cùng tên hoặc vẽ luồng tuần tự"),
    (r"^model the undo as explicit tasks.*$",
     "Mô hình hoá việc hoàn tác bằng các công việc trên nhánh lỗi/huỷ rồi bỏ sự kiện này"),
    (r"^connect it with sequence flows.*$",
     "Nối công việc này bằng luồng tuần tự trên nhánh hoàn tác và bỏ isForCompensation"),
    (r"^set the equivalent in the properties panel.*$",
     "Đặt giá trị tương ứng trong bảng thuộc tính (vai trò làn, loại bước, biểu mẫu)"),
    (r"^replace it with an exclusive or inclusive gateway$", "Thay bằng cổng loại trừ hoặc cổng bao hàm"),
    (r"^replace it with a supported element.*$", "Thay bằng phần tử được hỗ trợ (công việc, cổng, sự kiện)"),
    (r"^make it a user task or a script task.*$", "Đổi thành công việc của người hoặc công việc kịch bản Python"),
    (r"^set the message variable in the properties panel$", "Đặt biến thông điệp trong bảng thuộc tính"),
    (r"^rewrite the script in Python$", "Viết lại kịch bản bằng Python"),
    (r"^fix the file in its modeler.*$", "Sửa tệp trong công cụ gốc rồi xuất lại dạng BPMN 2.0 XML"),
    (r"^export the diagram.*$", "Xuất lại sơ đồ dạng BPMN 2.0 XML"),
    (r"^draw the process in a pool.*$", "Vẽ quy trình trong một bể (pool) rồi xuất lại"),
    (r"^set the step kind.*$", "Chọn loại bước (tiếp nhận, thẩm định, phê duyệt, ...) trong bảng thuộc tính"),
    (r"^put the task in a lane.*$", "Đặt công việc vào một làn và gán vai trò cho làn"),
]


def _translate(text: str | None, table: list[tuple[str, str]]) -> str | None:
    if not text:
        return text
    for pattern, vi in table:
        if re.match(pattern, text):
            return re.sub(pattern, vi, text)
    return text


def message_vi(text: str | None) -> str | None:
    """The Vietnamese of an import finding's message (unknown messages stay as the engine wrote them)."""
    return _translate(text, _PATTERNS)


def fix_vi(text: str | None) -> str | None:
    """The Vietnamese of an import finding's fix hint."""
    return _translate(text, _FIXES)
