"""Designer view tests: the tests' world and the real forms copied to a scratch FORMS_DIR so saves touch no repo."""
from __future__ import annotations

import shutil

import pytest

from tests.functional.ui_world import DEMO_PASSWORD
from tests.integration.designer.variants import ROOT
from tests.integration.dossiers.conftest import Desk, clock, desk, local, official, world  # noqa: F401


@pytest.fixture
def login(client, world):  # noqa: F811
    def sign_in(username: str):
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        return client

    return sign_in


@pytest.fixture
def forms_dir(app, tmp_path):
    target = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", target)
    original = app.config["FORMS_DIR"]
    app.config["FORMS_DIR"] = str(target)
    yield target
    app.config["FORMS_DIR"] = original
