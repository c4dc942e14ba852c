"""Forms of the catalogue administration pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.core.forms import BaseForm

ONLINE_LEVELS = [("full", _l("Toàn trình")), ("partial", _l("Một phần")), ("none", _l("Không trực tuyến"))]
COMPETENCE = [("level", _l("Theo cấp (đơn vị tiếp nhận cùng cấp giải quyết)")),
              ("fixed", _l("Cố định: cơ quan giải quyết của thủ tục")),
              ("residence", _l("Theo nơi cư trú của người nộp (cấp xã)")),
              ("site", _l("Theo địa điểm công trình, tài sản (cấp xã)"))]
RETURN_METHODS = [("counter", _l("Tại Bộ phận một cửa")), ("post", _l("Qua bưu chính")), ("online", _l("Trực tuyến"))]


class ProcedureForm(BaseForm):
    name_vi = StringField(_l("Tên thủ tục"), validators=[DataRequired(), Length(max=500)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=500)])
    field_vi = StringField(_l("Lĩnh vực"), validators=[Optional(), Length(max=255)])
    legal_days = DecimalField(_l("Thời hạn giải quyết (ngày làm việc; 0 = trong ngày)"), places=2,
                              validators=[InputRequired(), NumberRange(min=0, max=365)])
    committed_days = DecimalField(_l("Thời hạn cam kết (ngày làm việc)"), places=2,
                                  validators=[Optional(), NumberRange(min=0.25, max=365)])
    refusal_days = DecimalField(_l("Thời hạn nếu từ chối (ngày làm việc; trống = như trên)"), places=2,
                                validators=[Optional(), NumberRange(min=0, max=365)])
    supplement_days = DecimalField(_l("Thời hạn yêu cầu bổ sung (ngày làm việc; trống = theo bộ quy tắc)"), places=2,
                                   validators=[Optional(), NumberRange(min=0.25, max=365)])
    verification_days = DecimalField(_l("Gia hạn khi cần xác minh (ngày làm việc; trống = luật không cho phép)"),
                                     places=2, validators=[Optional(), NumberRange(min=0.25, max=365)])
    competence = SelectField(_l("Thẩm quyền giải quyết"), choices=COMPETENCE)
    legal_basis = StringField(_l("Căn cứ pháp lý"), validators=[Optional(), Length(max=255)])
    effective_from = DateField(_l("Hiệu lực từ ngày"), validators=[Optional()])
    effective_to = DateField(_l("Hiệu lực đến hết ngày"), validators=[Optional()])
    deadline_policy = SelectField(_l("Cách tính hạn"), choices=[("hours", _l("Theo giờ làm việc")),
                                                                 ("civil", _l("Theo Bộ luật Dân sự"))])
    cutoff = StringField(_l("Giờ chốt nhận trong ngày (HH:MM)"),
                         validators=[Optional(), Length(max=5), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")])
    online_level = SelectField(_l("Mức độ trực tuyến"), choices=ONLINE_LEVELS)
    return_methods = SelectMultipleField(_l("Hình thức trả kết quả"), choices=RETURN_METHODS,
                                         validators=[DataRequired()])
    five_on_site = BooleanField(_l("Giải quyết \"5 tại chỗ\""))
    process_key = StringField(_l("Mã quy trình BPMN"), validators=[DataRequired(), Length(max=128)])
    description = TextAreaField(_l("Mô tả"), validators=[Optional(), Length(max=5000)])
    is_active = BooleanField(_l("Đang áp dụng"))

    def validate_refusal_days(self, field) -> None:
        if field.data is not None and self.legal_days.data is not None and field.data > self.legal_days.data:
            raise ValidationError(_l("Thời hạn từ chối không được dài hơn thời hạn giải quyết."))

    def validate_effective_to(self, field) -> None:
        if field.data and self.effective_from.data and field.data < self.effective_from.data:
            raise ValidationError(_l("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))


class ImportForm(BaseForm):
    file = FileField(_l("Tệp CSV hoặc XLSX"), validators=[FileRequired(), FileAllowed(["csv", "xlsx"])])
