"""`flask demo load` gives the demo citizens online dossiers at the stages a citizen acts on."""
from __future__ import annotations

import random
from datetime import UTC, datetime

from faker import Faker
from sqlalchemy import select

from app.demo.citizens import load_citizen_dossiers
from app.demo.dossiers import DemoContext
from app.dossiers.models import Dossier
from app.extensions import db
from tests.world import load_world


def test_each_demo_citizen_has_online_dossiers_waiting_for_intake_supplement_and_post(app):
    load_world()
    assert load_citizen_dossiers(DemoContext(Faker("vi_VN"), random.Random(1), datetime.now(UTC))) == 6
    rows = db.session.scalars(select(Dossier).where(Dossier.submitter_id_number == "038090001234")
                              .order_by(Dossier.received_at)).all()
    assert [(d.channel.value, d.status.value, d.return_method) for d in rows] == [
        ("online", "received", "online"), ("online", "waiting_supplement", "counter"),
        ("online", "result_ready", "post")]
    assert rows[0].current_step_kind == "intake"
