"""Sandbox of the public postal service's parcel API (modelled on Vietnam Post's shipment API for results sent
home): create a shipment, get an S10 tracking number, follow it, receive signed status callbacks.

Requests carry `X-Client-Id` and `X-Signature` (hex HMAC-SHA256 of the body, or of the path for a GET) with the
client's secret from SANDBOX_POST_CLIENTS ("ID:secret" entries). `POST /api/v1/shipments` is idempotent on the
client's `reference`. Status moves accepted → in_transit → out_for_delivery → delivered (or failed) when a postman
(the page at `/`, or `POST /_sandbox/shipments/<tracking>/advance`) says so; each move is POSTed, signed the same
way, to the shipment's `callback_url`, with retries.
"""
from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any

from common import env, new_app, parse_args, serve, sign, signature_ok
from flask import abort, jsonify, redirect, render_template, request

app = new_app("sandbox-post")
FLOW = ("accepted", "in_transit", "out_for_delivery", "delivered")
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_shipments: dict[str, dict[str, Any]] = {}
_callbacks: list[dict[str, Any]] = []
_lock = threading.Lock()


def _secret(client: str) -> str | None:
    return dict(e.split(":", 1) for e in env("SANDBOX_POST_CLIENTS", "MOTCUA:motcua-post-secret").split()).get(client)


def _authenticated(signed: bytes) -> str:
    client = request.headers.get("X-Client-Id", "")
    secret = _secret(client)
    if secret is None or not signature_ok(secret, signed, request.headers.get("X-Signature")):
        abort(401, "invalid signature")
    return client


def tracking_number(serial: int) -> str:
    """A UPU S10 item identifier: service letters, 8 digits, the mod-11 check digit, the country (EB12345678?VN)."""
    digits = f"{serial:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"EB{digits}{check}VN"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@app.post("/api/v1/shipments")
def create():
    client = _authenticated(request.get_data())
    data = request.get_json(silent=True) or {}
    recipient = data.get("recipient") or {}
    if not (data.get("reference") and recipient.get("name") and recipient.get("address") and data.get("callback_url")):
        return jsonify(error="invalid_request", detail="reference, recipient name/address and callback_url"), 422
    with _lock:
        key = (client, data["reference"])
        existing = next((s for s in _shipments.values() if (s["client"], s["reference"]) == key), None)
        if existing:
            return jsonify(_public(existing)), 200
        number = tracking_number(random.randrange(10**7, 10**8))
        shipment = {"client": client, "tracking_number": number, "reference": data["reference"],
                    "recipient": recipient, "content": data.get("content", ""), "callback_url": data["callback_url"],
                    "status": "accepted", "history": [{"status": "accepted", "at": _now()}]}
        _shipments[number] = shipment
    return jsonify(_public(shipment)), 201


def _public(shipment: dict[str, Any]) -> dict[str, Any]:
    return {k: shipment[k] for k in ("tracking_number", "reference", "status", "history", "recipient")}


@app.get("/api/v1/shipments/<number>")
def show(number: str):
    _authenticated(request.path.encode())
    shipment = _shipments.get(number)
    return (jsonify(_public(shipment)), 200) if shipment else (jsonify(error="not_found"), 404)


@app.get("/")
def postman():
    return render_template("post_index.html", shipments=list(_shipments.values()))


@app.post("/_sandbox/reset")
def reset():
    """Forget every shipment: test databases start over and reuse dossier codes, the post's idempotency key, so a
    test would otherwise get a shipment (status, callback address) booked by an earlier test."""
    with _lock:
        _shipments.clear()
    return "", 204


@app.post("/_sandbox/shipments/<number>/advance")
def advance(number: str):
    shipment = _shipments.get(number)
    if shipment is None:
        abort(404)
    target = request.values.get("to")
    if target is None:
        position = FLOW.index(shipment["status"]) if shipment["status"] in FLOW else len(FLOW) - 1
        target = FLOW[min(position + 1, len(FLOW) - 1)]
    if target not in (*FLOW, "failed"):
        abort(400, "unknown status")
    with _lock:
        shipment["status"] = target
        shipment["history"].append({"status": target, "at": _now()})
    entry = dict(_callback(shipment, request.values.get("note", "")))
    if "text/html" in request.headers.get("Accept", ""):  # the postman's page: back to it
        return redirect("/")
    return jsonify(entry)


def _callback(shipment: dict[str, Any], note: str) -> dict[str, Any]:
    body = json.dumps({"tracking_number": shipment["tracking_number"], "reference": shipment["reference"],
                       "status": shipment["status"], "at": shipment["history"][-1]["at"], "note": note},
                      separators=(",", ":"), ensure_ascii=False).encode()
    entry = {"url": shipment["callback_url"], "body": body.decode(),
             "signature": sign(_secret(shipment["client"]), body), "attempts": 0, "answer": None}
    with _lock:
        _callbacks.append(entry)
    threading.Thread(target=_deliver, args=(entry,), daemon=True).start()
    return entry


def _deliver(entry: dict[str, Any]) -> None:
    for delay in (0, 0.5, 1, 2):
        time.sleep(delay)
        entry["attempts"] += 1
        try:
            req = urllib.request.Request(entry["url"], data=entry["body"].encode(), method="POST", headers={  # noqa: S310
                "Content-Type": "application/json", "X-Signature": entry["signature"]})
            with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 (the client's own URL)
                entry["answer"] = {"status": response.status}
                return
        except OSError as error:
            entry["answer"] = {"error": str(error)}


@app.get("/_sandbox/callbacks")
def callbacks():
    with _lock:
        return jsonify(list(_callbacks))


if __name__ == "__main__":
    args = parse_args(__doc__.splitlines()[0], 5104)
    serve(app, args.host, args.port)
