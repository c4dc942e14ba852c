"""Structured logging: JSON lines in production, readable lines in development, both with a request id."""
from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Libraries that log every step at INFO (SpiffWorkflow: each task state change, thousands at demo load; APScheduler:
# each job run): the console keeps our warnings and events. MOTCUA_LIBRARY_LOG_LEVEL=INFO brings them back.
CHATTY_LOGGERS = ("spiff", "apscheduler", "mail.log", "weasyprint", "fontTools")


class RequestIdFilter(logging.Filter):
    """Attach the current request id (or '-') to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    """Install one stream handler on the root logger with the configured format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_motcua", False)]
    handler._motcua = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(app.config["LIBRARY_LOG_LEVEL"])

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response
