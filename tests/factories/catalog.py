"""The tests' catalogue: the BPMN models of bpmn/ deployed through the real deployment service, their procedures
imported from bpmn/procedures.json onto the tests' organisation, a rule set in force, and calendar days.

Needs the organisation (tests.factories.organisation.build_organisation) first: procedures name handling agencies.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

from flask import current_app

from app.calendar import services as calendar
from app.catalog.models import Procedure
from app.catalog.services import upsert_procedure
from app.dossiers import rules
from app.workflow import decisions
from app.workflow import services as workflow
from app.workflow.models import ProcessVersion
from tests.factories.organisation import AGENCY_KEYS

WORK_PERMIT = "1.014199"  # province level: center counter, labour department, 5 working days
BIRTH_REGISTRATION = "1.001193"  # commune level


def bpmn_dir() -> Path:
    return Path(current_app.config["BPMN_DIR"])


def _entries() -> list[dict]:
    return json.loads((bpmn_dir() / "procedures.json").read_text(encoding="utf-8"))


def deploy(*bpmn_files: str, author: str = "models-sync") -> list[ProcessVersion]:
    """Publish models of bpmn/ as `flask models sync` does (same author; unchanged content is not deployed twice)
    and the decision tables they may call."""
    versions = [workflow.deploy_model(author, (bpmn_dir() / name).read_bytes(), name, comment=f"sync {name}")[0]
                for name in bpmn_files]
    decisions.sync_decisions(bpmn_dir(), author)
    return versions


def procedures(*codes: str) -> list[Procedure]:
    """The catalogue entries `codes` of bpmn/procedures.json (all when none), their models deployed first."""
    entries = [e for e in _entries() if not codes or e["code"] in codes]
    assert entries and (not codes or len(entries) == len(codes)), f"unknown procedure among {codes}"
    deploy(*sorted({e["bpmn_file"] for e in entries}))  # in file order, as `flask models sync`
    return [upsert_procedure(None, entry, AGENCY_KEYS) for entry in entries]


def build_catalog() -> list[Procedure]:
    """Every model of bpmn/ and every procedure of its catalogue (the caller commits)."""
    return procedures()


def ruleset_in_force(monkeypatch, day: date | None = None, **changes) -> rules.RuleSet:
    """Put a variant of the rule set in force on `day` (today by default) for this test: rule sets are code."""
    current = rules.ruleset_for(day or date.today())
    variant = dataclasses.replace(current, **changes)
    monkeypatch.setattr(rules, "RULESETS", tuple(variant if r is current else r for r in rules.RULESETS))
    return variant


def day_off(day: date, name: str = "Nghỉ bù", agency_code: str | None = None):
    """A holiday in the calendar (the whole province, or one agency's own calendar)."""
    agency_id = calendar.get_agency_id(agency_code) if agency_code else None
    return calendar.add_day_off("tests", day, name, agency_id)


def workday(day: date, name: str = "Làm bù", agency_code: str | None = None):
    """A weekend day worked (the whole province, or one agency)."""
    agency_id = calendar.get_agency_id(agency_code) if agency_code else None
    return calendar.add_workday("tests", day, name, agency_id)
