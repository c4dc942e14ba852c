"""Local SMS/Zalo webhook and SMTP sink for `make run` and the tests (our sandbox for the message gateways).

Every message received is printed on one line and kept in memory; `GET /messages` returns them as JSON, so a
test or a curious developer sees what the scheduler delivered. `--fail-first N` answers the first N webhook
calls with 503 to exercise the outbox's retries.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

logger = logging.getLogger("notify_sink")


class Mailbox:
    """The messages received so far (both channels), and how many webhook calls are still to be refused."""

    def __init__(self, fail_first: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refusals_left = fail_first
        self.lock = threading.Lock()

    def add(self, channel: str, to: str, text: str, **extra: Any) -> None:
        entry = {"channel": channel, "to": to, "text": text, "at": datetime.now(UTC).isoformat(), **extra}
        with self.lock:
            self.messages.append(entry)
        logger.info("%s to %s: %s", channel, to, text.replace("\n", " ")[:160])

    def refuse(self) -> bool:
        with self.lock:
            if self.refusals_left > 0:
                self.refusals_left -= 1
                return True
        return False


def webhook_handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._reply(400, {"error": "invalid JSON"})
            if mailbox.refuse():
                logger.warning("webhook %s refused on purpose (--fail-first)", self.path)
                return self._reply(503, {"error": "unavailable"})
            mailbox.add(self.path.strip("/") or "sms", str(payload.get("to", "")), str(payload.get("text", "")),
                        reference=payload.get("reference"))
            return self._reply(200, {"status": "accepted"})

        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != "/messages":
                return self._reply(404, {"error": "not found"})
            with mailbox.lock:
                return self._reply(200, list(mailbox.messages))

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # the mailbox logs what matters
            pass

    return Handler


class SmtpHandler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content().strip() if body else ""
        for recipient in envelope.rcpt_tos:
            self.mailbox.add("email", recipient, text, subject=str(message["Subject"]))
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=5120)
    parser.add_argument("--smtp-port", type=int, default=5121)
    parser.add_argument("--fail-first", type=int, default=0, help="refuse the first N webhook calls with 503")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    mailbox = Mailbox(args.fail_first)
    smtp = Controller(SmtpHandler(mailbox), hostname=args.host, port=args.smtp_port)
    smtp.start()
    http = ThreadingHTTPServer((args.host, args.http_port), webhook_handler(mailbox))
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=http.shutdown).start())
    logger.info("listening: webhook http://%s:%s/sms, SMTP %s:%s", args.host, http.server_address[1], args.host,
                smtp.port)
    try:
        http.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
