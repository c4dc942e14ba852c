"""Sandbox of the national public-service portal's status synchronisation (Cổng Dịch vụ công quốc gia).

`POST /api/v1/dossier-events` takes one status change of a dossier as JSON, signed with HMAC-SHA256 of the body in
`X-Signature` for the client in `X-Client-Id` (SANDBOX_PORTAL_CLIENTS "ID:secret" entries). The same event (code +
seq) sent again is answered 200 "duplicate" and stored once; events may arrive out of order (retries): a dossier's
status is the one of its highest seq. `GET /api/v1/dossiers/<code>` shows what the portal knows. `--fail-first N`
answers the first N posts with 503, to exercise the sender's retries.
"""
from __future__ import annotations

import json
import sys
import threading

from common import env, new_app, parse_args, serve, signature_ok
from flask import jsonify, request

app = new_app("sandbox-portal")
_events: dict[str, dict[int, dict]] = {}
_lock = threading.Lock()
_refusals = {"left": 0}


def _secret(client: str) -> str | None:
    return dict(e.split(":", 1) for e in env("SANDBOX_PORTAL_CLIENTS", "MOTCUA:motcua-portal-secret").split()).get(
        client)


@app.post("/api/v1/dossier-events")
def receive():
    secret = _secret(request.headers.get("X-Client-Id", ""))
    if secret is None or not signature_ok(secret, request.get_data(), request.headers.get("X-Signature")):
        return jsonify(error="invalid_signature"), 401
    with _lock:
        if _refusals["left"] > 0:
            _refusals["left"] -= 1
            return jsonify(error="unavailable"), 503
    try:
        event = json.loads(request.get_data())
        code, seq = str(event["code"]), int(event["seq"])
    except (ValueError, KeyError, TypeError):
        return jsonify(error="invalid_request"), 422
    with _lock:
        known = _events.setdefault(code, {})
        if seq in known:
            return jsonify(status="duplicate")
        known[seq] = event
    return jsonify(status="accepted"), 201


@app.get("/api/v1/dossiers/<code>")
def dossier(code: str):
    with _lock:
        known = dict(_events.get(code, {}))
    if not known:
        return jsonify(error="not_found"), 404
    latest = known[max(known)]
    return jsonify(code=code, status=latest["status"], events=[known[s] for s in sorted(known)])


@app.post("/_sandbox/fail-next/<int:count>")
def fail_next(count: int):
    _refusals["left"] = count
    return jsonify(_refusals)


if __name__ == "__main__":
    if "--fail-first" in sys.argv:
        position = sys.argv.index("--fail-first")
        _refusals["left"] = int(sys.argv[position + 1])
        del sys.argv[position:position + 2]
    args = parse_args(__doc__.splitlines()[0], 5105)
    serve(app, args.host, args.port)
