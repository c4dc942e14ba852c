"""Fixtures for dossier tests: the tests' world (factories) and the desk acting as the right official."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories.dossiers import Desk
from tests.factories.organisation import official
from tests.world import load_world

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """'2026-03-02 09:00' in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture
def world(app):
    load_world()


@pytest.fixture
def clock():
    """Travel to local instants: clock('2026-03-02 09:00')."""
    travellers = []

    def travel(text: str):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(local(text), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def desk(world):
    return Desk()


__all__ = ["Desk", "official"]
