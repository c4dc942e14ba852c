"""Payment gateway: signed redirect to the gateway's page, signed notification (IPN), signed return, status query."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from app.connectors.http import ServiceUnavailableError, canonical, hmac_hex, hmac_ok


class BadSignatureError(Exception):
    """A message claiming to come from the gateway is not signed with our merchant secret (or was altered)."""


@dataclass(frozen=True)
class PaymentOutcome:
    """What the gateway says about one order: `status` is success / failed / cancelled / unknown."""

    ref: str
    txn: str | None
    amount: int
    status: str
    at: str | None = None


@dataclass(frozen=True)
class PaymentRequest:
    ref: str
    amount: int
    info: str
    return_url: str
    notify_url: str
    expires_in: int  # seconds


class PaymentGateway(Protocol):
    def payment_url(self, request: PaymentRequest) -> str: ...

    def parse_notification(self, body: bytes, signature: str | None) -> PaymentOutcome: ...

    def parse_return(self, params: dict[str, str]) -> PaymentOutcome: ...

    def query(self, ref: str) -> PaymentOutcome: ...


class HmacPaymentGateway:
    """The gateway protocol of tools/sandboxes/payment.py (VNPay-style HMAC-SHA256 signatures)."""

    VERSION = "1"

    def __init__(self, url: str, merchant: str, secret: str, *, session: requests.Session, timeout: float) -> None:
        self.url, self.merchant, self.secret = url.rstrip("/"), merchant, secret
        self.session, self.timeout = session, timeout

    def payment_url(self, request: PaymentRequest) -> str:
        """Where to send the citizen's browser to pay `request` (signed, expiring)."""
        now = int(time.time())
        params = {"version": self.VERSION, "merchant": self.merchant, "ref": request.ref,
                  "amount": str(request.amount), "info": request.info, "return_url": request.return_url,
                  "notify_url": request.notify_url, "created": str(now), "expires": str(now + request.expires_in)}
        params["sig"] = hmac_hex(self.secret, canonical(params))
        return f"{self.url}/pay?{urlencode(params)}"

    def parse_notification(self, body: bytes, signature: str | None) -> PaymentOutcome:
        """The outcome of a server-to-server notification; raises BadSignatureError unless signed by the gateway."""
        if not hmac_ok(self.secret, body, signature):
            raise BadSignatureError("notification signature")
        try:
            data = json.loads(body)
        except ValueError as error:
            raise BadSignatureError("notification body") from error
        return self._outcome(data)

    def parse_return(self, params: dict[str, str]) -> PaymentOutcome:
        """The outcome carried by the browser's return; raises BadSignatureError when altered."""
        if not hmac_ok(self.secret, canonical(params), params.get("sig")):
            raise BadSignatureError("return signature")
        return self._outcome(params)

    def query(self, ref: str) -> PaymentOutcome:
        """Ask the gateway for the order's status (reconciliation when no notification arrived)."""
        params = {"merchant": self.merchant, "ref": ref, "ts": str(int(time.time()))}
        params["sig"] = hmac_hex(self.secret, canonical(params))
        try:
            response = self.session.get(f"{self.url}/api/v1/transactions", params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise ServiceUnavailableError("payment", str(error)) from error
        if response.status_code == 404:
            return PaymentOutcome(ref, None, 0, "unknown")
        if response.status_code != 200:
            raise ServiceUnavailableError("payment", f"HTTP {response.status_code}")
        data = {k: str(v) for k, v in response.json().items()}
        return self.parse_return(data)

    def _outcome(self, data: dict[str, Any]) -> PaymentOutcome:
        if data.get("merchant") != self.merchant:
            raise BadSignatureError("merchant")
        return PaymentOutcome(ref=str(data.get("ref", "")), txn=data.get("txn"), amount=int(data.get("amount") or 0),
                              status=str(data.get("status", "unknown")), at=data.get("at"))
