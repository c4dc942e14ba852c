"""Public lookup of a dossier with its PIN, its public timeline and the rating after return (no token needed).

The PIN travels in the JSON body of a POST, never in a URL (proxies, logs, browser history keep URLs).
Every route here counts against the same rate limits and the same per-dossier PIN guard as the citizen
pages; unknown code, wrong PIN and locked PIN get one answer (404 `lookup_not_found`).
"""
from __future__ import annotations

from flask import abort

from app.api.errors import api_blueprint
from app.api.idempotency import transactional
from app.api.pagination import decode_cursor, page
from app.api.schemas.lookup import (
    LookupCreateSchema,
    LookupEventsCreateSchema,
    LookupSchema,
    PublicEventPageSchema,
    RatingCreateSchema,
    RatingSchema,
)
from app.api.spec import PUBLIC
from app.core.permissions import public
from app.core.ratelimit import pin_lookup_limits
from app.dossiers import lifecycle
from app.dossiers.public import public_events, public_status, verified_dossier

blp = api_blueprint("lookup_api", "/api/v1/lookup", "Tra cứu công khai / public lookup")
GONE = {"description": "Removed: the PIN no longer goes in a URL; use `POST /api/v1/lookup`"}


@blp.route("", methods=["POST"])
@blp.doc(security=PUBLIC)
@blp.arguments(LookupCreateSchema)
@blp.response(200, LookupSchema)
@public
@pin_lookup_limits()
def lookup(args):
    """Status, step in plain Vietnamese, appointment and missing items; only the applicant's initials."""
    return public_status(verified_dossier(args["code"], args["pin"]))


@blp.route("/events", methods=["POST"])
@blp.doc(security=PUBLIC)
@blp.arguments(LookupEventsCreateSchema)
@blp.response(200, PublicEventPageSchema)
@public
@pin_lookup_limits()
def events(args):
    """The applicant's timeline: public events with the office that acted, no names of officials, no ids."""
    dossier = verified_dossier(args["code"], args["pin"])
    after = decode_cursor(args["cursor"], int)
    rows = [e for e in public_events(dossier) if after is None or e.seq > after[0]]
    return page(rows[:args["limit"] + 1], args["limit"], lambda e: (e.seq,))


@blp.route("/<code>", methods=["GET"])
@blp.doc(security=PUBLIC, deprecated=True, responses={"410": GONE})
@public
def lookup_by_url(code: str):
    """Removed (410 Gone): a PIN in the query string leaks into logs and history. Use `POST /api/v1/lookup`."""
    abort(410)


@blp.route("/<code>/rating", methods=["POST"])
@blp.doc(security=PUBLIC)
@transactional(idempotent=True)
@blp.arguments(RatingCreateSchema)
@blp.response(201, RatingSchema)
@public
@pin_lookup_limits()
def rate(args, code: str):
    """Rate the service once, after the result was returned."""
    dossier = verified_dossier(code, args["pin"])  # commits the attempt on its own, before the rating
    dossier = lifecycle.rate(dossier.code, None, args["rating"], args["comment"], verified=True)
    return {"code": dossier.code, "rating": dossier.rating}
