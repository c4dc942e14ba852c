"""Every text field has a maximum length matching its column (issue 14: a 10,000-character name was accepted).

The walk imports every module of the app and checks each FlaskForm subclass, so a new form without a `Length(max=)`
fails here; the HTTP test shows the refusal an admin sees (Vietnamese, nothing stored)."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

import app as app_package
from app.auth.models import Agency
from app.dossiers.task_forms import DEFAULT_MAX_LENGTH, fields, load_form
from app.extensions import db
from tests.factories.auth import UserFactory

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _all_forms() -> list[type]:
    from app import create_app

    create_app()  # registers the blueprints, so the view modules import in their own order
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    return sorted((c for c in _subclasses(FlaskForm) if c.__module__.startswith("app.")),
                  key=lambda c: (c.__module__, c.__name__))


def _text_fields(form_cls: type) -> list[tuple[str, list]]:
    result = []
    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        field_class = getattr(unbound, "field_class", None)
        if isinstance(field_class, type) and issubclass(field_class, (StringField, TextAreaField)):
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            result.append((name, list(validators)))
    return result


def test_the_walk_finds_the_forms():
    names = {c.__name__ for c in _all_forms()}
    assert {"AgencyForm", "UserCreateForm", "IntakeForm", "ProcedureForm", "LookupForm", "SaveViewForm"} <= names


def test_every_text_field_of_every_form_has_a_maximum_length():
    missing = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in _all_forms()
               for name, validators in _text_fields(cls)
               if not any(isinstance(v, Length) and v.max is not None and v.max > 0 for v in validators)]
    assert missing == []


def test_form_lengths_match_their_columns():
    from app.auth.forms import AgencyForm, UserCreateForm
    from app.auth.models import User

    def max_of(form_cls, name):
        return next(v.max for n, vs in _text_fields(form_cls) if n == name for v in vs if isinstance(v, Length))

    assert max_of(AgencyForm, "name") == Agency.__table__.c.name.type.length
    assert max_of(AgencyForm, "code") == Agency.__table__.c.code.type.length
    assert max_of(UserCreateForm, "full_name") == User.__table__.c.full_name.type.length


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_form_js_text_field_carries_its_max_length_to_the_browser(app, path):
    with app.app_context():
        schema = load_form(f"{path.parent.name}/{path.stem}")
    texts = [c for c in fields(schema) if c["type"] in DEFAULT_MAX_LENGTH]
    assert all(0 < c["validate"]["maxLength"] <= DEFAULT_MAX_LENGTH[c["type"]] for c in texts), path


def test_a_ten_thousand_character_agency_name_is_refused_in_vietnamese(client, auth):
    UserFactory(username="boss", with_roles=[("admin", None)])
    db.session.commit()
    auth.login("boss")
    response = client.post("/admin/agencies/new", data={"code": "DAI", "name": "x" * 10_000, "level": "department",
                                                        "is_active": "y"})
    assert response.status_code in (200, 422)
    assert "Tối đa 255 ký tự." in response.text
    assert db.session.scalar(select(Agency).where(Agency.code == "DAI")) is None


def test_the_counter_intake_fields_carry_their_max_length(officials, at_office):
    from tests.functional.ui_world import WORK_PERMIT

    page = officials.login("tiepnhan").get(f"/counter/intake/{WORK_PERMIT}").get_data(as_text=True)
    job_title = page[page.index('name="f.job_title"'):]
    assert 'maxlength="255"' in job_title[:job_title.index(">")]


def test_the_intake_service_refuses_an_over_long_declaration_value(app):
    from app.dossiers.task_forms import check_submission

    with app.test_request_context():
        _, errors = check_submission("commendation/intake", {"nominee_name": "x" * 10_000, "achievements": "y" * 4001})
    assert errors["nominee_name"] == ["Tối đa 255 ký tự (đang có 10000)."]
    assert errors["achievements"] == ["Tối đa 4000 ký tự (đang có 4001)."]
