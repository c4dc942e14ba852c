"""Load the demo organisation idempotently (running it twice changes nothing)."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.auth import services as auth
from app.catalog.services import load_catalog_file
from app.demo.data import AGENCIES, AGENCY_KEYS, DEMO_PASSWORD, USERS
from app.demo.dossiers import load_demo_dossiers
from app.extensions import db
from app.workflow.cli import sync_models

logger = logging.getLogger(__name__)


def load_demo_agencies() -> int:
    """Create the demo agencies that are missing; return how many were added."""
    added = 0
    for code, edoc, name, name_en, level, parent in AGENCIES:
        if auth.find_agency_by_code(code) is None:
            auth.create_agency(None, code=code, name=name, level=level, parent_code=parent, edoc_code=edoc,
                               name_en=name_en)
            added += 1
    return added


def load_demo_users() -> int:
    """Create the demo officials that are missing; return how many were added."""
    added = 0
    for username, full_name, roles in USERS:
        if auth.find_user_by_username(username) is None:
            auth.create_user(None, username=username, full_name=full_name, password=DEMO_PASSWORD,
                             grants=[auth.RoleGrant.parse(r) for r in roles])
            added += 1
    return added


def load_demo_catalog() -> int:
    """Deploy the models of bpmn/ and import their catalogue entries."""
    bpmn_dir = Path(current_app.config["BPMN_DIR"])
    deployed = sum(1 for _key, _number, created in sync_models(bpmn_dir) if created)
    load_catalog_file(None, bpmn_dir / "procedures.json", AGENCY_KEYS)
    return deployed


def load_demo(dossiers: int = 200) -> dict[str, int]:
    """Load every part of the demo data set."""
    counts = {"agencies": load_demo_agencies(), "users": load_demo_users(), "models": load_demo_catalog()}
    counts["dossiers"] = load_demo_dossiers(dossiers)
    if counts["dossiers"]:  # first load: the demo citizens' online dossiers too
        counts["citizen_dossiers"] = _citizen_dossiers()
    counts["anchors"] = _anchor_history()
    return counts


def _citizen_dossiers() -> int:
    import random
    from datetime import UTC, datetime

    from faker import Faker

    from app.demo.citizens import load_citizen_dossiers
    from app.demo.dossiers import DemoContext

    return load_citizen_dossiers(DemoContext(Faker("vi_VN"), random.Random(17), datetime.now(UTC)))


def _anchor_history() -> int:
    """Anchor the demo's past (up to yesterday) as the scheduler would have each night, published outside."""
    from datetime import timedelta

    from app.audit.anchors import create_anchor
    from app.audit.models import AuditAnchor
    from app.core.db import utcnow
    from app.core.timefmt import to_local

    yesterday = to_local(utcnow()).date() - timedelta(days=1)
    latest = db.session.scalar(select(func.max(AuditAnchor.day)))
    if latest is not None and latest >= yesterday:
        return 0
    create_anchor(yesterday)
    return 1
