"""Public lookup of a dossier with its PIN, and the rating after return (no token needed)."""
from __future__ import annotations

from app.api.errors import api_blueprint
from app.api.idempotency import transactional
from app.api.schemas.lookup import LookupArgsSchema, LookupSchema, RatingCreateSchema, RatingSchema
from app.api.spec import PUBLIC
from app.core.permissions import public
from app.dossiers import lifecycle
from app.dossiers.public import public_status

blp = api_blueprint("lookup_api", "/api/v1/lookup", "Tra cứu công khai / public lookup")


@blp.route("/<code>")
@blp.doc(security=PUBLIC)
@blp.arguments(LookupArgsSchema, location="query")
@blp.response(200, LookupSchema)
@public
def lookup(args, code: str):
    """Status, step in plain Vietnamese, appointment and missing items; only the applicant's initials."""
    return public_status(code, args["pin"])


@blp.route("/<code>/rating", methods=["POST"])
@blp.doc(security=PUBLIC)
@transactional(idempotent=True)
@blp.arguments(RatingCreateSchema)
@blp.response(201, RatingSchema)
@public
def rate(args, code: str):
    """Rate the service once, after the result was returned."""
    dossier = lifecycle.rate(code, args["pin"], args["rating"], args["comment"])
    return {"code": dossier.code, "rating": dossier.rating}
