"""One HTTP session setup for every external service: timeouts, bounded retries of idempotent calls, one error."""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.core.errors import AppError


class ServiceUnavailableError(AppError):
    """An external service did not answer in time or answered with a server error: nothing was changed here."""

    status = 503
    code = "service_unavailable"

    def __init__(self, service: str, detail: str = "") -> None:
        names = {"registry": ("Cơ sở dữ liệu quốc gia về dân cư", "The population database"),
                 "payment": ("Cổng thanh toán", "The payment gateway"),
                 "post": ("Dịch vụ bưu chính", "The postal service"),
                 "identity": ("Hệ thống định danh điện tử", "The identity provider"),
                 "portal": ("Cổng Dịch vụ công quốc gia", "The national public-service portal")}
        vi, en = names.get(service, (service, service))
        super().__init__(f"{vi} tạm thời không phản hồi. Vui lòng thử lại sau.",
                         f"{en} is not answering right now. Please try again later.", details={"service": service,
                                                                                              "detail": detail[:200]})
        self.service = service


class ServiceNotConfiguredError(ServiceUnavailableError):
    code = "service_not_configured"


def http_session(retries: int) -> requests.Session:
    """A session retrying connection errors and 502/503/504 of idempotent methods, with backoff."""
    session = requests.Session()
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=0.2,
                  status_forcelist=(502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def hmac_hex(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def hmac_ok(secret: str, data: bytes, given: str | None) -> bool:
    """Constant-time comparison of a received signature."""
    return bool(given) and hmac.compare_digest(hmac_hex(secret, data), given)


def canonical(params: dict[str, str]) -> bytes:
    """The signed form of a parameter set: names in order, without `sig` (the gateways' convention)."""
    return urlencode(sorted((k, v) for k, v in params.items() if k != "sig")).encode()
