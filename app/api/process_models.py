"""BPMN models: list, deploy (designer) and versions, through app.workflow.services."""
from __future__ import annotations

from flask_login import current_user

from app.api.errors import api_blueprint
from app.api.idempotency import transactional
from app.api.pagination import decode_cursor, page
from app.api.schemas.common import PageArgsSchema
from app.api.schemas.process_models import (
    DeployedVersionSchema,
    ModelDeploySchema,
    ProcessModelPageSchema,
    ProcessVersionPageSchema,
    ProcessVersionSchema,
    VersionListArgsSchema,
)
from app.core.errors import NotFoundError
from app.core.permissions import login_required, roles_required
from app.designer import services as designer
from app.workflow import services as workflow

blp = api_blueprint("models_api", "/api/v1/models", "Mô hình quy trình BPMN / process models")


def _models() -> list[dict]:
    by_key: dict[str, dict] = {}
    for version in workflow.list_versions():  # newest version first within each key
        entry = by_key.setdefault(version.process_key, {
            "process_key": version.process_key, "name": version.name, "latest_version": version.number,
            "versions": 0, "updated_at": version.created_at})
        entry["versions"] += 1
    return list(by_key.values())


@blp.route("", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ProcessModelPageSchema)
@login_required
def list_models(args):
    """Deployed process models (one row per process key, with its latest version number)."""
    after = decode_cursor(args["cursor"], str)
    rows = [m for m in _models() if after is None or m["process_key"] > after[0]]
    return page(rows[:args["limit"] + 1], args["limit"], lambda m: (m["process_key"],))


@blp.route("", methods=["POST"])
@transactional(idempotent=True)
@blp.arguments(ModelDeploySchema)
@blp.response(201, DeployedVersionSchema)
@blp.alt_response(200, schema=DeployedVersionSchema, description="Identical content already deployed")
@roles_required("designer")
def deploy(args):
    """Deploy BPMN XML as a new version of its process (designer); identical content returns 200.

    The model goes through the designer's publish checks (engine validation, sandbox compilation of every
    script and template, lint); a model that fails them is refused with 422 and the findings.
    """
    source = args["source_name"] or "api-upload.bpmn"
    version, created = designer.publish_model(current_user, args["xml"], source, args["comment"])
    return _version_row(version, xml=False) | {"created": created}, 201 if created else 200


@blp.route("/<process_key>/versions")
@blp.arguments(VersionListArgsSchema, location="query")
@blp.response(200, ProcessVersionPageSchema)
@login_required
def versions(args, process_key: str):
    """Versions of one process, newest first (XML only with include_xml=true)."""
    rows = workflow.list_versions(process_key)
    if not rows:
        raise NotFoundError(f"Không có mô hình {process_key}.", f"No process model {process_key}.")
    after = decode_cursor(args["cursor"], int)
    rows = [v for v in rows if after is None or v.number < after[0]]
    result = page(rows[:args["limit"] + 1], args["limit"], lambda v: (v.number,))
    result["items"] = [_version_row(v, xml=args["include_xml"]) for v in result["items"]]
    return result


def _version_row(version, *, xml: bool) -> dict:
    row = {name: getattr(version, name) for name in ProcessVersionSchema._declared_fields}
    return row | {"xml": version.xml if xml else None}
