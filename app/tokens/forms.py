"""The token creation form (CSRF from Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm


class TokenCreateForm(BaseForm):
    name = StringField(_l("Tên gợi nhớ (ví dụ: cổng dịch vụ công tỉnh)"), validators=[DataRequired(), Length(max=100)])


class TokenRevokeForm(BaseForm):
    """Empty form: only carries the CSRF token."""
