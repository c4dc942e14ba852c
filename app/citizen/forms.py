"""Lookup and rating forms (public, CSRF-protected)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.forms import BaseForm

RATINGS = [("very_satisfied", _l("Rất hài lòng")), ("satisfied", _l("Hài lòng")), ("unsatisfied", _l("Chưa hài lòng"))]


class LookupForm(BaseForm):
    """Posted, never a GET form: the PIN must not end up in a URL."""

    code = StringField(_l("Mã hồ sơ"), validators=[DataRequired(), Length(max=40)])
    pin = StringField(_l("Mã tra cứu (PIN, 6 chữ số)"), validators=[
        DataRequired(), Regexp(r"^\d{6}$", message=_l("Mã tra cứu gồm 6 chữ số."))])


class RatingForm(BaseForm):
    code = HiddenField(validators=[DataRequired(), Length(max=40)])
    rating = RadioField(_l("Mức độ hài lòng"), choices=RATINGS, validators=[DataRequired()])
    comment = TextAreaField(_l("Góp ý (không bắt buộc)"), validators=[Optional(), Length(max=2000)])


class NotificationPreferenceForm(BaseForm):
    """Which of the contacts given at the counter get this dossier's messages, and in which language."""

    email = BooleanField(_l("Nhận thư điện tử"))
    sms = BooleanField(_l("Nhận tin nhắn SMS"))
    language = RadioField(_l("Ngôn ngữ của tin nhắn"), choices=[("vi", "Tiếng Việt"), ("en", "English")],
                          default="vi", validators=[DataRequired()])


class UnsubscribeForm(BaseForm):
    """Only the CSRF token: following the link shows a button, pressing it unsubscribes."""
