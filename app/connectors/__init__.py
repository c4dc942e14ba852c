"""Clients of the external services the citizen portal uses, each behind a small interface.

`registry()`, `payment_gateway()` and `postal_service()` return the real HTTP client configured in the app's
settings (MOTCUA_REGISTRY_URL, ...), or raise ServiceNotConfiguredError. The clients speak each service's protocol;
locally and in the tests that service is the sandbox under tools/sandboxes/, never a stand-in object.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from app.connectors.http import ServiceNotConfiguredError, ServiceUnavailableError, http_session
from app.connectors.payment import HmacPaymentGateway, PaymentGateway
from app.connectors.portal import HttpNationalPortal, NationalPortal
from app.connectors.postal import HttpPostalService, PostalService
from app.connectors.registry import HttpRegistry, Registry

__all__ = ["ServiceNotConfiguredError", "ServiceUnavailableError", "registry", "payment_gateway", "postal_service",
           "national_portal"]

T = TypeVar("T")
_KEY = "motcua.connectors"


def _client(name: str, settings: tuple[str, ...], build: Callable[..., T]) -> T:
    """The app's client `name`, rebuilt when its settings change (tests point the app at their sandboxes)."""
    config = current_app.config
    values = tuple(config.get(s) for s in settings)
    if not all(values):
        raise ServiceNotConfiguredError(name)
    cache: dict[str, tuple[tuple, Any]] = current_app.extensions.setdefault(_KEY, {})
    cached = cache.get(name)
    if cached is None or cached[0] != values:
        session = http_session(config["EXTERNAL_RETRIES"])
        cache[name] = (values, build(*values, session=session, timeout=config["EXTERNAL_TIMEOUT"]))
    return cache[name][1]


def registry() -> Registry:
    return _client("registry", ("REGISTRY_URL", "REGISTRY_KEY"), HttpRegistry)


def payment_gateway() -> PaymentGateway:
    return _client("payment", ("PAYMENT_URL", "PAYMENT_MERCHANT", "PAYMENT_SECRET"), HmacPaymentGateway)


def postal_service() -> PostalService:
    return _client("post", ("POST_URL", "POST_CLIENT_ID", "POST_SECRET"), HttpPostalService)


def configured(*settings: str) -> bool:
    return all(current_app.config.get(s) for s in settings)


def national_portal() -> NationalPortal:
    return _client("portal", ("PORTAL_URL", "PORTAL_CLIENT_ID", "PORTAL_SECRET"), HttpNationalPortal)
