"""The national public-service portal: every status change of a dossier is published to it (Decision 766's
'dossiers synchronised' indicator), through the outbox, so a portal outage only delays it."""
from __future__ import annotations

import json
from typing import Any, Protocol

import requests

from app.connectors.http import ServiceUnavailableError, hmac_hex


class NationalPortal(Protocol):
    def publish(self, event: dict[str, Any]) -> str: ...


class HttpNationalPortal:
    """`POST /api/v1/dossier-events` signed with HMAC-SHA256 (tools/sandboxes/portal.py speaks it)."""

    def __init__(self, url: str, client_id: str, secret: str, *, session: requests.Session, timeout: float) -> None:
        self.url, self.client_id, self.secret = url.rstrip("/"), client_id, secret
        self.session, self.timeout = session, timeout

    def publish(self, event: dict[str, Any]) -> str:
        """Send one event; returns "accepted" or "duplicate" (the portal keeps each code + seq once)."""
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Client-Id": self.client_id,
                   "X-Signature": hmac_hex(self.secret, body), "Idempotency-Key": f"{event['code']}:{event['seq']}"}
        try:
            response = self.session.post(f"{self.url}/api/v1/dossier-events", data=body, headers=headers,
                                         timeout=self.timeout)
        except requests.RequestException as error:
            raise ServiceUnavailableError("portal", str(error)) from error
        if response.status_code not in (200, 201):
            raise ServiceUnavailableError("portal", f"HTTP {response.status_code}")
        return str(response.json().get("status", "accepted"))
