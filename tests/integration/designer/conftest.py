"""Designer fixtures: reuse the dossier Desk/clock/world and add a designer user."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.integration.dossiers.conftest import Desk, clock, desk, local, official, world  # noqa: F401


@pytest.fixture
def designer(world):  # noqa: F811
    return db.session.scalar(select(User).where(User.username == "designer"))
