"""Shared plumbing of the local sandbox services (tools/sandboxes/*.py): arguments, health probe, signatures, serving.

Each sandbox is a small Flask app of its own, run as its own process on 127.0.0.1 by `make run` (Procfile) and by
the tests (tests/sandboxes.py). It speaks the protocol the real service speaks, so the application's real client is
what talks to it; it is never imported by the application.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
CITIZENS_FILE = HERE / "citizens.json"


def demo_people() -> dict[str, Any]:
    """The demo citizens and businesses shared by the identity provider and the registry."""
    return json.loads(CITIZENS_FILE.read_text(encoding="utf-8"))


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of a request or callback body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def canonical(params: dict[str, str]) -> bytes:
    """Query parameters in name order, form-encoded, without the signature (what a signed redirect signs)."""
    return urlencode(sorted((k, v) for k, v in params.items() if k != "sig")).encode()


def signature_ok(secret: str, body: bytes, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(sign(secret, body), given)


def new_app(name: str) -> Flask:
    app = Flask(name, template_folder=str(HERE / "templates"))

    @app.get("/healthz")
    def health():
        return jsonify(status="ok", service=name)

    return app


def parse_args(description: str, default_port: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    return parser.parse_args()


def serve(app: Flask, host: str, port: int) -> None:
    """Serve until SIGTERM or Ctrl-C (threaded: a callback may call back into a slow client)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app, threaded=True)
    app.logger.info("%s listening on http://%s:%s", app.name, host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
