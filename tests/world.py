"""The demo organisation, real BPMN models and catalogue, loaded through the real services."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.catalog.services import load_catalog_file
from app.demo.data import AGENCY_KEYS
from app.demo.services import load_demo_agencies, load_demo_users
from app.extensions import db
from app.workflow.cli import sync_models


def load_world() -> None:
    load_demo_agencies()
    load_demo_users()
    bpmn_dir = Path(current_app.config["BPMN_DIR"])
    sync_models(bpmn_dir)
    load_catalog_file(None, bpmn_dir / "procedures.json", AGENCY_KEYS)
    db.session.commit()
