"""Sandbox payment gateway modelled on the Vietnamese card/QR gateways (VNPay, the national portal's payment
platform): signed redirect, signed server-to-server notification (IPN) with retries, signed return, status query.

1. The merchant sends the citizen to `GET /pay?...&sig=` (parameters signed with HMAC-SHA256 over their canonical
   form, see common.canonical). The page shows the amount; the citizen pays, cancels, or has the card declined.
2. The gateway POSTs the outcome as JSON to `notify_url` with `X-Signature` (hex HMAC-SHA256 of the body) and
   retries with backoff until the merchant answers 200 with code "00" (confirmed) or "02" (already confirmed).
3. It redirects the browser to `return_url` with the outcome, signed the same way as the request.
4. `GET /api/v1/transactions?merchant=&ref=&ts=&sig=` answers the status (reconciliation when no notification came).
Merchants come from SANDBOX_PAY_MERCHANTS ("ID:secret" entries separated by spaces). `--drop-notify` sends no
notification (the timeout path); `/_sandbox/notifications` lists what was sent and `.../resend` sends one again.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from common import canonical, env, new_app, parse_args, serve, sign, signature_ok
from flask import abort, jsonify, redirect, render_template, request

app = new_app("sandbox-payment")
SIGNED = ("version", "merchant", "ref", "amount", "info", "return_url", "notify_url", "created", "expires")
RETRY_DELAYS = (0.5, 1, 2, 4, 8)
_transactions: dict[str, dict[str, Any]] = {}  # by merchant ref
_notifications: list[dict[str, Any]] = []
_lock = threading.Lock()
DROP_NOTIFY = {"on": False}


def _secret(merchant: str) -> str | None:
    pairs = dict(e.split(":", 1) for e in env("SANDBOX_PAY_MERCHANTS", "MOTCUA:motcua-pay-secret").split())
    return pairs.get(merchant)


def _verified_request() -> dict[str, str]:
    params = {n: request.values.get(n, "") for n in SIGNED}
    secret = _secret(params["merchant"])
    if secret is None or not signature_ok(secret, canonical(params), request.values.get("sig")):
        abort(400, "invalid signature")
    if not params["amount"].isdigit() or int(params["amount"]) <= 0:
        abort(400, "invalid amount")
    return params


@app.get("/pay")
def pay_page():
    params = _verified_request()
    expired = int(params["expires"] or 0) < time.time()
    done = _transactions.get(f"{params['merchant']}:{params['ref']}")
    return render_template("pay.html", params=params, sig=request.values["sig"], expired=expired, done=done,
                           amount=f"{int(params['amount']):,}".replace(",", "."))


@app.post("/pay")
def pay():
    params = _verified_request()
    if int(params["expires"] or 0) < time.time():
        abort(400, "payment request expired")
    key = f"{params['merchant']}:{params['ref']}"
    status = {"pay": "success", "cancel": "cancelled", "decline": "failed"}.get(request.form.get("action", ""))
    if status is None:
        abort(400, "unknown action")
    with _lock:
        txn = _transactions.get(key)
        if txn is None or txn["status"] != "success":  # a paid order is never charged twice
            txn = {"merchant": params["merchant"], "ref": params["ref"], "amount": int(params["amount"]),
                   "txn": "GW" + secrets.token_hex(6).upper(), "status": status,
                   "at": datetime.now(UTC).isoformat(timespec="seconds"), "notify_url": params["notify_url"]}
            _transactions[key] = txn
            fresh = True
        else:
            fresh = False
    if fresh and not DROP_NOTIFY["on"]:
        _notify(txn)
    return redirect(_return_url(params, txn))


def _outcome(txn: dict[str, Any]) -> dict[str, str]:
    return {"merchant": txn["merchant"], "ref": txn["ref"], "txn": txn["txn"], "amount": str(txn["amount"]),
            "status": txn["status"], "at": txn["at"]}


def _return_url(params: dict[str, str], txn: dict[str, Any]) -> str:
    outcome = _outcome(txn)
    outcome["sig"] = sign(_secret(txn["merchant"]), canonical(outcome))
    separator = "&" if "?" in params["return_url"] else "?"
    return f"{params['return_url']}{separator}{urlencode(outcome)}"


def _notify(txn: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(_outcome(txn), separators=(",", ":")).encode()
    entry = {"txn": txn["txn"], "url": txn["notify_url"], "body": body.decode(),
             "signature": sign(_secret(txn["merchant"]), body), "attempts": 0, "answer": None}
    with _lock:
        _notifications.append(entry)
    threading.Thread(target=_deliver, args=(entry,), daemon=True).start()
    return entry


def _deliver(entry: dict[str, Any]) -> None:
    """POST the notification until the merchant confirms it (code 00, or 02 for already confirmed)."""
    for delay in (0, *RETRY_DELAYS):
        time.sleep(delay)
        entry["attempts"] += 1
        try:
            req = urllib.request.Request(entry["url"], data=entry["body"].encode(), method="POST", headers={  # noqa: S310
                "Content-Type": "application/json", "X-Signature": entry["signature"]})
            with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 (the merchant's own URL)
                entry["answer"] = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as error:
            entry["answer"] = {"error": str(error)}
            continue
        if entry["answer"].get("code") in ("00", "02"):
            return


@app.get("/api/v1/transactions")
def query():
    params = {n: request.args.get(n, "") for n in ("merchant", "ref", "ts")}
    secret = _secret(params["merchant"])
    if secret is None or not signature_ok(secret, canonical(params), request.args.get("sig")):
        return jsonify(error="invalid_signature"), 401
    txn = _transactions.get(f"{params['merchant']}:{params['ref']}")
    if txn is None:
        return jsonify(ref=params["ref"], status="unknown"), 404
    outcome = _outcome(txn)
    return jsonify({**outcome, "sig": sign(secret, canonical(outcome))})


@app.get("/_sandbox/notifications")
def notifications():
    with _lock:
        return jsonify(list(_notifications))


@app.post("/_sandbox/notifications/<txn>/resend")
def resend(txn: str):
    found = next((t for t in _transactions.values() if t["txn"] == txn), None)
    if found is None:
        abort(404)
    return jsonify(_notify(found))


@app.post("/_sandbox/drop-notify/<state>")
def drop_notify(state: str):
    DROP_NOTIFY["on"] = state == "on"
    return jsonify(DROP_NOTIFY)


if __name__ == "__main__":
    import sys

    DROP_NOTIFY["on"] = "--drop-notify" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--drop-notify"]
    args = parse_args(__doc__.splitlines()[0], 5103)
    serve(app, args.host, args.port)
