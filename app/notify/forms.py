"""The admin's message template form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput

from app.core.forms import BaseForm
from app.notify.message_templates import MAX_BODY, MAX_SUBJECT


class MessageTemplateForm(BaseForm):
    subject = StringField(_l("Tiêu đề (thư điện tử)"), validators=[Optional(), Length(max=MAX_SUBJECT)])
    body = TextAreaField(_l("Nội dung"), validators=[DataRequired(), Length(max=MAX_BODY)])
    # a text field: the browser's date input sends yyyy-mm-dd and shows the browser's own format, not dd/mm/yyyy
    valid_from = DateField(_l("Áp dụng từ ngày (dd/mm/yyyy)"), format="%d/%m/%Y", validators=[DataRequired()],
                           widget=TextInput(), render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
