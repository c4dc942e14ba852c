"""Population database and business registry look-ups (prefill of applicant and form fields)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import requests

from app.connectors.http import ServiceUnavailableError


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    birth_date: str | None = None
    gender: str | None = None
    nationality: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    commune_code: str | None = None


@dataclass(frozen=True)
class Business:
    tax_code: str
    name: str
    address: str | None = None
    representative: str | None = None


class Registry(Protocol):
    def find_person(self, id_number: str) -> Person | None: ...

    def find_business(self, tax_code: str) -> Business | None: ...


class HttpRegistry:
    """The registry's REST API (`GET /api/v1/people/<id>`, `/api/v1/businesses/<tax code>`, key in X-Api-Key)."""

    def __init__(self, url: str, key: str, *, session: requests.Session, timeout: float) -> None:
        self.url, self.key, self.session, self.timeout = url.rstrip("/"), key, session, timeout

    def _get(self, path: str) -> dict[str, Any] | None:
        try:
            response = self.session.get(f"{self.url}{path}", headers={"X-Api-Key": self.key}, timeout=self.timeout)
        except requests.RequestException as error:
            raise ServiceUnavailableError("registry", str(error)) from error
        if response.status_code in (400, 404):
            return None
        if response.status_code != 200:
            raise ServiceUnavailableError("registry", f"HTTP {response.status_code}")
        return response.json()

    def find_person(self, id_number: str) -> Person | None:
        """The citizen with this 12-digit personal ID, or None."""
        data = self._get(f"/api/v1/people/{id_number}")
        fields = Person.__dataclass_fields__
        return Person(**{k: v for k, v in data.items() if k in fields}) if data else None

    def find_business(self, tax_code: str) -> Business | None:
        """The enterprise with this tax code, or None."""
        data = self._get(f"/api/v1/businesses/{tax_code}")
        fields = Business.__dataclass_fields__
        return Business(**{k: v for k, v in data.items() if k in fields}) if data else None
