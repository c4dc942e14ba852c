"""Postal service: hand a result over for delivery, follow it, and read its signed status callbacks."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from app.connectors.http import ServiceUnavailableError, hmac_hex, hmac_ok
from app.connectors.payment import BadSignatureError


@dataclass(frozen=True)
class ShipmentOrder:
    reference: str  # our idempotency key: the same reference never creates a second parcel
    recipient_name: str
    phone: str | None
    address: str
    content: str
    callback_url: str


@dataclass(frozen=True)
class ShipmentStatus:
    tracking_number: str
    reference: str
    status: str  # accepted / in_transit / out_for_delivery / delivered / failed
    at: str | None = None
    note: str | None = None


class PostalService(Protocol):
    def create_shipment(self, order: ShipmentOrder) -> ShipmentStatus: ...

    def track(self, tracking_number: str) -> ShipmentStatus: ...

    def parse_callback(self, body: bytes, signature: str | None) -> ShipmentStatus: ...


class HttpPostalService:
    """The parcel API of tools/sandboxes/post.py (client id + HMAC-SHA256 of the body or path)."""

    def __init__(self, url: str, client_id: str, secret: str, *, session: requests.Session, timeout: float) -> None:
        self.url, self.client_id, self.secret = url.rstrip("/"), client_id, secret
        self.session, self.timeout = session, timeout

    def _headers(self, signed: bytes) -> dict[str, str]:
        return {"X-Client-Id": self.client_id, "X-Signature": hmac_hex(self.secret, signed),
                "Content-Type": "application/json"}

    def _send(self, method: str, path: str, body: bytes | None = None) -> requests.Response:
        try:
            response = self.session.request(method, f"{self.url}{path}", data=body,
                                            headers=self._headers(body if body is not None else path.encode()),
                                            timeout=self.timeout)
        except requests.RequestException as error:
            raise ServiceUnavailableError("post", str(error)) from error
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise ServiceUnavailableError("post", f"HTTP {response.status_code}")
        return response

    def create_shipment(self, order: ShipmentOrder) -> ShipmentStatus:
        """Book the parcel (idempotent on `order.reference`, so a retry after a timeout books nothing twice)."""
        body = json.dumps({"reference": order.reference, "content": order.content, "callback_url": order.callback_url,
                           "recipient": {"name": order.recipient_name, "phone": order.phone,
                                         "address": order.address}}, ensure_ascii=False).encode()
        try:
            response = self._send("POST", "/api/v1/shipments", body)
        except ServiceUnavailableError:
            response = self._send("POST", "/api/v1/shipments", body)  # safe to repeat: same reference
        if response.status_code not in (200, 201):
            raise ServiceUnavailableError("post", f"HTTP {response.status_code}: {response.text[:200]}")
        return self._status(response.json())

    def track(self, tracking_number: str) -> ShipmentStatus:
        response = self._send("GET", f"/api/v1/shipments/{tracking_number}")
        if response.status_code != 200:
            raise ServiceUnavailableError("post", f"HTTP {response.status_code}")
        return self._status(response.json())

    def parse_callback(self, body: bytes, signature: str | None) -> ShipmentStatus:
        """A status callback; raises BadSignatureError unless signed with our secret."""
        if not hmac_ok(self.secret, body, signature):
            raise BadSignatureError("post callback signature")
        try:
            return self._status(json.loads(body))
        except (ValueError, KeyError) as error:
            raise BadSignatureError("post callback body") from error

    @staticmethod
    def _status(data: dict[str, Any]) -> ShipmentStatus:
        history = data.get("history") or [{}]
        return ShipmentStatus(tracking_number=data["tracking_number"], reference=data["reference"],
                              status=data["status"], at=data.get("at") or history[-1].get("at"), note=data.get("note"))
