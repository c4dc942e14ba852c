"""Lookup and rating forms (public, CSRF-protected)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.forms import BaseForm

RATINGS = [("very_satisfied", _l("Rất hài lòng")), ("satisfied", _l("Hài lòng")), ("unsatisfied", _l("Chưa hài lòng"))]


class LookupForm(BaseForm):
    """Posted, never a GET form: the PIN must not end up in a URL."""

    code = StringField(_l("Mã hồ sơ"), validators=[DataRequired(), Length(max=40)])
    pin = StringField(_l("Mã tra cứu (PIN, 6 chữ số)"), validators=[
        DataRequired(), Length(max=6), Regexp(r"^\d{6}$", message=_l("Mã tra cứu gồm 6 chữ số."))])


class RatingForm(BaseForm):
    code = HiddenField(validators=[DataRequired(), Length(max=40)])
    rating = RadioField(_l("Mức độ hài lòng"), choices=RATINGS, validators=[DataRequired()])
    comment = TextAreaField(_l("Góp ý (không bắt buộc)"), validators=[Optional(), Length(max=2000)])


class OnlineApplicantForm(BaseForm):
    """The applicant part of an online submission (the procedure's own fields come from its intake form)."""

    agency = SelectField(_l("Nơi tiếp nhận hồ sơ"), validators=[DataRequired()])
    # Procedures handled by the commune of the site (construction, a business's premises): the citizen names it,
    # as the counter does; the commune of residence comes from the identity registry instead.
    site_commune = SelectField(_l("Xã/phường nơi có công trình, địa điểm (xác định cơ quan có thẩm quyền)"),
                               validators=[Optional()])
    name = StringField(_l("Họ và tên người nộp"), validators=[DataRequired(), Length(max=255)])
    phone = StringField(_l("Số điện thoại"), validators=[
        DataRequired(), Length(max=32), Regexp(r"^\+?[0-9 .-]{8,15}$", message=_l("Số điện thoại không hợp lệ."))])
    email = StringField(_l("Thư điện tử"), validators=[
        Optional(), Length(max=255), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ."))])
    address = StringField(_l("Địa chỉ liên hệ (cũng là nơi nhận kết quả qua bưu điện)"),
                          validators=[DataRequired(), Length(max=500)])
    return_method = RadioField(_l("Hình thức nhận kết quả"), validators=[DataRequired()])


class ReturnMethodForm(BaseForm):
    method = RadioField(_l("Hình thức nhận kết quả"), validators=[DataRequired()])
    address = StringField(_l("Địa chỉ nhận kết quả qua bưu điện"), validators=[Optional(), Length(max=500)])


class OnlineSupplementForm(BaseForm):
    note = TextAreaField(_l("Nội dung bổ sung, giải trình (nếu có)"), validators=[Optional(), Length(max=2000)])


class OnlineWithdrawForm(BaseForm):
    reason = TextAreaField(_l("Lý do đề nghị dừng giải quyết hồ sơ"), validators=[DataRequired(), Length(max=2000)])


class NotificationPreferenceForm(BaseForm):
    """Which of the contacts given at the counter get this dossier's messages, and in which language."""

    email = BooleanField(_l("Nhận thư điện tử"))
    sms = BooleanField(_l("Nhận tin nhắn SMS"))
    language = RadioField(_l("Ngôn ngữ của tin nhắn"), choices=[("vi", "Tiếng Việt"), ("en", "English")],
                          default="vi", validators=[DataRequired()])


class UnsubscribeForm(BaseForm):
    """Only the CSRF token: following the link shows a button, pressing it unsubscribes."""
