"""Forms of the inbox page (reassign, saved views)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm


class ReassignForm(BaseForm):
    assignee_id = SelectField(_l("Giao cho"), coerce=int, validators=[DataRequired()])
    reason = TextAreaField(_l("Lý do phân công lại"), validators=[DataRequired(), Length(max=1000)])


class SaveViewForm(BaseForm):
    name = StringField(_l("Tên bộ lọc"), validators=[DataRequired(), Length(max=80)])
    query = HiddenField(validators=[Length(max=1000)])  # SavedView.query is String(1000)
