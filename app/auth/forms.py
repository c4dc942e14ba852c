"""WTForms for sign-in and user/agency administration (CSRF comes from Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.auth.labels import LEVEL, ROLE
from app.auth.models import AgencyLevel
from app.auth.passwords import MIN_LENGTH
from app.core.forms import BaseForm
from app.core.permissions import ALL_ROLES


class LoginForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=128)])


class UserCreateForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=64),
                                                         Regexp(r"^[A-Za-z0-9._-]+$")])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=255)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=255)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(min=MIN_LENGTH, max=128)])


class PasswordChangeForm(BaseForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=MIN_LENGTH, max=128)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(), Length(max=128),
                                        EqualTo("new", message=_l("Hai mật khẩu không khớp."))])


class UserEditForm(BaseForm):
    is_enabled = BooleanField(_l("Đang hoạt động"))
    password = PasswordField(_l("Mật khẩu mới (để trống nếu không đổi)"),
                             validators=[Optional(), Length(min=MIN_LENGTH, max=128)])


class RoleGrantForm(BaseForm):
    role = SelectField(_l("Vai trò"), choices=[(r, ROLE.get(r, r)) for r in ALL_ROLES])
    agency_code = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)


class AgencyForm(BaseForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=255)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=255)])
    edoc_code = StringField(_l("Mã định danh điện tử"), validators=[Optional(), Length(max=32)])
    level = SelectField(_l("Cấp"), choices=[(lv.value, LEVEL[lv.value]) for lv in AgencyLevel])
    parent_code = SelectField(_l("Đơn vị cấp trên"), choices=[], validate_choice=False)
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
