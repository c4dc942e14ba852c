"""Sandbox of the national population database and the business registry: look-ups for form prefill.

`GET /api/v1/people/<12-digit personal ID>` and `GET /api/v1/businesses/<tax code>` with the caller's key in the
`X-Api-Key` header (SANDBOX_REGISTRY_KEY); 404 for an unknown number, 400 for a malformed one, 401 without the
key. Seeded with the demo citizens of citizens.json (the same people as the identity provider).
"""
from __future__ import annotations

import re
import secrets

from common import demo_people, env, new_app, parse_args, serve
from flask import jsonify, request

app = new_app("sandbox-registry")
ID_RE, TAX_RE = re.compile(r"^\d{12}$"), re.compile(r"^\d{10}(-?\d{3})?$")


@app.before_request
def _require_key():
    if request.path == "/healthz":
        return None
    key = env("SANDBOX_REGISTRY_KEY", "motcua-registry-key")
    if not secrets.compare_digest(request.headers.get("X-Api-Key", ""), key):
        return jsonify(error="unauthorized"), 401
    return None


@app.get("/api/v1/people/<id_number>")
def person(id_number: str):
    if not ID_RE.match(id_number):
        return jsonify(error="invalid_id_number"), 400
    found = next((p for p in demo_people()["people"] if p["id_number"] == id_number), None)
    return (jsonify(found), 200) if found else (jsonify(error="not_found"), 404)


@app.get("/api/v1/businesses/<tax_code>")
def business(tax_code: str):
    if not TAX_RE.match(tax_code):
        return jsonify(error="invalid_tax_code"), 400
    found = next((b for b in demo_people()["businesses"] if b["tax_code"] == tax_code.replace("-", "")), None)
    return (jsonify(found), 200) if found else (jsonify(error="not_found"), 404)


if __name__ == "__main__":
    args = parse_args(__doc__.splitlines()[0], 5102)
    serve(app, args.host, args.port)
