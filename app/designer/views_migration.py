"""Bulk migration pages: choose dossiers, dry run, create a batch, process it chunk by chunk (htmx polling)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import false, or_, select

from app.auth.models import Agency
from app.core.db import unit_of_work
from app.core.errors import ValidationError
from app.core.permissions import scope_paths
from app.designer import migration, services
from app.designer.views import bp, designer_only
from app.extensions import db
from app.workflow import services as workflow
from app.workflow.models import StepKind

STEP_KINDS = tuple(StepKind)
CHUNK = 10


def _criteria(values) -> tuple[migration.DossierFilter, object] | None:
    process_key, to_id = values.get("process_key"), values.get("to_version", type=int)
    if not process_key or not to_id:
        return None
    criteria = migration.DossierFilter(process_key, from_version_id=values.get("from_version", type=int),
                                       step_kind=values.get("step_kind") or None,
                                       agency_id=values.get("agency_id", type=int))
    return criteria, services.get_version(to_id)


@bp.route("/migrations")
@designer_only
def migrations():
    selected = _criteria(request.args)
    if selected:
        migration.ensure_can_migrate(current_user, selected[0].agency_id)
    report = migration.dry_run(*selected) if selected else None
    paths = scope_paths(current_user, "designer")
    query = select(Agency).order_by(Agency.path)
    if paths is not None:  # a scoped designer chooses among its own subtree
        query = query.where(or_(*[Agency.path.startswith(p) for p in paths]) if paths else false())
    agencies = db.session.scalars(query).all()
    return render_template("designer/migrations.html", versions=workflow.list_versions(), agencies=agencies,
                           step_kinds=STEP_KINDS, args=request.args, report=report,
                           batches=migration.list_batches())


@bp.route("/migrations", methods=["POST"])
@designer_only
def create_batch():
    selected = _criteria(request.form)
    if selected is None:
        raise ValidationError("Chọn quy trình và phiên bản đích.", "Choose the process and the target version.")
    with unit_of_work():
        batch_id = migration.create_batch(current_user, *selected, comment=request.form.get("comment")).id
    return redirect(url_for("designer.batch", batch_id=batch_id))


@bp.route("/migrations/<int:batch_id>")
@designer_only
def batch(batch_id: int):
    found = migration.get_batch(batch_id)
    migration.ensure_can_migrate(current_user, (found.filters or {}).get("agency_id"))
    return render_template("designer/batch.html", batch=found,
                           progress=migration.batch_progress(batch_id), items=migration.batch_items(batch_id))


@bp.route("/migrations/<int:batch_id>/step", methods=["POST"])
@designer_only
def batch_step(batch_id: int):
    """Process the next chunk and return the progress bar; while work remains it asks for the next one."""
    with unit_of_work():
        migration.process_batch(current_user, batch_id, limit=CHUNK)
    return render_template("designer/_batch_progress.html", batch=migration.get_batch(batch_id),
                           progress=migration.batch_progress(batch_id))
