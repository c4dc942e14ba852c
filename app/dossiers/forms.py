"""WTForms for the counter intake and the actions on the dossier page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import BaseForm
from app.dossiers.schemas import identity_error


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(BaseForm):
    applicant_kind = SelectField(_l("Loại người nộp"), choices=[("person", _l("Cá nhân")),
                                                                ("organisation", _l("Tổ chức"))])
    name = StringField(_l("Họ và tên người nộp / tên tổ chức"), validators=[DataRequired(), Length(max=255)])
    id_number = StringField(_l("Số định danh cá nhân (12 chữ số)"), validators=[Optional(), Length(max=13)],
                            description=_l("Tổ chức: mã số thuế 10 hoặc 13 chữ số."))
    phone = StringField(_l("Số điện thoại"), validators=[
        Optional(), Length(max=32), Regexp(r"^\+?[0-9 .-]{8,15}$", message=_l("Số điện thoại không hợp lệ."))])
    email = StringField(_l("Thư điện tử"), validators=[
        Optional(), Length(max=255), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ."))])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=500)])
    representative = StringField(_l("Người đại diện / người được ủy quyền"), validators=[Optional(), Length(max=255)])
    documents = MultiCheckboxField(_l("Giấy tờ đã nhận"), coerce=int)
    return_method = SelectField(_l("Hình thức nhận kết quả"))
    commune_code = SelectField(_l("Xã/phường có thẩm quyền (nơi cư trú hoặc nơi có công trình)"),
                               validators=[Optional()], validate_choice=False)

    def validate_id_number(self, field) -> None:  # noqa: ANN001 - WTForms' inline validator
        """A person gives the 12-digit personal ID; an organisation its 10- or 13-digit tax code."""
        if identity_error(self.applicant_kind.data, (field.data or "").strip() or None) is None:
            return
        if self.applicant_kind.data == "organisation":
            raise ValidationError(_l("Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số."))
        raise ValidationError(_l("Số định danh cá nhân phải gồm đúng 12 chữ số."))


class CommentForm(BaseForm):
    text = TextAreaField(_l("Nội dung trao đổi nội bộ"), validators=[DataRequired(), Length(max=4000)])


class SupplementForm(BaseForm):
    documents = TextAreaField(_l("Giấy tờ bổ sung đã nhận (mỗi dòng một giấy tờ)"),
                              validators=[DataRequired(), Length(max=4000)])
    files = MultipleFileField(_l("Bản quét giấy tờ bổ sung (PDF, JPEG, PNG)"), validators=[Optional()])
    comment = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("Lý do rút hồ sơ"), validators=[DataRequired(), Length(max=2000)])


class RefuseReceiptForm(BaseForm):
    reason = TextAreaField(_l("Lý do từ chối tiếp nhận (gửi cho người nộp)"), validators=[DataRequired(),
                                                                                       Length(max=2000)])


class ApologyForm(BaseForm):
    reason = TextAreaField(_l("Lý do chậm trễ"), validators=[DataRequired(), Length(max=2000)])
    new_date = DateField(_l("Ngày hẹn trả mới"), validators=[DataRequired()])
    new_time = TimeField(_l("Giờ hẹn trả mới"), validators=[DataRequired()])


class VerificationForm(BaseForm):
    reason = TextAreaField(_l("Nội dung cần xác minh"), validators=[DataRequired(), Length(max=2000)])


class TransferForm(BaseForm):
    to_agency = SelectField(_l("Chuyển đến đơn vị"), validators=[DataRequired()])
    reason = TextAreaField(_l("Lý do chuyển"), validators=[DataRequired(), Length(max=2000)])


class DiscloseForm(BaseForm):
    reason = TextAreaField(_l("Lý do cần xem thông tin cá nhân"), validators=[DataRequired(), Length(min=10, max=500)])
