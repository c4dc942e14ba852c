"""The base of every HTML form: Flask-WTF with WTForms' own messages in Vietnamese (English from our catalog).

WTForms ships no Vietnamese catalogue, so its English messages ("This field is required.") leaked into the
Vietnamese UI. `Meta.get_translations` is WTForms' hook for exactly this: it maps each English message id to our
Vietnamese source string and lets Flask-Babel translate that back for the English UI.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

WTFORMS_MESSAGES = {
    "This field is required.": _l("Trường này là bắt buộc."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "'%(value)s' is not a valid choice for this field.": _l("“%(value)s” không phải là lựa chọn hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Lựa chọn không hợp lệ."),
    "Not a valid date value.": _l("Ngày không hợp lệ."),
    "Not a valid time value.": _l("Giờ không hợp lệ."),
    "Not a valid datetime value.": _l("Thời điểm không hợp lệ."),
    "Not a valid integer value.": _l("Phải là số nguyên."),
    "Not a valid decimal value.": _l("Phải là một số."),
    "Not a valid float value.": _l("Phải là một số."),
    "Invalid email address.": _l("Địa chỉ thư không hợp lệ."),
    "Field must be at least %(min)d character long.": _l("Tối thiểu %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": _l("Tối đa %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": _l("Phải gồm đúng %(max)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Phải có từ %(min)d đến %(max)d ký tự."),
    "Number must be at least %(min)s.": _l("Tối thiểu %(min)s."),
    "Number must be at most %(max)s.": _l("Tối đa %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Phải từ %(min)s đến %(max)s."),
    "Field must be equal to %(other_name)s.": _l("Phải trùng với trường %(other_name)s."),
    "The CSRF token is missing.": _l("Biểu mẫu đã hết hạn, vui lòng tải lại trang."),
    "The CSRF token has expired.": _l("Biểu mẫu đã hết hạn, vui lòng tải lại trang."),
    "The CSRF token is invalid.": _l("Biểu mẫu không hợp lệ, vui lòng tải lại trang."),
}


class _Messages:
    """The translations object WTForms asks for (gettext / ngettext)."""

    def gettext(self, string: str) -> str:
        found = WTFORMS_MESSAGES.get(string)
        return str(found) if found is not None else string  # the lazy string renders in the request's locale

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):  # noqa: ANN001, ANN201 - WTForms' hook signature
            return _Messages()
