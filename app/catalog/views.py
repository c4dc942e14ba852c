"""Catalogue administration: list, edit and import procedures (role admin)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog import services
from app.catalog.forms import ONLINE_LEVELS, ImportForm, ProcedureForm
from app.core.db import unit_of_work
from app.core.errors import ValidationError
from app.core.permissions import roles_required

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
MAX_IMPORT_BYTES = 5_000_000


@bp.route("/")
@roles_required("admin", "designer")
def index():
    search = request.args.get("q", "").strip()
    return render_template("catalog/index.html", procedures=services.list_procedures(search or None, active_only=False),
                           search=search, import_form=ImportForm(), online_levels=dict(ONLINE_LEVELS))


@bp.route("/<code>", methods=["GET", "POST"])
@roles_required("admin")
def edit(code: str):
    version = request.args.get("version", type=int)
    procedure = services.get_version(code, version)
    form = ProcedureForm(obj=procedure)
    if request.method == "GET":
        form.online_level.data = procedure.online_level.value
        form.deadline_policy.data = procedure.deadline_policy.value
        form.competence.data = procedure.competence.value
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_procedure(current_user, code, {name: field.data for name, field in form._fields.items()
                                                               if name != "csrf_token"}, version=procedure.version)
        except ValidationError as error:  # a rule across versions (overlap): shown at the date field
            form.effective_to.errors = [*form.effective_to.errors, error.message(str(get_locale() or "vi"))]
        else:
            flash(_("Đã lưu thủ tục %(code)s.", code=code), "success")
            return redirect(url_for("catalog.index"))
    return render_template("catalog/edit.html", procedure=procedure, form=form,
                           versions=services.versions_of(code))


@bp.route("/import", methods=["POST"])
@roles_required("admin")
def import_file():
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn tệp CSV hoặc XLSX."), "danger")
        return redirect(url_for("catalog.index"))
    content = form.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        flash(_("Tệp quá lớn (tối đa 5 MB)."), "danger")
        return redirect(url_for("catalog.index"))
    with unit_of_work():
        procedures = services.import_procedures(current_user, form.file.data.filename, content)
    flash(_("Đã nhập %(count)s thủ tục.", count=len(procedures)), "success")
    return redirect(url_for("catalog.index"))
