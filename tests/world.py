"""The tests' world: their organisation and the catalogue of bpmn/, built through the real services (factories)."""
from __future__ import annotations

from app.extensions import db
from tests.factories.catalog import build_catalog
from tests.factories.organisation import build_organisation


def load_world() -> None:
    build_organisation()
    build_catalog()
    db.session.commit()
