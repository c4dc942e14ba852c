"""The registry client against the sandbox population database and business registry (a real process)."""
from __future__ import annotations

import pytest

from app.connectors import ServiceNotConfiguredError, ServiceUnavailableError, registry
from tests.sandboxes import Sandbox


def test_a_person_is_found_by_personal_id(sandboxes):
    person = registry().find_person("038090001234")
    assert (person.full_name, person.birth_date, person.commune_code) == ("Nguyễn Văn An", "1990-05-12", "14797")


def test_an_unknown_or_malformed_number_is_none(sandboxes):
    assert registry().find_person("038090009999") is None
    assert registry().find_person("12345") is None


def test_a_business_is_found_by_tax_code(sandboxes):
    assert registry().find_business("2801234567").name == "Công ty TNHH Thép Nghi Sơn"


def test_a_wrong_key_is_a_service_failure_not_an_unknown_person(sandboxes, app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRY_KEY", "wrong")
    with pytest.raises(ServiceUnavailableError):
        registry().find_person("038090001234")


def test_a_stopped_registry_is_service_unavailable(sandboxes, app, monkeypatch):
    own = Sandbox("registry").start()
    monkeypatch.setitem(app.config, "REGISTRY_URL", own.url)
    assert registry().find_person("038090001234") is not None
    own.stop()
    with pytest.raises(ServiceUnavailableError) as refused:
        registry().find_person("038090001234")
    assert refused.value.status == 503 and "dân cư" in refused.value.message_vi


def test_an_unconfigured_service_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRY_URL", None)
    with pytest.raises(ServiceNotConfiguredError):
        registry()
