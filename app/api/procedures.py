"""GET /api/v1/procedures: the public catalogue."""
from __future__ import annotations

from app.api.errors import api_blueprint
from app.api.pagination import decode_cursor, page
from app.api.schemas.procedures import ProcedureDetailSchema, ProcedureListArgsSchema, ProcedurePageSchema
from app.api.spec import PUBLIC
from app.catalog import services as catalog
from app.core.permissions import public

blp = api_blueprint("procedures_api", "/api/v1/procedures", "Thủ tục hành chính / administrative procedures")


@blp.route("")
@blp.doc(security=PUBLIC)
@blp.arguments(ProcedureListArgsSchema, location="query")
@blp.response(200, ProcedurePageSchema)
@public
def list_procedures(args):
    """List active procedures, ordered by code."""
    after = decode_cursor(args["cursor"], str)
    procedures = [p for p in catalog.list_procedures(args["q"]) if after is None or p.code > after[0]]
    return page(procedures[:args["limit"] + 1], args["limit"], lambda p: (p.code,))


@blp.route("/<code>")
@blp.doc(security=PUBLIC)
@blp.response(200, ProcedureDetailSchema)
@public
def get_procedure(code: str):
    """One procedure with its required documents and fees."""
    return catalog.get_procedure(code)
