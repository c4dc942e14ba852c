"""The token creation form (CSRF from Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenCreateForm(FlaskForm):
    name = StringField(_l("Tên gợi nhớ (ví dụ: cổng dịch vụ công tỉnh)"), validators=[DataRequired(), Length(max=100)])


class TokenRevokeForm(FlaskForm):
    """Empty form: only carries the CSRF token."""
